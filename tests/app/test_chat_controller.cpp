// ChatController with a scripted backend on the real worker thread: model loading, the
// composer's blocked state, streaming into the view and the history, stop within one token,
// regenerate, edit & resend, delete with undo, search and export.
#include "chat_controller.h"
#include "scripted_backend.h"
#include "settings_controller.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

using namespace tern::app;
using tern::app::testing::Script;
using tern::app::testing::ScriptedBackend;

namespace {

class ChatControllerTest : public ::testing::Test {
protected:
    void SetUp() override {
        store = std::make_unique<HistoryStore>(dir.filePath(QStringLiteral("history.sqlite3")));
        settings = std::make_unique<SettingsController>(
            std::make_unique<QSettings>(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat));
        script = std::make_shared<Script>();
        chat = std::make_unique<ChatController>(*store, *settings, std::make_unique<ScriptedBackend>(script));
        convTester = std::make_unique<QAbstractItemModelTester>(&chat->conversationModel(),
                                                                QAbstractItemModelTester::FailureReportingMode::Fatal);
        msgTester = std::make_unique<QAbstractItemModelTester>(&chat->messageModel(),
                                                               QAbstractItemModelTester::FailureReportingMode::Fatal);
    }
    void TearDown() override {
        msgTester.reset();
        convTester.reset();
        chat.reset();
    }

    void loadModel() {
        chat->loadModel(dir.filePath(QStringLiteral("model.gguf")));
        ASSERT_TRUE(QTest::qWaitFor([&] { return chat->modelState() == QLatin1String("ready"); }, 5000));
    }
    // Sends and waits for the reply to finish; returns the reply's final state.
    QString sendAndWait(const QString& text) {
        QSignalSpy finished(chat.get(), &ChatController::replyFinished);
        EXPECT_TRUE(chat->send(text));
        EXPECT_TRUE(finished.wait(10000));
        return finished.isEmpty() ? QString() : finished.first().at(1).toString();
    }
    QString messageText(int row) const {
        return chat->messageModel().data(chat->messageModel().index(row), MessageListModel::TextRole).toString();
    }

    QTemporaryDir dir;
    std::unique_ptr<HistoryStore> store;
    std::unique_ptr<SettingsController> settings;
    std::shared_ptr<Script> script;
    std::unique_ptr<ChatController> chat;
    std::unique_ptr<QAbstractItemModelTester> convTester;
    std::unique_ptr<QAbstractItemModelTester> msgTester;
};

TEST_F(ChatControllerTest, WithoutAModelTheComposerSaysWhyAndRefuses) {
    EXPECT_EQ(chat->modelState(), QStringLiteral("none"));
    EXPECT_TRUE(chat->composerBlockedReason().contains(QStringLiteral("No model")));
    EXPECT_GT(chat->residentMemoryBytes(), 1e6) << "the status strip's memory figure";
    EXPECT_FALSE(chat->send(QStringLiteral("hello")));
    EXPECT_EQ(chat->messageModel().rowCount(), 0);
    EXPECT_TRUE(store->conversations().isEmpty());
}

TEST_F(ChatControllerTest, LoadingReportsProgressOnTheGuiThreadThenReady) {
    script->loadStepDelayMs = 10;
    QSignalSpy progress(chat.get(), &ChatController::loadProgressChanged);
    chat->loadModel(dir.filePath(QStringLiteral("model.gguf")));
    EXPECT_EQ(chat->modelState(), QStringLiteral("loading"));
    EXPECT_TRUE(chat->composerBlockedReason().startsWith(QStringLiteral("Loading")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return chat->modelState() == QLatin1String("ready"); }, 5000));
    EXPECT_GE(progress.count(), 5);
    EXPECT_DOUBLE_EQ(chat->loadProgress(), 1.0);
    EXPECT_EQ(chat->kernelVariant(), QStringLiteral("scalar-test"));
    EXPECT_EQ(chat->contextSize(), 2048) << "the model's own context when the setting is 0";
    EXPECT_TRUE(chat->composerBlockedReason().isEmpty());
    EXPECT_EQ(settings->lastModelPath(), dir.filePath(QStringLiteral("model.gguf")));
}

TEST_F(ChatControllerTest, AFailedLoadShowsTheEnginesMessage) {
    chat->loadModel(QStringLiteral("/nowhere/missing.gguf"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return chat->modelState() == QLatin1String("failed"); }, 5000));
    EXPECT_TRUE(chat->errorMessage().contains(QStringLiteral("/nowhere/missing.gguf: no such file")))
        << chat->errorMessage().toStdString();
    EXPECT_FALSE(chat->composerBlockedReason().isEmpty());
    chat->dismissError();
    EXPECT_TRUE(chat->errorMessage().isEmpty());
}

TEST_F(ChatControllerTest, CancellingALoadLeavesNoModelAndNoError) {
    script->loadStepDelayMs = 50;
    chat->loadModel(dir.filePath(QStringLiteral("model.gguf")));
    QTest::qWait(60);
    chat->cancelLoad();
    ASSERT_TRUE(QTest::qWaitFor([&] { return chat->modelState() == QLatin1String("none"); }, 5000));
    EXPECT_TRUE(chat->errorMessage().isEmpty());
}

TEST_F(ChatControllerTest, ARepliesStreamsIntoTheViewAndTheHistory) {
    loadModel();
    script->tokenDelayMs = 15;
    script->extraTokens = 20;
    QSignalSpy textChanges(&chat->messageModel(), &QAbstractItemModel::dataChanged);
    QStringList titles;
    QObject::connect(chat.get(), &ChatController::currentConversationChanged, [&] { titles << chat->currentTitle(); });
    EXPECT_EQ(sendAndWait(QStringLiteral("hello tern")), QStringLiteral("complete"));
    ASSERT_FALSE(titles.isEmpty());
    EXPECT_EQ(titles.first(), QStringLiteral("hello tern")) << "the header shows the new title at once";
    EXPECT_GE(textChanges.count(), 3) << "the reply should appear piece by piece";

    ASSERT_EQ(chat->messageModel().rowCount(), 2);
    QString expected = QStringLiteral("Echo: hello tern");
    for (int i = 0; i < 20; ++i) {
        expected += QStringLiteral(" more%1").arg(i);
    }
    EXPECT_EQ(messageText(1), expected);
    ASSERT_NE(chat->currentConversationId(), 0);
    EXPECT_EQ(chat->currentTitle(), QStringLiteral("hello tern"));
    const QList<StoredMessage> stored = store->messages(chat->currentConversationId());
    ASSERT_EQ(stored.size(), 2);
    EXPECT_EQ(stored[1].text, expected);
    EXPECT_EQ(stored[1].state, MessageState::Complete);
    EXPECT_EQ(stored[1].figures.generatedTokens, 23);
    EXPECT_DOUBLE_EQ(stored[1].figures.tokensPerSecond, 100);
    EXPECT_EQ(stored[1].model, QStringLiteral("Scripted model"));
    EXPECT_DOUBLE_EQ(stored[1].settings[QStringLiteral("temperature")].toDouble(), settings->temperature());
    EXPECT_FALSE(chat->generating());
    EXPECT_DOUBLE_EQ(chat->tokensPerSecond(), 100);
    EXPECT_DOUBLE_EQ(chat->promptTokensPerSecond(), 500);
    EXPECT_GT(chat->contextUsed(), 0);
    EXPECT_FALSE(chat->speedHistory().isEmpty());
    EXPECT_EQ(chat->conversationModel().idAt(0), chat->currentConversationId());
}

TEST_F(ChatControllerTest, StopEndsTheReplyWithinOneToken) {
    loadModel();
    script->tokenDelayMs = 5;
    script->extraTokens = 2000;
    QSignalSpy finished(chat.get(), &ChatController::replyFinished);
    ASSERT_TRUE(chat->send(QStringLiteral("go")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return chat->messageModel().rowCount() == 2 && !messageText(1).isEmpty(); }, 5000));
    QTest::qWait(50);
    chat->stop();
    const QString shownAtStop = messageText(1);
    ASSERT_TRUE(finished.wait(5000));
    EXPECT_EQ(finished.first().at(1).toString(), QStringLiteral("stopped"));
    EXPECT_LE(script->piecesAfterCancel.load(), 1);
    EXPECT_EQ(messageText(1), shownAtStop) << "no text may appear after stop";
    const auto stored = store->message(finished.first().at(0).toLongLong());
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->text, shownAtStop);
    EXPECT_EQ(stored->state, MessageState::Stopped);
    EXPECT_LT(stored->text.size(), 2000 * 5) << "the reply was not cut short";
    EXPECT_FALSE(chat->generating());
}

TEST_F(ChatControllerTest, SystemPromptLeadsTheRequestAndHistoryFollows) {
    loadModel();
    settings->setSystemPrompt(QStringLiteral("Be brief."));
    sendAndWait(QStringLiteral("one"));
    sendAndWait(QStringLiteral("two"));
    std::lock_guard lock(script->mutex);
    const auto& m = script->lastRequest.messages;
    ASSERT_EQ(m.size(), 4u);
    EXPECT_EQ(m[0].role, "system");
    EXPECT_EQ(m[0].content, "Be brief.");
    EXPECT_EQ(m[1].content, "one");
    EXPECT_EQ(m[2].content, "Echo: one");
    EXPECT_EQ(m[3].content, "two");
    EXPECT_EQ(script->lastRequest.options.sampling.top_k, settings->topK());
}

TEST_F(ChatControllerTest, RegenerateReplacesTheLastReply) {
    loadModel();
    sendAndWait(QStringLiteral("question"));
    const qint64 firstReply = chat->messageModel().messages().last().id;
    QSignalSpy finished(chat.get(), &ChatController::replyFinished);
    ASSERT_TRUE(chat->regenerate());
    ASSERT_TRUE(finished.wait(5000));
    EXPECT_EQ(script->replies.load(), 2);
    const QList<StoredMessage> stored = store->messages(chat->currentConversationId());
    ASSERT_EQ(stored.size(), 2);
    EXPECT_NE(stored[1].id, firstReply);
    EXPECT_FALSE(store->message(firstReply).has_value());
    EXPECT_EQ(chat->messageModel().rowCount(), 2);
}

TEST_F(ChatControllerTest, EditAndResendDropsTheLaterMessages) {
    loadModel();
    sendAndWait(QStringLiteral("first"));
    sendAndWait(QStringLiteral("second"));
    const qint64 firstUser = chat->messageModel().messages().first().id;
    QSignalSpy finished(chat.get(), &ChatController::replyFinished);
    ASSERT_TRUE(chat->editAndResend(firstUser, QStringLiteral("edited")));
    ASSERT_TRUE(finished.wait(5000));
    const QList<StoredMessage> stored = store->messages(chat->currentConversationId());
    ASSERT_EQ(stored.size(), 2);
    EXPECT_EQ(stored[0].text, QStringLiteral("edited"));
    EXPECT_EQ(stored[1].text, QStringLiteral("Echo: edited"));
    EXPECT_FALSE(chat->editAndResend(stored[1].id, QStringLiteral("not a user message")));
}

TEST_F(ChatControllerTest, AFailedReplyIsMarkedAndShownAsABanner) {
    loadModel();
    script->failNextReply = true;
    EXPECT_EQ(sendAndWait(QStringLiteral("hi")), QStringLiteral("failed"));
    EXPECT_TRUE(chat->errorMessage().contains(QStringLiteral("context is full")));
    EXPECT_EQ(store->messages(chat->currentConversationId()).last().state, MessageState::Failed);
    // A failed reply is not sent back to the model as history.
    sendAndWait(QStringLiteral("again"));
    std::lock_guard lock(script->mutex);
    EXPECT_EQ(script->lastRequest.messages.size(), 2u);
}

TEST_F(ChatControllerTest, DeleteCanBeUndoneThenReallyDeletes) {
    loadModel();
    sendAndWait(QStringLiteral("keep me"));
    const qint64 keep = chat->currentConversationId();
    chat->newConversation();
    sendAndWait(QStringLiteral("delete me"));
    const qint64 gone = chat->currentConversationId();
    ASSERT_EQ(chat->conversationModel().rowCount(), 2);

    chat->deleteConversation(gone);
    EXPECT_EQ(chat->conversationModel().rowCount(), 1);
    EXPECT_EQ(chat->currentConversationId(), 0) << "the open conversation closes";
    EXPECT_EQ(chat->pendingDeleteTitle(), QStringLiteral("delete me"));
    chat->undoDelete();
    EXPECT_EQ(chat->conversationModel().rowCount(), 2);
    EXPECT_TRUE(store->conversation(gone).has_value());

    chat->deleteConversation(gone);
    chat->commitPendingDelete();
    EXPECT_FALSE(store->conversation(gone).has_value());
    EXPECT_TRUE(store->messages(gone).isEmpty());
    EXPECT_TRUE(store->conversation(keep).has_value());
    EXPECT_TRUE(chat->pendingDeleteTitle().isEmpty());
}

TEST_F(ChatControllerTest, SearchNarrowsTheSidebarWithSnippets) {
    loadModel();
    sendAndWait(QStringLiteral("tell me about puffins"));
    chat->newConversation();
    sendAndWait(QStringLiteral("and kittiwakes"));
    chat->setSearchText(QStringLiteral("puff"));
    ASSERT_EQ(chat->conversationModel().rowCount(), 1);
    const QString snippet = chat->conversationModel()
                                .data(chat->conversationModel().index(0), ConversationListModel::SnippetRole)
                                .toString();
    EXPECT_TRUE(snippet.contains(QStringLiteral("[puffins]"))) << snippet.toStdString();
    chat->setSearchText(QString());
    EXPECT_EQ(chat->conversationModel().rowCount(), 2);
}

TEST_F(ChatControllerTest, RenameAndSelectAndExport) {
    loadModel();
    sendAndWait(QStringLiteral("first chat"));
    const qint64 first = chat->currentConversationId();
    chat->newConversation();
    EXPECT_EQ(chat->messageModel().rowCount(), 0);
    chat->renameConversation(first, QStringLiteral("  Renamed   chat "));
    EXPECT_EQ(store->conversation(first)->title, QStringLiteral("Renamed chat"));
    chat->selectConversation(first);
    EXPECT_EQ(chat->messageModel().rowCount(), 2);
    EXPECT_EQ(chat->currentTitle(), QStringLiteral("Renamed chat"));

    const QString md = dir.filePath(QStringLiteral("out.md"));
    const QString json = dir.filePath(QStringLiteral("out.json"));
    ASSERT_TRUE(chat->exportConversation(first, QUrl::fromLocalFile(md).toString()));
    ASSERT_TRUE(chat->exportConversation(first, json));
    QFile mdFile(md);
    ASSERT_TRUE(mdFile.open(QIODevice::ReadOnly));
    EXPECT_TRUE(mdFile.readAll().startsWith("# Renamed chat"));
    QFile jsonFile(json);
    ASSERT_TRUE(jsonFile.open(QIODevice::ReadOnly));
    EXPECT_EQ(QJsonDocument::fromJson(jsonFile.readAll()).object()[QStringLiteral("title")].toString(),
              QStringLiteral("Renamed chat"));
    EXPECT_FALSE(chat->exportConversation(first, QStringLiteral("/nonexistent-dir/x.md")));
    EXPECT_TRUE(chat->errorMessage().contains(QStringLiteral("/nonexistent-dir/x.md")));
}

TEST_F(ChatControllerTest, SwitchingAwayWhileStreamingKeepsEveryWord) {
    loadModel();
    sendAndWait(QStringLiteral("older chat"));
    const qint64 older = chat->currentConversationId();
    chat->newConversation();
    script->tokenDelayMs = 5;
    script->extraTokens = 60;
    QSignalSpy finished(chat.get(), &ChatController::replyFinished);
    ASSERT_TRUE(chat->send(QStringLiteral("streaming chat")));
    const qint64 streaming = chat->currentConversationId();
    QTest::qWait(60);
    chat->selectConversation(older);
    QTest::qWait(40);
    chat->selectConversation(streaming);
    ASSERT_TRUE(finished.wait(5000));
    const QString stored = store->messages(streaming).last().text;
    EXPECT_TRUE(stored.endsWith(QStringLiteral("more59")));
    EXPECT_EQ(messageText(1), stored) << "the view must show exactly what was generated";
}

TEST(TitleFromFirstMessage, UsesTheFirstLineCutAtAWord) {
    EXPECT_EQ(titleFromFirstMessage(QStringLiteral("  Hello\nworld")), QStringLiteral("Hello"));
    EXPECT_EQ(titleFromFirstMessage(QStringLiteral("\n\n")), QStringLiteral("New chat"));
    const QString longText = QStringLiteral("word ").repeated(30);
    const QString title = titleFromFirstMessage(longText);
    EXPECT_LE(title.size(), 61);
    EXPECT_TRUE(title.endsWith(QStringLiteral("word…")));
}

} // namespace
