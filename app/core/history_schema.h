// The history database's schema as a list of migrations; version N is reached by applying
// migrations 1..N in order, each in its own transaction.
#pragma once

#include <QSqlDatabase>
#include <QString>

namespace tern::app::schema {

int latestVersion();
// Reads the version (0 for a new, empty database). Throws HistoryError.
int currentVersion(QSqlDatabase& db, const QString& path);
// Applies the migrations from the current version up to `target`. Throws HistoryError naming
// `path` when the database is newer than this program or a migration fails (rolled back).
void migrate(QSqlDatabase& db, const QString& path, int target);

} // namespace tern::app::schema
