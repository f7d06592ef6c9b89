// The messages of the open conversation. The streaming reply is the last row; its text grows
// through appendText(), which views see as a dataChanged on that row only.
#pragma once

#include "history_types.h"

#include <QAbstractListModel>

namespace tern::app {

class MessageListModel : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        RoleNameRole, // "user", "assistant", "system"
        TextRole,
        BlocksRole,   // the text split into prose and code blocks (see markdown_blocks.h)
        StateRole,    // "complete", "streaming", "stopped", "failed"
        ModelRole,
        GeneratedTokensRole,
        TokensPerSecondRole,
        CreatedAtRole,
    };

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setMessages(const QList<StoredMessage>& messages);
    void append(const StoredMessage& message);
    void appendText(qint64 id, const QString& piece);
    void update(const StoredMessage& message); // same id: replaces text, state and figures
    void removeFrom(qint64 id);                // that message and every later one
    int rowOf(qint64 id) const;
    std::optional<StoredMessage> byId(qint64 id) const;
    const QList<StoredMessage>& messages() const { return rows_; }

signals:
    void countChanged();

private:
    QList<StoredMessage> rows_;
};

} // namespace tern::app
