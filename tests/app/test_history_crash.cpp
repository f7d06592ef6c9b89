// A child process streams a reply into the history and is killed with SIGKILL mid-reply (on
// Windows: TerminateProcess, the same abrupt end). The database must afterwards be consistent
// and hold every piece the child emitted more than a second before it died.
#include "history_store.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <map>

#ifndef _WIN32
#include <csignal>
#include <sys/types.h>
#endif

using namespace tern::app;

namespace {

QString integrityCheck(const QString& path) {
    QString result;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next()) {
                result = q.value(0).toString();
            }
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
    return result;
}

void hardKill(QProcess& process) {
#ifndef _WIN32
    ::kill(static_cast<pid_t>(process.processId()), SIGKILL);
#else
    process.kill(); // TerminateProcess: no cleanup, like SIGKILL
#endif
}

TEST(HistoryCrash, AKilledWriterLosesAtMostTheLastSecond) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite3"));
    QProcess child;
    child.start(QStringLiteral(TERN_HISTORY_CRASH_CHILD), {path});
    ASSERT_TRUE(child.waitForStarted(10000)) << child.errorString().toStdString();

    QElapsedTimer clock;
    clock.start();
    std::map<int, qint64> receivedAt; // piece count -> when the parent saw it (ms)
    qint64 conversation = 0;
    qint64 firstPieceAt = -1;
    // Let it stream for 2.5 s of pieces, then kill it without warning.
    while (firstPieceAt < 0 || clock.elapsed() - firstPieceAt < 2500) {
        ASSERT_LT(clock.elapsed(), 30000) << "the child did not stream; stderr: "
                                          << child.readAllStandardError().toStdString();
        if (!child.canReadLine() && !child.waitForReadyRead(200)) {
            ASSERT_EQ(child.state(), QProcess::Running) << child.readAllStandardError().toStdString();
            continue;
        }
        while (child.canReadLine()) {
            const QByteArray line = child.readLine().trimmed();
            if (line.startsWith("ready ")) {
                conversation = line.mid(6).toLongLong();
            } else if (line.startsWith("emitted ")) {
                receivedAt[line.mid(8).toInt()] = clock.elapsed();
                if (firstPieceAt < 0) {
                    firstPieceAt = clock.elapsed();
                }
            }
        }
    }
    const qint64 killedAt = clock.elapsed();
    hardKill(child);
    ASSERT_TRUE(child.waitForFinished(10000));
    EXPECT_EQ(child.exitStatus(), QProcess::CrashExit);
    ASSERT_GT(conversation, 0);

    EXPECT_EQ(integrityCheck(path), QStringLiteral("ok"));
    HistoryStore store(path); // must open (and recover the WAL) without complaint
    const QList<StoredMessage> messages = store.messages(conversation);
    ASSERT_EQ(messages.size(), 2);
    EXPECT_EQ(messages[0].text, QStringLiteral("Tell me a story"));
    EXPECT_EQ(messages[1].role, MessageRole::Assistant);
    EXPECT_EQ(messages[1].state, MessageState::Streaming) << "a reply cut off by a crash stays marked";

    // The stored reply is a prefix of what was generated, cut at a piece boundary...
    const QString stored = messages[1].text;
    QString expected;
    int storedPieces = 0;
    while (expected.size() < stored.size()) {
        expected += QStringLiteral("word%1 ").arg(storedPieces++);
    }
    ASSERT_EQ(stored, expected) << "the stored reply is not a clean prefix";
    // ...holding every piece the parent saw more than a second before the kill.
    int mustHave = 0;
    for (const auto& [count, at] : receivedAt) {
        if (at <= killedAt - 1000) {
            mustHave = count;
        }
    }
    ASSERT_GT(mustHave, 20) << "the child streamed too slowly for the test to mean anything";
    EXPECT_GE(storedPieces, mustHave) << "more than the last second was lost: stored "
                                      << storedPieces << " pieces, emitted " << receivedAt.rbegin()->first;
}

} // namespace
