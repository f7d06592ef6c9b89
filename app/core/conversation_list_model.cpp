#include "conversation_list_model.h"

namespace tern::app {

QString activitySection(const QDateTime& when, const QDateTime& now) {
    const qint64 days = when.toLocalTime().date().daysTo(now.toLocalTime().date());
    if (days <= 0) return QObject::tr("Today");
    if (days == 1) return QObject::tr("Yesterday");
    if (days < 7) return QObject::tr("Previous 7 days");
    return QObject::tr("Older");
}

int ConversationListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant ConversationListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const StoredConversation& c = rows_[index.row()];
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole: return c.title;
    case IdRole: return c.id;
    case UpdatedAtRole: return c.updatedAt;
    case MessageCountRole: return c.messageCount;
    case SnippetRole: return snippets_.value(c.id);
    case SectionRole: return activitySection(c.updatedAt, QDateTime::currentDateTime());
    default: return {};
    }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const {
    return {{IdRole, "conversationId"}, {TitleRole, "title"},       {UpdatedAtRole, "updatedAt"},
            {MessageCountRole, "messageCount"}, {SnippetRole, "snippet"}, {SectionRole, "section"}};
}

void ConversationListModel::setConversations(const QList<StoredConversation>& conversations) {
    beginResetModel();
    rows_ = conversations;
    endResetModel();
    emit countChanged();
}

void ConversationListModel::setSnippets(const QHash<qint64, QString>& snippets) {
    snippets_ = snippets;
    if (!rows_.isEmpty()) {
        emit dataChanged(index(0), index(rowCount() - 1), {SnippetRole});
    }
}

int ConversationListModel::rowOf(qint64 id) const {
    for (int i = 0; i < rows_.size(); ++i) {
        if (rows_[i].id == id) {
            return i;
        }
    }
    return -1;
}

qint64 ConversationListModel::idAt(int row) const {
    return row >= 0 && row < rows_.size() ? rows_[row].id : 0;
}

std::optional<StoredConversation> ConversationListModel::at(int row) const {
    if (row < 0 || row >= rows_.size()) {
        return std::nullopt;
    }
    return rows_[row];
}

void ConversationListModel::moveToTop(const StoredConversation& conversation) {
    const int row = rowOf(conversation.id);
    if (row < 0) {
        beginInsertRows({}, 0, 0);
        rows_.prepend(conversation);
        endInsertRows();
        emit countChanged();
        return;
    }
    if (row > 0) {
        beginMoveRows({}, row, row, {}, 0);
        rows_.move(row, 0);
        endMoveRows();
    }
    rows_[0] = conversation;
    emit dataChanged(index(0), index(0));
}

void ConversationListModel::rename(qint64 id, const QString& title) {
    const int row = rowOf(id);
    if (row >= 0) {
        rows_[row].title = title;
        emit dataChanged(index(row), index(row), {TitleRole, Qt::DisplayRole});
    }
}

void ConversationListModel::remove(qint64 id) {
    const int row = rowOf(id);
    if (row >= 0) {
        beginRemoveRows({}, row, row);
        rows_.removeAt(row);
        endRemoveRows();
        emit countChanged();
    }
}

} // namespace tern::app
