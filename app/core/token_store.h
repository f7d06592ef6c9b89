// Where the Hugging Face token lives: the platform keychain through QtKeychain when Tern was
// built with it and a keychain service answers, else a file only the user may read
// (<AppConfigLocation>/hf-token, mode 0600). Asynchronous, because keychain services are.
#pragma once

#include <QObject>
#include <QString>

namespace tern::app {

class TokenStore : public QObject {
    Q_OBJECT
public:
    enum class Backend { KeychainOrFile, FileOnly };

    // `filePath` empty: <AppConfigLocation>/hf-token.
    explicit TokenStore(Backend backend = Backend::KeychainOrFile, QString filePath = {},
                        QObject* parent = nullptr);

    void load();                      // emits tokenLoaded
    void save(const QString& token);  // an empty token deletes it; emits saved or failed
    QString filePath() const { return filePath_; }
    QString locationDescription() const;
    bool usingKeychain() const { return usingKeychain_; }

    static bool keychainAvailable(); // built with QtKeychain

signals:
    void tokenLoaded(const QString& token);
    void saved();
    void failed(const QString& message);

private:
    QString readFile() const;
    bool writeFile(const QString& token, QString* error) const;
    void loadFromKeychain();
    void saveToKeychain(const QString& token);

    Backend backend_;
    QString filePath_;
    bool usingKeychain_ = false;
};

} // namespace tern::app
