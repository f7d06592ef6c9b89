// Settings persist across restarts and are clamped to what the engine accepts; the Hugging
// Face token file is readable only by its owner.
#include "settings_controller.h"
#include "token_store.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace tern::app;

namespace {

std::unique_ptr<QSettings> iniIn(const QTemporaryDir& dir) {
    return std::make_unique<QSettings>(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
}

TEST(Settings, EverySettingPersistsAcrossRestarts) {
    QTemporaryDir dir;
    {
        SettingsController s(iniIn(dir));
        s.setThreads(1);
        s.setContextLength(2048);
        s.setTemperature(0.3);
        s.setTopK(12);
        s.setTopP(0.5);
        s.setMinP(0.1);
        s.setRepetitionPenalty(1.3);
        s.setSeed(1234);
        s.setMaxTokens(99);
        s.setSystemPrompt(QStringLiteral("Be kind."));
        s.setChatTemplateOverride(QStringLiteral("{{ messages }}"));
        s.setModelsFolder(QStringLiteral("file:///tmp/my-models/"));
        s.setHubEndpoint(QStringLiteral("http://127.0.0.1:8080/"));
        s.setProxy(QStringLiteral(" http://proxy:3128 "));
        s.setTheme(QStringLiteral("dark"));
        s.setFontSize(17);
        s.setWelcomeDismissed(true);
    }
    SettingsController s(iniIn(dir));
    EXPECT_EQ(s.threads(), 1);
    EXPECT_EQ(s.contextLength(), 2048);
    EXPECT_DOUBLE_EQ(s.temperature(), 0.3);
    EXPECT_EQ(s.topK(), 12);
    EXPECT_DOUBLE_EQ(s.topP(), 0.5);
    EXPECT_DOUBLE_EQ(s.minP(), 0.1);
    EXPECT_DOUBLE_EQ(s.repetitionPenalty(), 1.3);
    EXPECT_EQ(s.seed(), 1234);
    EXPECT_EQ(s.maxTokens(), 99);
    EXPECT_EQ(s.systemPrompt(), QStringLiteral("Be kind."));
    EXPECT_EQ(s.chatTemplateOverride(), QStringLiteral("{{ messages }}"));
    EXPECT_EQ(s.modelsFolder(), QStringLiteral("/tmp/my-models"));
    EXPECT_EQ(s.hubEndpoint(), QStringLiteral("http://127.0.0.1:8080"));
    EXPECT_EQ(s.proxy(), QStringLiteral("http://proxy:3128"));
    EXPECT_EQ(s.theme(), QStringLiteral("dark"));
    EXPECT_EQ(s.fontSize(), 17);
    EXPECT_TRUE(s.welcomeDismissed());

    const tern::engine::GenerateOptions g = s.generateOptions();
    EXPECT_EQ(g.max_tokens, 99);
    EXPECT_FLOAT_EQ(g.sampling.temperature, 0.3f);
    EXPECT_EQ(g.sampling.top_k, 12);
    EXPECT_EQ(g.sampling.seed, 1234u);
    EXPECT_EQ(s.loadOptions().context_length, 2048);
    EXPECT_EQ(s.generationSettingsJson()[QStringLiteral("top_p")].toDouble(), 0.5);
}

TEST(Settings, ValuesAreClampedAndDefaultsMatchTheEngine) {
    QTemporaryDir dir;
    SettingsController s(iniIn(dir));
    const tern::engine::SamplingParams defaults;
    EXPECT_FLOAT_EQ(static_cast<float>(s.temperature()), defaults.temperature);
    EXPECT_EQ(s.topK(), defaults.top_k);
    EXPECT_EQ(s.theme(), QStringLiteral("system"));
    EXPECT_EQ(s.contextLength(), 0) << "the model's own context by default";
    EXPECT_EQ(s.loadOptions().context_length, 0);
    EXPECT_TRUE(s.modelsFolder().endsWith(QStringLiteral("/models")));
    s.setTemperature(9);
    EXPECT_DOUBLE_EQ(s.temperature(), 2.0);
    s.setTopP(-1);
    EXPECT_DOUBLE_EQ(s.topP(), 0.0);
    s.setThreads(100000);
    EXPECT_EQ(s.threads(), s.maxThreads());
    s.setContextLength(10);
    EXPECT_EQ(s.contextLength(), 256);
    s.setContextLength(-3);
    EXPECT_EQ(s.contextLength(), 0);
    s.setTheme(QStringLiteral("purple"));
    EXPECT_EQ(s.theme(), QStringLiteral("system"));
    s.setFontSize(300);
    EXPECT_EQ(s.fontSize(), 28);
    s.setRepetitionPenalty(0.2);
    EXPECT_DOUBLE_EQ(s.repetitionPenalty(), 1.0);
    s.setTopK(7);
    s.resetSampling();
    EXPECT_EQ(s.topK(), defaults.top_k);
}

TEST(Settings, AHandEditedFileCannotEscapeTheRanges) {
    QTemporaryDir dir;
    {
        QSettings raw(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        raw.setValue(QStringLiteral("sampling/topK"), -5);
        raw.setValue(QStringLiteral("sampling/temperature"), QStringLiteral("banana"));
        raw.setValue(QStringLiteral("appearance/fontSize"), 2);
    }
    SettingsController s(iniIn(dir));
    EXPECT_EQ(s.topK(), 0);
    EXPECT_DOUBLE_EQ(s.temperature(), 0.0);
    EXPECT_EQ(s.fontSize(), 9);
}

TEST(Settings, ChangesAreSignalledOnce) {
    QTemporaryDir dir;
    SettingsController s(iniIn(dir));
    QSignalSpy changed(&s, &SettingsController::changed);
    s.setTopK(5);
    s.setTopK(5);
    EXPECT_EQ(changed.count(), 1);
}

TEST(TokenStore, TheTokenFileIsReadableOnlyByItsOwner) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sub/hf-token"));
    TokenStore store(TokenStore::Backend::FileOnly, path);
    QSignalSpy saved(&store, &TokenStore::saved);
    store.save(QStringLiteral("hf_secret123"));
    ASSERT_EQ(saved.count(), 1);
    ASSERT_TRUE(QFile::exists(path));
#ifndef _WIN32
    EXPECT_EQ(QFile::permissions(path) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
              QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    EXPECT_FALSE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther));
#endif
    QSignalSpy loaded(&store, &TokenStore::tokenLoaded);
    store.load();
    ASSERT_EQ(loaded.count(), 1);
    EXPECT_EQ(loaded.first().at(0).toString(), QStringLiteral("hf_secret123"));
    EXPECT_TRUE(store.locationDescription().contains(QStringLiteral("readable only by you")));
    store.save(QString());
    EXPECT_FALSE(QFile::exists(path)) << "clearing the token deletes the file";
}

TEST(TokenStore, SettingsKeepTheTokenOutOfTheSettingsFile) {
    QTemporaryDir dir;
    TokenStore tokens(TokenStore::Backend::FileOnly, dir.filePath(QStringLiteral("hf-token")));
    {
        SettingsController s(iniIn(dir), &tokens);
        s.setTopK(3); // so the settings file exists
        s.setHubToken(QStringLiteral(" hf_abc "));
        EXPECT_EQ(s.hubToken(), QStringLiteral("hf_abc"));
    }
    SettingsController again(iniIn(dir), &tokens);
    EXPECT_EQ(again.hubToken(), QStringLiteral("hf_abc"));
    QFile ini(dir.filePath(QStringLiteral("settings.ini")));
    ASSERT_TRUE(ini.open(QIODevice::ReadOnly));
    EXPECT_FALSE(ini.readAll().contains("hf_abc"));
}

} // namespace
