// The chat history database: schema and migrations, WAL, ordering, search, export, deletion
// that really deletes, and the streaming writer.
#include "history_store.h"
#include "streaming_reply_writer.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>

#include <gtest/gtest.h>

#include <functional>
#include <memory>

using namespace tern::app;

namespace {

class HistoryStoreTest : public ::testing::Test {
protected:
    QString dbPath() const { return dir.filePath(QStringLiteral("history.sqlite3")); }

    // Runs raw SQL on the file through a separate connection, as another program would.
    void rawExec(const QStringList& statements) {
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            db.setDatabaseName(dbPath());
            ASSERT_TRUE(db.open());
            QSqlQuery q(db);
            for (const QString& sql : statements) {
                ASSERT_TRUE(q.exec(sql)) << sql.toStdString();
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    }

    QByteArray fileBytes() const {
        QByteArray all;
        for (const QString& suffix : {QString(), QStringLiteral("-wal")}) {
            QFile f(dbPath() + suffix);
            if (f.open(QIODevice::ReadOnly)) {
                all += f.readAll();
            }
        }
        return all;
    }

    QTemporaryDir dir;
};

void spinEventLoop(int ms) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(1);
    }
}

// Processes events until `done()` holds or `deadlineMs` passes; returns done(). For outcomes that
// must happen eventually (a timer firing): a generous deadline instead of a fixed sleep, so a
// starved process still sees the event, and a quiet one does not wait for the deadline.
bool processEventsUntil(const std::function<bool()>& done, int deadlineMs = 30000) {
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < deadlineMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(1);
    }
    return done();
}

TEST_F(HistoryStoreTest, NewDatabaseUsesWalAndTheLatestSchema) {
    HistoryStore store(dbPath());
    EXPECT_EQ(store.journalMode(), QStringLiteral("wal"));
    EXPECT_EQ(store.schemaVersion(), HistoryStore::latestSchemaVersion());
    EXPECT_GE(HistoryStore::latestSchemaVersion(), 2);
    EXPECT_TRUE(QFile::exists(dbPath()));
}

TEST_F(HistoryStoreTest, DefaultPathIsInTheApplicationDataFolder) {
    EXPECT_TRUE(HistoryStore::defaultPath().endsWith(QStringLiteral("/history.sqlite3")));
    EXPECT_TRUE(HistoryStore::defaultPath().contains(QCoreApplication::applicationName()));
}

TEST_F(HistoryStoreTest, MigratesAVersion1DatabaseAndIndexesItsMessages) {
    HistoryStore::createAtSchemaVersion(dbPath(), 1);
    rawExec({QStringLiteral("INSERT INTO conversations(id, title, created_at, updated_at) VALUES (7, 'old', 1, 1)"),
             QStringLiteral("INSERT INTO messages(conversation_id, role, text, created_at, updated_at)"
                            " VALUES (7, 'user', 'a message about albatrosses', 1, 1)")});
    HistoryStore store(dbPath());
    EXPECT_EQ(store.schemaVersion(), 2);
    const QList<SearchHit> hits = store.search(QStringLiteral("albatross"));
    ASSERT_EQ(hits.size(), 1);
    EXPECT_EQ(hits[0].conversationId, 7);
    EXPECT_EQ(hits[0].conversationTitle, QStringLiteral("old"));
    ASSERT_EQ(store.messages(7).size(), 1);
}

TEST_F(HistoryStoreTest, RefusesADatabaseFromANewerTern) {
    { HistoryStore store(dbPath()); }
    rawExec({QStringLiteral("UPDATE schema_version SET version = 99")});
    try {
        HistoryStore store(dbPath());
        FAIL() << "opened a database from the future";
    } catch (const HistoryError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(dbPath().toStdString()), std::string::npos) << message;
        EXPECT_NE(message.find("newer Tern"), std::string::npos) << message;
    }
}

TEST_F(HistoryStoreTest, RefusesADatabaseThatIsNotATernHistory) {
    rawExec({QStringLiteral("CREATE TABLE recipes (name TEXT)")});
    try {
        HistoryStore store(dbPath());
        FAIL() << "opened someone else's database";
    } catch (const HistoryError& e) {
        EXPECT_NE(std::string(e.what()).find("not a Tern history"), std::string::npos) << e.what();
    }
}

TEST_F(HistoryStoreTest, RefusesAFileThatIsNotADatabase) {
    QFile f(dbPath());
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(4096, 'x'));
    f.close();
    try {
        HistoryStore store(dbPath());
        FAIL() << "opened a file of x's";
    } catch (const HistoryError& e) {
        EXPECT_NE(std::string(e.what()).find(dbPath().toStdString()), std::string::npos) << e.what();
    }
}

TEST_F(HistoryStoreTest, ConversationsAreSortedByLastActivity) {
    HistoryStore store(dbPath());
    const qint64 first = store.createConversation(QStringLiteral("first"));
    QThread::msleep(3);
    const qint64 second = store.createConversation(QStringLiteral("second"));
    QThread::msleep(3);
    ASSERT_EQ(store.conversations().first().id, second);
    store.appendMessage(first, MessageRole::User, QStringLiteral("hello again"));
    const QList<StoredConversation> list = store.conversations();
    ASSERT_EQ(list.size(), 2);
    EXPECT_EQ(list[0].id, first);
    EXPECT_EQ(list[0].messageCount, 1);
    EXPECT_EQ(list[1].id, second);
    store.renameConversation(second, QStringLiteral("renamed"));
    EXPECT_EQ(store.conversation(second)->title, QStringLiteral("renamed"));
}

TEST_F(HistoryStoreTest, MessagesKeepRoleTextModelSettingsAndFigures) {
    HistoryStore store(dbPath());
    const qint64 c = store.createConversation(QStringLiteral("t"), QStringLiteral("demo"));
    store.appendMessage(c, MessageRole::User, QStringLiteral("Grüße, 世界 🌍"));
    const QJsonObject settings{{QStringLiteral("temperature"), 0.7}, {QStringLiteral("top_k"), 40}};
    const qint64 reply = store.appendMessage(c, MessageRole::Assistant, {}, MessageState::Streaming,
                                             QStringLiteral("BitNet 2B"), settings);
    MessageFigures f;
    f.promptTokens = 12;
    f.generatedTokens = 34;
    f.tokensPerSecond = 21.5;
    f.promptTokensPerSecond = 150.25;
    f.secondsToFirstToken = 0.125;
    store.finishMessage(reply, QStringLiteral("Hi!"), MessageState::Complete, f);

    const QList<StoredMessage> messages = store.messages(c);
    ASSERT_EQ(messages.size(), 2);
    EXPECT_EQ(messages[0].role, MessageRole::User);
    EXPECT_EQ(messages[0].text, QStringLiteral("Grüße, 世界 🌍"));
    EXPECT_EQ(messages[1].role, MessageRole::Assistant);
    EXPECT_EQ(messages[1].state, MessageState::Complete);
    EXPECT_EQ(messages[1].model, QStringLiteral("BitNet 2B"));
    EXPECT_EQ(messages[1].settings, settings);
    EXPECT_EQ(messages[1].figures.generatedTokens, 34);
    EXPECT_DOUBLE_EQ(messages[1].figures.tokensPerSecond, 21.5);
    EXPECT_DOUBLE_EQ(messages[1].figures.promptTokensPerSecond, 150.25);
    EXPECT_LE(messages[0].createdAt, messages[1].updatedAt);
}

TEST_F(HistoryStoreTest, SearchFindsWordsAndPrefixesAndToleratesSymbols) {
    HistoryStore store(dbPath());
    const qint64 a = store.createConversation(QStringLiteral("Kernels"));
    const qint64 b = store.createConversation(QStringLiteral("Birds"));
    store.appendMessage(a, MessageRole::User, QStringLiteral("How fast is the ternary generation?"));
    store.appendMessage(b, MessageRole::Assistant, QStringLiteral("Terns migrate from pole to pole."));
    const QList<SearchHit> hits = store.search(QStringLiteral("gener"));
    ASSERT_EQ(hits.size(), 1);
    EXPECT_EQ(hits[0].conversationId, a);
    EXPECT_TRUE(hits[0].snippet.contains(QStringLiteral("[generation]"))) << hits[0].snippet.toStdString();
    EXPECT_EQ(store.search(QStringLiteral("pole")).size(), 1);
    EXPECT_TRUE(store.search(QStringLiteral("C++ \"quoted\" AND (")).isEmpty());
    EXPECT_TRUE(store.search(QStringLiteral("   ")).isEmpty());
}

TEST_F(HistoryStoreTest, SearchFollowsEditedText) {
    HistoryStore store(dbPath());
    const qint64 c = store.createConversation(QStringLiteral("t"));
    const qint64 m = store.appendMessage(c, MessageRole::Assistant, QStringLiteral("draft"), MessageState::Streaming);
    store.updateMessageText(m, QStringLiteral("final pelican"), MessageState::Streaming);
    EXPECT_TRUE(store.search(QStringLiteral("draft")).isEmpty());
    EXPECT_EQ(store.search(QStringLiteral("pelican")).size(), 1);
}

TEST_F(HistoryStoreTest, DeletingAConversationRemovesItsTextFromTheFiles) {
    const QByteArray marker = "zanzibarquokka";
    {
        HistoryStore store(dbPath());
        const qint64 keep = store.createConversation(QStringLiteral("keep"));
        store.appendMessage(keep, MessageRole::User, QStringLiteral("ordinary words"));
        const qint64 gone = store.createConversation(QStringLiteral("secret"));
        for (int i = 0; i < 20; ++i) {
            store.appendMessage(gone, MessageRole::User, QStringLiteral("my %1 number %2").arg(QString::fromLatin1(marker)).arg(i));
        }
        ASSERT_TRUE(fileBytes().contains(marker)) << "the marker should be on disk before the delete";
        store.deleteConversation(gone);
        EXPECT_TRUE(store.messages(gone).isEmpty());
        EXPECT_FALSE(store.conversation(gone).has_value());
        EXPECT_TRUE(store.search(QString::fromLatin1(marker)).isEmpty());
        EXPECT_EQ(store.conversations().size(), 1);
        EXPECT_FALSE(fileBytes().contains(marker)) << "deleted text is still in the database files";
    }
    EXPECT_FALSE(fileBytes().contains(marker));
}

TEST_F(HistoryStoreTest, DeleteMessagesFromRemovesThatMessageAndLaterOnes) {
    HistoryStore store(dbPath());
    const qint64 c = store.createConversation(QStringLiteral("t"));
    const qint64 other = store.createConversation(QStringLiteral("other"));
    store.appendMessage(c, MessageRole::User, QStringLiteral("one"));
    const qint64 two = store.appendMessage(c, MessageRole::Assistant, QStringLiteral("two"));
    store.appendMessage(other, MessageRole::User, QStringLiteral("elsewhere"));
    store.appendMessage(c, MessageRole::User, QStringLiteral("three"));
    store.deleteMessagesFrom(two);
    const QList<StoredMessage> left = store.messages(c);
    ASSERT_EQ(left.size(), 1);
    EXPECT_EQ(left[0].text, QStringLiteral("one"));
    EXPECT_EQ(store.messages(other).size(), 1);
}

TEST_F(HistoryStoreTest, ExportsMarkdownAndJson) {
    HistoryStore store(dbPath());
    const qint64 c = store.createConversation(QStringLiteral("Sea birds"));
    store.appendMessage(c, MessageRole::User, QStringLiteral("What is a tern?"));
    const qint64 r = store.appendMessage(c, MessageRole::Assistant, {}, MessageState::Streaming, QStringLiteral("demo"));
    MessageFigures f;
    f.generatedTokens = 5;
    f.tokensPerSecond = 10;
    store.finishMessage(r, QStringLiteral("A sea bird.\n\n```\ncode\n```"), MessageState::Complete, f);

    const QString md = store.exportMarkdown(c);
    EXPECT_TRUE(md.startsWith(QStringLiteral("# Sea birds\n"))) << md.toStdString();
    EXPECT_TRUE(md.contains(QStringLiteral("## You\n\nWhat is a tern?\n")));
    EXPECT_TRUE(md.contains(QStringLiteral("## Assistant\n\nA sea bird.\n\n```\ncode\n```\n")));
    EXPECT_TRUE(md.contains(QStringLiteral("demo · 5 tokens · 10.0 tokens/s")));

    const QJsonObject json = QJsonDocument::fromJson(store.exportJson(c)).object();
    EXPECT_EQ(json[QStringLiteral("title")].toString(), QStringLiteral("Sea birds"));
    const QJsonArray messages = json[QStringLiteral("messages")].toArray();
    ASSERT_EQ(messages.size(), 2);
    EXPECT_EQ(messages[0].toObject()[QStringLiteral("role")].toString(), QStringLiteral("user"));
    EXPECT_EQ(messages[1].toObject()[QStringLiteral("figures")].toObject()[QStringLiteral("generated_tokens")].toInt(), 5);
    EXPECT_THROW(store.exportJson(12345), HistoryError);
}

TEST_F(HistoryStoreTest, StreamingWriterKeepsTheDiskWithinItsInterval) {
    HistoryStore store(dbPath());
    const qint64 c = store.createConversation(QStringLiteral("t"));
    // The first piece is not written at once: it arrives well within the interval of the writer's
    // creation. That holds only if this thread really appended within 200 ms, which a starved
    // process may not: `sinceCreated` starts before the writer's own clock, so when it reads
    // < 200 ms the writer's does too and a write would be a bug. Otherwise try again.
    std::unique_ptr<StreamingReplyWriter> created;
    qint64 m = 0;
    for (int attempt = 0; attempt < 100 && !created; ++attempt) {
        m = store.appendMessage(c, MessageRole::Assistant, {}, MessageState::Streaming);
        QElapsedTimer sinceCreated;
        sinceCreated.start();
        auto candidate = std::make_unique<StreamingReplyWriter>(store, m, 200);
        candidate->append(QStringLiteral("a"));
        if (sinceCreated.elapsed() < 200) {
            EXPECT_EQ(candidate->writes(), 0) << "the first piece is not written at once";
            EXPECT_EQ(store.message(m)->text, QString()) << "the first piece is not written at once";
            created = std::move(candidate);
        }
    }
    ASSERT_TRUE(created) << "could not append within 200 ms of creating a writer in 100 tries";
    StreamingReplyWriter& writer = *created;
    // A quiet stretch after one piece: the timer must still write it (nothing else can).
    EXPECT_TRUE(processEventsUntil([&] { return store.message(m)->text == QStringLiteral("a"); }))
        << "the timer never wrote the first piece";
    EXPECT_EQ(writer.writes(), 1);
    QElapsedTimer streaming;
    streaming.start();
    for (int i = 0; i < 40; ++i) {
        writer.append(QStringLiteral("b"));
        spinEventLoop(10);
        // Whatever is on disk is a prefix of the reply (never a torn or reordered write).
        ASSERT_TRUE(writer.text().startsWith(store.message(m)->text));
    }
    // Coalesced: about one write per interval, not one per piece (bounds scale with the time
    // the loop really took, so a loaded machine does not fail the test).
    const qint64 elapsed = streaming.elapsed();
    EXPECT_GE(writer.writes(), 2);
    EXPECT_LE(writer.writes(), 2 + elapsed / 200 + 1);
    EXPECT_LT(writer.writes(), 40);
    // A quiet stretch after the last piece: the timer writes everything.
    EXPECT_TRUE(processEventsUntil([&] { return store.message(m)->text == writer.text(); }))
        << "the timer never wrote the last pieces";
    MessageFigures f;
    f.generatedTokens = 41;
    writer.finish(MessageState::Stopped, f);
    EXPECT_EQ(store.message(m)->text, QStringLiteral("a") + QString(40, QLatin1Char('b')));
    EXPECT_EQ(store.message(m)->state, MessageState::Stopped);
    EXPECT_EQ(store.message(m)->figures.generatedTokens, 41);
}

} // namespace
