// The chat on the real engine: a tiny synthetic model (random ternary weights, a real LLaMA
// SentencePiece vocabulary) loaded and run by EngineBackend on the worker thread, driven by
// ChatController as the app drives it. Checks loading with progress, streaming into the view and
// the history, stop within one token, and how long the GUI thread was ever blocked meanwhile.
#include "chat_controller.h"
#include "engine_backend.h"
#include "gui_stall_probe.h"
#include "settings_controller.h"

#include "tern/engine/synthetic_model.h"

#include <QElapsedTimer>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

#include <cstdio>

using namespace tern::app;

namespace {

class EngineChatTest : public ::testing::Test {
protected:
    void SetUp() override {
        modelPath = dir.filePath(QStringLiteral("tiny.gguf"));
        tern::engine::SyntheticModelSpec spec = tern::engine::synthetic_shape("tiny");
        spec.architecture = "llama";
        spec.vocab_from = TERN_SHARED_DATA_DIR "/vocab/ggml-vocab-llama-spm.gguf";
        spec.context_length = 512;
        spec.name = "Tiny test model";
        tern::engine::write_synthetic_model(spec, modelPath.toStdString());
        store = std::make_unique<HistoryStore>(dir.filePath(QStringLiteral("history.sqlite3")));
        settings = std::make_unique<SettingsController>(
            std::make_unique<QSettings>(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat));
        settings->setThreads(1);
        settings->setContextLength(512);
        chat = std::make_unique<ChatController>(*store, *settings, std::make_unique<EngineBackend>());
    }

    void loadModel() {
        chat->loadModel(modelPath);
        ASSERT_TRUE(QTest::qWaitFor([&] { return chat->modelState() != QLatin1String("loading"); }, 30000));
        ASSERT_EQ(chat->modelState(), QStringLiteral("ready")) << chat->errorMessage().toStdString();
    }

    QTemporaryDir dir;
    QString modelPath;
    std::unique_ptr<HistoryStore> store;
    std::unique_ptr<SettingsController> settings;
    std::unique_ptr<ChatController> chat;
};

TEST_F(EngineChatTest, LoadsStreamsStoresAndNeverBlocksTheGuiThread) {
    GuiStallProbe probe;
    probe.start();
    loadModel();
    EXPECT_EQ(chat->modelName(), QStringLiteral("Tiny test model"));
    EXPECT_FALSE(chat->kernelVariant().isEmpty());
    EXPECT_EQ(chat->contextSize(), 512);
    const double loadStall = probe.worstStallMs();

    probe.reset();
    settings->setMaxTokens(24);
    settings->setTemperature(0); // greedy: the same reply every run
    QSignalSpy finished(chat.get(), &ChatController::replyFinished);
    ASSERT_TRUE(chat->send(QStringLiteral("Hello there")));
    ASSERT_TRUE(finished.wait(60000));
    const double generationStall = probe.worstStallMs();
    std::printf("[ figures  ] worst GUI-thread stall: %.1f ms while loading, %.1f ms while generating\n",
                loadStall, generationStall);

    const QList<StoredMessage> stored = store->messages(chat->currentConversationId());
    ASSERT_EQ(stored.size(), 2);
    EXPECT_EQ(stored[1].state, MessageState::Complete);
    EXPECT_GT(stored[1].figures.generatedTokens, 0);
    EXPECT_LE(stored[1].figures.generatedTokens, 24);
    EXPECT_GT(stored[1].figures.tokensPerSecond, 0);
    EXPECT_EQ(chat->messageModel().messages().last().text, stored[1].text);
    EXPECT_GT(chat->contextUsed(), 0);
    EXPECT_GT(chat->promptTokensPerSecond(), 0);
    // A stall of half a second means work on the GUI thread, not scheduling noise.
    EXPECT_LT(loadStall, 500);
    EXPECT_LT(generationStall, 500);
}

TEST_F(EngineChatTest, StopTakesEffectWithinOneToken) {
    loadModel();
    settings->setMaxTokens(100000);
    QSignalSpy finished(chat.get(), &ChatController::replyFinished);
    ASSERT_TRUE(chat->send(QStringLiteral("Tell me everything")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return chat->tokensPerSecond() > 0; }, 30000));
    QTest::qWait(100);
    QElapsedTimer sinceStop;
    sinceStop.start();
    chat->stop();
    ASSERT_TRUE(finished.wait(10000));
    const qint64 stopMs = sinceStop.elapsed();
    const auto reply = store->message(finished.first().at(0).toLongLong());
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->state, MessageState::Stopped);
    const double msPerToken = 1000.0 / reply->figures.tokensPerSecond;
    std::printf("[ figures  ] stop answered in %lld ms; one token takes %.1f ms\n",
                static_cast<long long>(stopMs), msPerToken);
    // Within one token, plus the queued signal's trip back to this (possibly busy) thread.
    EXPECT_LE(stopMs, 2 * msPerToken + 250);
    EXPECT_LT(reply->figures.generatedTokens, 100000);
}

} // namespace
