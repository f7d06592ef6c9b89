#include "message_list_model.h"

#include "markdown_blocks.h"

namespace tern::app {

int MessageListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant MessageListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const StoredMessage& m = rows_[index.row()];
    switch (role) {
    case Qt::DisplayRole:
    case TextRole: return m.text;
    case IdRole: return m.id;
    case RoleNameRole: return roleName(m.role);
    case BlocksRole: return markdownBlocksForQml(m.text);
    case StateRole: return stateName(m.state);
    case ModelRole: return m.model;
    case GeneratedTokensRole: return m.figures.generatedTokens;
    case TokensPerSecondRole: return m.figures.tokensPerSecond;
    case CreatedAtRole: return m.createdAt;
    default: return {};
    }
}

QHash<int, QByteArray> MessageListModel::roleNames() const {
    return {{IdRole, "messageId"},     {RoleNameRole, "role"},
            {TextRole, "text"},        {BlocksRole, "blocks"},
            {StateRole, "messageState"}, {ModelRole, "modelName"},
            {GeneratedTokensRole, "generatedTokens"},
            {TokensPerSecondRole, "tokensPerSecond"},
            {CreatedAtRole, "createdAt"}};
}

void MessageListModel::setMessages(const QList<StoredMessage>& messages) {
    beginResetModel();
    rows_ = messages;
    endResetModel();
    emit countChanged();
}

void MessageListModel::append(const StoredMessage& message) {
    const int row = rowCount();
    beginInsertRows({}, row, row);
    rows_.append(message);
    endInsertRows();
    emit countChanged();
}

int MessageListModel::rowOf(qint64 id) const {
    // The streaming reply is the last row; search from the end.
    for (int i = static_cast<int>(rows_.size()) - 1; i >= 0; --i) {
        if (rows_[i].id == id) {
            return i;
        }
    }
    return -1;
}

std::optional<StoredMessage> MessageListModel::byId(qint64 id) const {
    const int row = rowOf(id);
    if (row < 0) {
        return std::nullopt;
    }
    return rows_[row];
}

void MessageListModel::appendText(qint64 id, const QString& piece) {
    const int row = rowOf(id);
    if (row < 0 || piece.isEmpty()) {
        return;
    }
    rows_[row].text += piece;
    emit dataChanged(index(row), index(row), {TextRole, BlocksRole, Qt::DisplayRole});
}

void MessageListModel::update(const StoredMessage& message) {
    const int row = rowOf(message.id);
    if (row < 0) {
        return;
    }
    rows_[row] = message;
    emit dataChanged(index(row), index(row));
}

void MessageListModel::removeFrom(qint64 id) {
    const int row = rowOf(id);
    if (row < 0) {
        return;
    }
    beginRemoveRows({}, row, rowCount() - 1);
    rows_.erase(rows_.begin() + row, rows_.end());
    endRemoveRows();
    emit countChanged();
}

} // namespace tern::app
