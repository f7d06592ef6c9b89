#include "history_store.h"

#include "history_schema.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QVariant>

namespace tern::app {
namespace {

qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}

QDateTime fromMs(qint64 ms) {
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

// A null QString binds as SQL NULL; the schema wants '' for "no text".
QString nonNull(const QString& s) {
    return s.isNull() ? QString(QLatin1String("")) : s;
}

QString uniqueConnectionName() {
    static QAtomicInteger<int> counter;
    return QStringLiteral("tern-history-%1").arg(counter.fetchAndAddRelaxed(1));
}

// FTS5 query syntax would turn a user's "C++" or "don't" into a syntax error; quote every word
// and match word prefixes, so typing "gener" finds "generation".
QString ftsQuery(const QString& text) {
    QStringList terms;
    const QStringList words = text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    for (QString word : words) {
        word.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        terms << QStringLiteral("\"%1\"*").arg(word);
    }
    return terms.join(QLatin1Char(' '));
}

StoredMessage readMessage(const QSqlQuery& q) {
    StoredMessage m;
    m.id = q.value(0).toLongLong();
    m.conversationId = q.value(1).toLongLong();
    m.role = roleFromName(q.value(2).toString());
    m.text = q.value(3).toString();
    m.state = stateFromName(q.value(4).toString());
    m.createdAt = fromMs(q.value(5).toLongLong());
    m.updatedAt = fromMs(q.value(6).toLongLong());
    m.model = q.value(7).toString();
    m.settings = QJsonDocument::fromJson(q.value(8).toByteArray()).object();
    m.figures.promptTokens = q.value(9).toInt();
    m.figures.generatedTokens = q.value(10).toInt();
    m.figures.promptTokensPerSecond = q.value(11).toDouble();
    m.figures.tokensPerSecond = q.value(12).toDouble();
    m.figures.secondsToFirstToken = q.value(13).toDouble();
    return m;
}

const char* const kMessageColumns =
    "id, conversation_id, role, text, state, created_at, updated_at, model, settings_json,"
    " prompt_tokens, generated_tokens, prompt_tokens_per_second, tokens_per_second,"
    " seconds_to_first_token";

} // namespace

QString roleName(MessageRole role) {
    switch (role) {
    case MessageRole::System: return QStringLiteral("system");
    case MessageRole::User: return QStringLiteral("user");
    case MessageRole::Assistant: return QStringLiteral("assistant");
    }
    return QStringLiteral("user");
}

MessageRole roleFromName(const QString& name) {
    if (name == QLatin1String("system")) return MessageRole::System;
    if (name == QLatin1String("user")) return MessageRole::User;
    if (name == QLatin1String("assistant")) return MessageRole::Assistant;
    throw HistoryError(QStringLiteral("unknown message role '%1'").arg(name).toStdString());
}

QString stateName(MessageState state) {
    switch (state) {
    case MessageState::Complete: return QStringLiteral("complete");
    case MessageState::Streaming: return QStringLiteral("streaming");
    case MessageState::Stopped: return QStringLiteral("stopped");
    case MessageState::Failed: return QStringLiteral("failed");
    }
    return QStringLiteral("complete");
}

MessageState stateFromName(const QString& name) {
    if (name == QLatin1String("streaming")) return MessageState::Streaming;
    if (name == QLatin1String("stopped")) return MessageState::Stopped;
    if (name == QLatin1String("failed")) return MessageState::Failed;
    return MessageState::Complete;
}

HistoryStore::HistoryStore(const QString& path)
    : path_(path), connectionName_(uniqueConnectionName()) {
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        fail(QStringLiteral("cannot create its folder %1").arg(info.absolutePath()), {});
    }
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName_);
        database.setDatabaseName(path);
        if (!database.open()) {
            const QString error = database.lastError().text();
            database = QSqlDatabase();
            QSqlDatabase::removeDatabase(connectionName_);
            fail(QStringLiteral("cannot open it"), error);
        }
    }
    QSqlDatabase database = db();
    QSqlQuery q(database);
    // WAL: readers never block the writer and a commit is one append. NORMAL sync keeps every
    // committed transaction across an application crash (only a power cut can lose the last
    // ones), without an fsync per streamed update. secure_delete zeroes freed pages, so deleted
    // text does not linger in the file.
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                               "PRAGMA foreign_keys=ON", "PRAGMA secure_delete=ON",
                               "PRAGMA busy_timeout=2000"}) {
        if (!q.exec(QString::fromLatin1(pragma))) {
            const QString error = q.lastError().text();
            fail(QStringLiteral("%1 failed").arg(QString::fromLatin1(pragma)), error);
        }
    }
    if (journalMode() != QLatin1String("wal")) {
        fail(QStringLiteral("the file system does not support write-ahead logging"), journalMode());
    }
    schema::migrate(database, path_, schema::latestVersion());
}

HistoryStore::~HistoryStore() {
    {
        QSqlDatabase database = db();
        if (database.isOpen()) {
            database.close();
        }
    }
    QSqlDatabase::removeDatabase(connectionName_);
}

QString HistoryStore::defaultPath() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("history.sqlite3"));
}

int HistoryStore::latestSchemaVersion() {
    return schema::latestVersion();
}

QSqlDatabase HistoryStore::db() const {
    return QSqlDatabase::database(connectionName_, false);
}

void HistoryStore::fail(const QString& what, const QString& detail) const {
    QString message = QStringLiteral("history database %1: %2").arg(path_, what);
    if (!detail.isEmpty()) {
        message += QStringLiteral(": ") + detail;
    }
    throw HistoryError(message.toStdString());
}

int HistoryStore::schemaVersion() const {
    QSqlDatabase database = db();
    return schema::currentVersion(database, path_);
}

QString HistoryStore::journalMode() const {
    QSqlQuery q(db());
    if (!q.exec(QStringLiteral("PRAGMA journal_mode")) || !q.next()) {
        return {};
    }
    return q.value(0).toString().toLower();
}

void HistoryStore::createAtSchemaVersion(const QString& path, int version) {
    const QString name = uniqueConnectionName();
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        database.setDatabaseName(path);
        if (!database.open()) {
            throw HistoryError(QStringLiteral("history database %1: cannot open it: %2")
                                   .arg(path, database.lastError().text())
                                   .toStdString());
        }
        schema::migrate(database, path, version);
        database.close();
    }
    QSqlDatabase::removeDatabase(name);
}

void HistoryStore::touchConversation(qint64 conversationId, qint64 now) {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("UPDATE conversations SET updated_at = ? WHERE id = ?"));
    q.addBindValue(now);
    q.addBindValue(conversationId);
    if (!q.exec()) {
        fail(QStringLiteral("cannot update conversation %1").arg(conversationId), q.lastError().text());
    }
}

qint64 HistoryStore::createConversation(const QString& title, const QString& model) {
    const qint64 now = nowMs();
    QSqlQuery q(db());
    q.prepare(QStringLiteral("INSERT INTO conversations(title, created_at, updated_at, model) "
                             "VALUES (?, ?, ?, ?)"));
    q.addBindValue(nonNull(title));
    q.addBindValue(now);
    q.addBindValue(now);
    q.addBindValue(nonNull(model));
    if (!q.exec()) {
        fail(QStringLiteral("cannot create a conversation"), q.lastError().text());
    }
    return q.lastInsertId().toLongLong();
}

void HistoryStore::renameConversation(qint64 conversationId, const QString& title) {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("UPDATE conversations SET title = ? WHERE id = ?"));
    q.addBindValue(nonNull(title));
    q.addBindValue(conversationId);
    if (!q.exec()) {
        fail(QStringLiteral("cannot rename conversation %1").arg(conversationId), q.lastError().text());
    }
}

void HistoryStore::deleteConversation(qint64 conversationId) {
    QSqlDatabase database = db();
    if (!database.transaction()) {
        fail(QStringLiteral("cannot start a transaction"), database.lastError().text());
    }
    QSqlQuery q(database);
    // Messages first, one statement, so the FTS delete trigger sees each row's text.
    q.prepare(QStringLiteral("DELETE FROM messages WHERE conversation_id = ?"));
    q.addBindValue(conversationId);
    bool ok = q.exec();
    if (ok) {
        q.prepare(QStringLiteral("DELETE FROM conversations WHERE id = ?"));
        q.addBindValue(conversationId);
        ok = q.exec();
    }
    if (!ok || !database.commit()) {
        const QString error = q.lastError().text();
        database.rollback();
        fail(QStringLiteral("cannot delete conversation %1").arg(conversationId), error);
    }
    // FTS5 deletes add tombstones; the words stay in older index segments until a merge.
    // 'optimize' merges every segment, dropping them. Then the WAL, which still holds the old
    // pages, is copied back and truncated.
    QSqlQuery cleanup(database);
    cleanup.exec(QStringLiteral("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')"));
    cleanup.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
}

QList<StoredConversation> HistoryStore::conversations() const {
    QSqlQuery q(db());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral(
            "SELECT c.id, c.title, c.created_at, c.updated_at, c.model,"
            " (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)"
            " FROM conversations c ORDER BY c.updated_at DESC, c.id DESC"))) {
        fail(QStringLiteral("cannot list conversations"), q.lastError().text());
    }
    QList<StoredConversation> result;
    while (q.next()) {
        StoredConversation c;
        c.id = q.value(0).toLongLong();
        c.title = q.value(1).toString();
        c.createdAt = fromMs(q.value(2).toLongLong());
        c.updatedAt = fromMs(q.value(3).toLongLong());
        c.model = q.value(4).toString();
        c.messageCount = q.value(5).toInt();
        result.append(c);
    }
    return result;
}

std::optional<StoredConversation> HistoryStore::conversation(qint64 conversationId) const {
    for (const StoredConversation& c : conversations()) {
        if (c.id == conversationId) {
            return c;
        }
    }
    return std::nullopt;
}

qint64 HistoryStore::appendMessage(qint64 conversationId, MessageRole role, const QString& text,
                                   MessageState state, const QString& model,
                                   const QJsonObject& settings) {
    const qint64 now = nowMs();
    QSqlDatabase database = db();
    if (!database.transaction()) {
        fail(QStringLiteral("cannot start a transaction"), database.lastError().text());
    }
    QSqlQuery q(database);
    q.prepare(QStringLiteral("INSERT INTO messages(conversation_id, role, text, state, created_at,"
                             " updated_at, model, settings_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(conversationId);
    q.addBindValue(roleName(role));
    q.addBindValue(nonNull(text));
    q.addBindValue(stateName(state));
    q.addBindValue(now);
    q.addBindValue(now);
    q.addBindValue(nonNull(model));
    q.addBindValue(QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact)));
    if (!q.exec()) {
        const QString error = q.lastError().text();
        database.rollback();
        fail(QStringLiteral("cannot add a message to conversation %1").arg(conversationId), error);
    }
    const qint64 id = q.lastInsertId().toLongLong();
    touchConversation(conversationId, now);
    if (!database.commit()) {
        fail(QStringLiteral("cannot commit a message"), database.lastError().text());
    }
    return id;
}

void HistoryStore::updateMessageText(qint64 messageId, const QString& text, MessageState state) {
    finishMessage(messageId, text, state, MessageFigures{});
}

void HistoryStore::finishMessage(qint64 messageId, const QString& text, MessageState state,
                                 const MessageFigures& f) {
    const qint64 now = nowMs();
    QSqlDatabase database = db();
    if (!database.transaction()) {
        fail(QStringLiteral("cannot start a transaction"), database.lastError().text());
    }
    QSqlQuery q(database);
    q.prepare(QStringLiteral(
        "UPDATE messages SET text = ?, state = ?, updated_at = ?, prompt_tokens = ?,"
        " generated_tokens = ?, prompt_tokens_per_second = ?, tokens_per_second = ?,"
        " seconds_to_first_token = ? WHERE id = ?"));
    q.addBindValue(nonNull(text));
    q.addBindValue(stateName(state));
    q.addBindValue(now);
    q.addBindValue(f.promptTokens);
    q.addBindValue(f.generatedTokens);
    q.addBindValue(f.promptTokensPerSecond);
    q.addBindValue(f.tokensPerSecond);
    q.addBindValue(f.secondsToFirstToken);
    q.addBindValue(messageId);
    bool ok = q.exec();
    QString error = q.lastError().text();
    if (ok) {
        q.prepare(QStringLiteral("UPDATE conversations SET updated_at = ? WHERE id ="
                                 " (SELECT conversation_id FROM messages WHERE id = ?)"));
        q.addBindValue(now);
        q.addBindValue(messageId);
        ok = q.exec();
        error = q.lastError().text();
    }
    if (!ok || !database.commit()) {
        database.rollback();
        fail(QStringLiteral("cannot update message %1").arg(messageId), error);
    }
}

void HistoryStore::deleteMessagesFrom(qint64 messageId) {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("DELETE FROM messages WHERE conversation_id ="
                             " (SELECT conversation_id FROM messages WHERE id = ?) AND id >= ?"));
    q.addBindValue(messageId);
    q.addBindValue(messageId);
    if (!q.exec()) {
        fail(QStringLiteral("cannot delete messages from %1").arg(messageId), q.lastError().text());
    }
}

QList<StoredMessage> HistoryStore::messages(qint64 conversationId) const {
    QSqlQuery q(db());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE conversation_id = ? ORDER BY id")
                  .arg(QLatin1String(kMessageColumns)));
    q.addBindValue(conversationId);
    if (!q.exec()) {
        fail(QStringLiteral("cannot read conversation %1").arg(conversationId), q.lastError().text());
    }
    QList<StoredMessage> result;
    while (q.next()) {
        result.append(readMessage(q));
    }
    return result;
}

std::optional<StoredMessage> HistoryStore::message(qint64 messageId) const {
    QSqlQuery q(db());
    q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE id = ?").arg(QLatin1String(kMessageColumns)));
    q.addBindValue(messageId);
    if (!q.exec()) {
        fail(QStringLiteral("cannot read message %1").arg(messageId), q.lastError().text());
    }
    if (!q.next()) {
        return std::nullopt;
    }
    return readMessage(q);
}

QList<SearchHit> HistoryStore::search(const QString& text, int limit) const {
    const QString match = ftsQuery(text);
    if (match.isEmpty()) {
        return {};
    }
    QSqlQuery q(db());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral(
        "SELECT m.conversation_id, m.id, c.title,"
        " snippet(messages_fts, 0, '[', ']', '…', 12)"
        " FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid"
        " JOIN conversations c ON c.id = m.conversation_id"
        " WHERE messages_fts MATCH ? ORDER BY rank LIMIT ?"));
    q.addBindValue(match);
    q.addBindValue(limit);
    if (!q.exec()) {
        fail(QStringLiteral("search for '%1' failed").arg(text), q.lastError().text());
    }
    QList<SearchHit> hits;
    while (q.next()) {
        hits.append({q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(),
                     q.value(3).toString()});
    }
    return hits;
}

} // namespace tern::app
