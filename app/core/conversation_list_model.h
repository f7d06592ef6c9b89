// The sidebar's conversations, most recent activity first, optionally narrowed to the results
// of a search (each with the matching snippet). Edited in place (insert, move to top, rename,
// remove) so views keep their scroll position and selection.
#pragma once

#include "history_types.h"

#include <QAbstractListModel>
#include <QHash>

#include <optional>

namespace tern::app {

class ConversationListModel : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role { IdRole = Qt::UserRole + 1, TitleRole, UpdatedAtRole, MessageCountRole, SnippetRole, SectionRole };

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setConversations(const QList<StoredConversation>& conversations);
    void setSnippets(const QHash<qint64, QString>& snippets); // shown under the titles of search results
    // A new conversation or new activity: the row goes (or moves) to the top.
    void moveToTop(const StoredConversation& conversation);
    void rename(qint64 id, const QString& title);
    void remove(qint64 id);
    int rowOf(qint64 id) const;
    Q_INVOKABLE qint64 idAt(int row) const;
    std::optional<StoredConversation> at(int row) const;

signals:
    void countChanged();

private:
    QList<StoredConversation> rows_;
    QHash<qint64, QString> snippets_;
};

// "Today", "Yesterday", "Previous 7 days", "Older": the sidebar's section for a time.
QString activitySection(const QDateTime& when, const QDateTime& now);

} // namespace tern::app
