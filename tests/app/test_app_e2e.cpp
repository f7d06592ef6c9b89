// End to end: the real tern executable, offscreen, on a real (tiny, synthetic) model. A message
// is typed into the composer through key events, the reply streams, the app saves a screenshot
// and quits; the history database must then hold the exchange.
#include "history_store.h"

#include "tern/engine/synthetic_model.h"

#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <cstdio>

using namespace tern::app;

namespace {

TEST(AppEndToEnd, ATypedMessageGetsAStreamedReplyThatIsStored) {
    QTemporaryDir dir;
    const QString model = dir.filePath(QStringLiteral("tiny.gguf"));
    tern::engine::SyntheticModelSpec spec = tern::engine::synthetic_shape("tiny");
    spec.architecture = "llama";
    spec.vocab_from = TERN_SHARED_DATA_DIR "/vocab/ggml-vocab-llama-spm.gguf";
    spec.context_length = 512;
    spec.name = "Tiny test model";
    tern::engine::write_synthetic_model(spec, model.toStdString());
    const QString data = dir.filePath(QStringLiteral("data"));
    {
        QSettings settings(data + QStringLiteral("/settings.ini"), QSettings::IniFormat);
        settings.setValue(QStringLiteral("sampling/maxTokens"), 32);
        settings.setValue(QStringLiteral("sampling/temperature"), 0.0);
        settings.setValue(QStringLiteral("engine/threads"), 1);
    }
    const QString shot = QStringLiteral(TERN_E2E_SCREENSHOT);
    QFile::remove(shot);

    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("QT_QUICK_BACKEND"), QStringLiteral("software"));
    app.setProcessEnvironment(env);
    const QString message = QStringLiteral("Hello from the end-to-end test");
    app.start(QStringLiteral(TERN_APP_EXECUTABLE),
              {QStringLiteral("--data-dir"), data, QStringLiteral("--model"), model, QStringLiteral("--type-message"),
               message, QStringLiteral("--screenshot"), shot, QStringLiteral("--measure")});
    ASSERT_TRUE(app.waitForStarted(10000));
    ASSERT_TRUE(app.waitForFinished(240000)) << "the app did not finish";
    const QString out = QString::fromLocal8Bit(app.readAllStandardOutput());
    const QString err = QString::fromLocal8Bit(app.readAllStandardError());
    ASSERT_EQ(app.exitCode(), 0) << out.toStdString() << err.toStdString();
    EXPECT_TRUE(out.contains(QStringLiteral("ended complete"))) << out.toStdString() << err.toStdString();

    // The figures the app measured about itself.
    const auto interactive = QRegularExpression(QStringLiteral("interactive (\\d+) ms")).match(err);
    const auto stall = QRegularExpression(QStringLiteral("stall while generating ([0-9.]+) ms")).match(err);
    ASSERT_TRUE(interactive.hasMatch() && stall.hasMatch()) << err.toStdString();
    std::printf("[ figures  ] interactive %s ms after start; longest GUI-thread stall while generating %s ms\n",
                qPrintable(interactive.captured(1)), qPrintable(stall.captured(1)));

    HistoryStore store(data + QStringLiteral("/history.sqlite3"));
    const QList<StoredConversation> conversations = store.conversations();
    ASSERT_EQ(conversations.size(), 1);
    EXPECT_EQ(conversations[0].title, message);
    const QList<StoredMessage> messages = store.messages(conversations[0].id);
    ASSERT_EQ(messages.size(), 2);
    EXPECT_EQ(messages[0].role, MessageRole::User);
    EXPECT_EQ(messages[0].text, message);
    EXPECT_EQ(messages[1].role, MessageRole::Assistant);
    EXPECT_EQ(messages[1].state, MessageState::Complete);
    EXPECT_FALSE(messages[1].text.isEmpty());
    EXPECT_GT(messages[1].figures.generatedTokens, 0);
    EXPECT_LE(messages[1].figures.generatedTokens, 32);
    EXPECT_EQ(messages[1].model, QStringLiteral("Tiny test model"));

    const QImage image(shot);
    ASSERT_FALSE(image.isNull()) << "no screenshot at " << shot.toStdString();
    EXPECT_GE(image.width(), 720);
    EXPECT_GE(image.height(), 480);
}

} // namespace
