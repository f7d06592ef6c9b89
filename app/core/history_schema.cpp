#include "history_schema.h"

#include "history_types.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <vector>

namespace tern::app::schema {
namespace {

// Each entry takes the database from version (index) to version (index + 1). Never edit a
// shipped migration: users have databases made by it. Add a new one instead.
const std::vector<QStringList>& migrations() {
    static const std::vector<QStringList> steps = {
        // 1: conversations and messages. AUTOINCREMENT: an id is never reused, so an export or
        // an undo that refers to a deleted message can never hit a newer one.
        {
            QStringLiteral("CREATE TABLE conversations ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " title TEXT NOT NULL,"
                           " created_at INTEGER NOT NULL," // ms since the epoch, UTC
                           " updated_at INTEGER NOT NULL,"
                           " model TEXT NOT NULL DEFAULT '')"),
            QStringLiteral("CREATE INDEX conversations_by_activity ON conversations(updated_at DESC)"),
            QStringLiteral("CREATE TABLE messages ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " conversation_id INTEGER NOT NULL"
                           "   REFERENCES conversations(id) ON DELETE CASCADE,"
                           " role TEXT NOT NULL CHECK (role IN ('system','user','assistant')),"
                           " text TEXT NOT NULL,"
                           " state TEXT NOT NULL DEFAULT 'complete'"
                           "   CHECK (state IN ('complete','streaming','stopped','failed')),"
                           " created_at INTEGER NOT NULL,"
                           " updated_at INTEGER NOT NULL,"
                           " model TEXT NOT NULL DEFAULT '',"
                           " settings_json TEXT NOT NULL DEFAULT '{}',"
                           " prompt_tokens INTEGER NOT NULL DEFAULT 0,"
                           " generated_tokens INTEGER NOT NULL DEFAULT 0,"
                           " prompt_tokens_per_second REAL NOT NULL DEFAULT 0,"
                           " tokens_per_second REAL NOT NULL DEFAULT 0,"
                           " seconds_to_first_token REAL NOT NULL DEFAULT 0)"),
            QStringLiteral("CREATE INDEX messages_by_conversation ON messages(conversation_id, id)"),
        },
        // 2: full-text search. The index holds words only (external content), kept in step with
        // the messages by triggers; the last statement indexes messages written by version 1.
        {
            QStringLiteral("CREATE VIRTUAL TABLE messages_fts USING fts5("
                           " text, content='messages', content_rowid='id',"
                           " tokenize='unicode61 remove_diacritics 2')"),
            QStringLiteral("CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
                           " INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);"
                           " END"),
            QStringLiteral("CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
                           " INSERT INTO messages_fts(messages_fts, rowid, text)"
                           "   VALUES ('delete', old.id, old.text);"
                           " END"),
            QStringLiteral("CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN"
                           " INSERT INTO messages_fts(messages_fts, rowid, text)"
                           "   VALUES ('delete', old.id, old.text);"
                           " INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);"
                           " END"),
            QStringLiteral("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')"),
        },
    };
    return steps;
}

[[noreturn]] void fail(const QString& path, const QString& what) {
    throw HistoryError(QStringLiteral("history database %1: %2").arg(path, what).toStdString());
}

void exec(QSqlDatabase& db, const QString& path, const QString& sql) {
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        fail(path, QStringLiteral("%1 (in: %2)").arg(query.lastError().text(), sql.left(80)));
    }
}

} // namespace

int latestVersion() {
    return static_cast<int>(migrations().size());
}

int currentVersion(QSqlDatabase& db, const QString& path) {
    const QStringList tables = db.tables();
    if (!tables.contains(QStringLiteral("schema_version"))) {
        if (!tables.isEmpty()) {
            fail(path, QStringLiteral("this is not a Tern history (it has tables but no "
                                      "schema_version); move it away or choose another file"));
        }
        return 0;
    }
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT version FROM schema_version")) || !query.next()) {
        fail(path, QStringLiteral("the schema_version table is empty or unreadable: %1")
                       .arg(query.lastError().text()));
    }
    return query.value(0).toInt();
}

void migrate(QSqlDatabase& db, const QString& path, int target) {
    const int current = currentVersion(db, path);
    if (current > latestVersion()) {
        fail(path, QStringLiteral("it was written by a newer Tern (schema version %1; this Tern "
                                  "knows up to %2); update Tern to open it")
                       .arg(current)
                       .arg(latestVersion()));
    }
    for (int version = current; version < target; ++version) {
        if (!db.transaction()) {
            fail(path, QStringLiteral("cannot start a migration: %1").arg(db.lastError().text()));
        }
        try {
            if (version == 0) {
                exec(db, path, QStringLiteral("CREATE TABLE schema_version (version INTEGER NOT NULL)"));
                exec(db, path, QStringLiteral("INSERT INTO schema_version(version) VALUES (0)"));
            }
            for (const QString& sql : migrations()[static_cast<size_t>(version)]) {
                exec(db, path, sql);
            }
            exec(db, path, QStringLiteral("UPDATE schema_version SET version = %1").arg(version + 1));
        } catch (...) {
            db.rollback();
            throw;
        }
        if (!db.commit()) {
            fail(path, QStringLiteral("cannot commit migration %1: %2")
                           .arg(version + 1)
                           .arg(db.lastError().text()));
        }
    }
}

} // namespace tern::app::schema
