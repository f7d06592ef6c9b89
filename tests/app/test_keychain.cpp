// The Hugging Face token in the platform keychain (QtKeychain -> Secret Service), run by
// with_test_keyring.sh inside a private D-Bus session with a fresh, unlocked GNOME keyring in a
// temporary home, so the user's own keychain is never touched.
#include "settings_controller.h"
#include "token_store.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace tern::app;

namespace {

constexpr int kWaitMs = 20000;

TEST(Keychain, TheTokenGoesToTheKeychainNotToAFile) {
    ASSERT_TRUE(TokenStore::keychainAvailable()) << "this test needs a build with QtKeychain";
    ASSERT_FALSE(qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        << "run through with_test_keyring.sh";
    QTemporaryDir dir;
    const QString fallback = dir.filePath(QStringLiteral("hf-token"));
    {
        TokenStore store(TokenStore::Backend::KeychainOrFile, fallback);
        ASSERT_TRUE(store.usingKeychain());
        QSignalSpy saved(&store, &TokenStore::saved);
        QSignalSpy failed(&store, &TokenStore::failed);
        store.save(QStringLiteral("hf_keychain_secret"));
        ASSERT_TRUE(saved.wait(kWaitMs));
        EXPECT_TRUE(failed.isEmpty());
        // Had the keychain refused, the store would have fallen back to the file.
        EXPECT_TRUE(store.usingKeychain()) << "the keychain did not take the token";
        EXPECT_FALSE(QFile::exists(fallback)) << "the token must not also be written to the file";
        EXPECT_FALSE(store.locationDescription().contains(QStringLiteral("readable only by you")))
            << store.locationDescription().toStdString();
    }
    {
        // A new store (a new run of the app) reads it back from the keychain.
        TokenStore store(TokenStore::Backend::KeychainOrFile, fallback);
        QSignalSpy loaded(&store, &TokenStore::tokenLoaded);
        store.load();
        ASSERT_TRUE(loaded.wait(kWaitMs));
        EXPECT_EQ(loaded.first().at(0).toString(), QStringLiteral("hf_keychain_secret"));
        EXPECT_TRUE(store.usingKeychain());

        // Clearing deletes it from the keychain.
        QSignalSpy saved(&store, &TokenStore::saved);
        store.save(QString());
        ASSERT_TRUE(saved.wait(kWaitMs));
        store.load();
        ASSERT_TRUE(loaded.wait(kWaitMs));
        EXPECT_EQ(loaded.last().at(0).toString(), QString());
    }
}

TEST(Keychain, SettingsKeepTheTokenInTheKeychain) {
    QTemporaryDir dir;
    TokenStore tokens(TokenStore::Backend::KeychainOrFile,
                      dir.filePath(QStringLiteral("hf-token")));
    const QString ini = dir.filePath(QStringLiteral("settings.ini"));
    {
        SettingsController settings(std::make_unique<QSettings>(ini, QSettings::IniFormat),
                                    &tokens);
        settings.setTopK(7); // so that the settings file exists and can be searched
        // Set at once, before the keychain's answer to the start-up load arrives: that late
        // answer (no token yet) must not undo what the user typed.
        QSignalSpy saved(&tokens, &TokenStore::saved);
        settings.setHubToken(QStringLiteral("hf_from_settings"));
        ASSERT_TRUE(saved.wait(kWaitMs));
        EXPECT_EQ(settings.hubToken(), QStringLiteral("hf_from_settings"));
    }
    QFile file(ini);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    EXPECT_FALSE(file.readAll().contains("hf_from_settings"));
    EXPECT_FALSE(QFile::exists(dir.filePath(QStringLiteral("hf-token"))));
    TokenStore again(TokenStore::Backend::KeychainOrFile, dir.filePath(QStringLiteral("hf-token")));
    QSignalSpy loaded(&again, &TokenStore::tokenLoaded);
    again.load();
    ASSERT_TRUE(loaded.wait(kWaitMs));
    EXPECT_EQ(loaded.first().at(0).toString(), QStringLiteral("hf_from_settings"));
}

} // namespace
