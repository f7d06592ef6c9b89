// The chat history: one SQLite database (WAL) holding conversations and their messages, with a
// full-text index. Synchronous and cheap per call (single-row statements), so the GUI thread
// may call it; every write is its own transaction, so an application crash never loses a
// committed message. Not thread-safe: one store per thread.
#pragma once

#include "history_types.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace tern::app {

class HistoryStore {
public:
    // Opens (creating when needed) the database at `path` and migrates it to the latest schema.
    // Throws HistoryError naming the file when it cannot be opened, is not a Tern history, or
    // was written by a newer Tern.
    explicit HistoryStore(const QString& path);
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    // <AppDataLocation>/history.sqlite3: where the app keeps its history.
    static QString defaultPath();
    static int latestSchemaVersion();

    QString path() const { return path_; }
    int schemaVersion() const;
    QString journalMode() const;

    qint64 createConversation(const QString& title, const QString& model = {});
    void renameConversation(qint64 conversationId, const QString& title);
    // Removes the conversation, its messages and their words from the search index, then
    // checkpoints the WAL so the text is gone from the files on disk too.
    void deleteConversation(qint64 conversationId);
    QList<StoredConversation> conversations() const; // most recent activity first
    std::optional<StoredConversation> conversation(qint64 conversationId) const;

    qint64 appendMessage(qint64 conversationId, MessageRole role, const QString& text,
                         MessageState state = MessageState::Complete, const QString& model = {},
                         const QJsonObject& settings = {});
    // The streaming path: replaces the text of a reply that is still being generated.
    void updateMessageText(qint64 messageId, const QString& text, MessageState state);
    void finishMessage(qint64 messageId, const QString& text, MessageState state,
                       const MessageFigures& figures);
    // Deletes `messageId` and every later message of its conversation (edit & resend, regenerate).
    void deleteMessagesFrom(qint64 messageId);
    QList<StoredMessage> messages(qint64 conversationId) const;
    std::optional<StoredMessage> message(qint64 messageId) const;

    // Full-text search over every message; `query` is plain words (no FTS syntax needed).
    QList<SearchHit> search(const QString& query, int limit = 50) const;

    QString exportMarkdown(qint64 conversationId) const;
    QByteArray exportJson(qint64 conversationId) const;

    // For tests of the migrations: creates an empty database at the given older schema version.
    static void createAtSchemaVersion(const QString& path, int version);

private:
    QSqlDatabase db() const;
    void touchConversation(qint64 conversationId, qint64 nowMs);
    [[noreturn]] void fail(const QString& what, const QString& detail) const;

    QString path_;
    QString connectionName_;
};

} // namespace tern::app
