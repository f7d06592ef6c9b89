#include "token_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

#ifdef TERN_HAVE_QTKEYCHAIN
#include <qt6keychain/keychain.h>
#endif

namespace tern::app {
namespace {

const QString kService = QStringLiteral("Tern");
const QString kKey = QStringLiteral("huggingface-token");

} // namespace

TokenStore::TokenStore(Backend backend, QString filePath, QObject* parent)
    : QObject(parent), backend_(backend), filePath_(std::move(filePath)) {
    if (filePath_.isEmpty()) {
        filePath_ = QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
                        .filePath(QStringLiteral("hf-token"));
    }
    usingKeychain_ = backend_ == Backend::KeychainOrFile && keychainAvailable();
}

bool TokenStore::keychainAvailable() {
#ifdef TERN_HAVE_QTKEYCHAIN
    return true;
#else
    return false;
#endif
}

QString TokenStore::locationDescription() const {
    if (usingKeychain_) {
        return tr("Stored in the system keychain.");
    }
    return tr("Stored in %1, readable only by you.").arg(QDir::toNativeSeparators(filePath_));
}

QString TokenStore::readFile() const {
    QFile f(filePath_);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(f.readAll()).trimmed();
}

bool TokenStore::writeFile(const QString& token, QString* error) const {
    if (token.isEmpty()) {
        if (QFile::exists(filePath_) && !QFile::remove(filePath_)) {
            *error = tr("Cannot delete %1.").arg(filePath_);
            return false;
        }
        return true;
    }
    QDir().mkpath(QFileInfo(filePath_).absolutePath());
    QSaveFile f(filePath_);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = tr("Cannot write %1: %2").arg(filePath_, f.errorString());
        return false;
    }
    // Restrict the (still empty) temporary file before the secret goes in. On Windows the
    // per-user AppData folder already keeps other users out.
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    f.write(token.toUtf8());
    if (!f.commit()) {
        *error = tr("Cannot write %1: %2").arg(filePath_, f.errorString());
        return false;
    }
    QFile::setPermissions(filePath_, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

void TokenStore::load() {
    if (usingKeychain_) {
        loadFromKeychain();
        return;
    }
    emit tokenLoaded(readFile());
}

void TokenStore::save(const QString& token) {
    if (usingKeychain_) {
        saveToKeychain(token);
        return;
    }
    QString error;
    if (writeFile(token, &error)) {
        emit saved();
    } else {
        emit failed(error);
    }
}

#ifdef TERN_HAVE_QTKEYCHAIN
void TokenStore::loadFromKeychain() {
    auto* job = new QKeychain::ReadPasswordJob(kService, this);
    job->setKey(kKey);
    connect(job, &QKeychain::Job::finished, this, [this, job] {
        if (job->error() == QKeychain::NoError) {
            emit tokenLoaded(job->textData());
        } else if (job->error() == QKeychain::EntryNotFound) {
            emit tokenLoaded(readFile()); // a token saved while no keychain answered
        } else {
            // No keychain service (a headless session, no secret service): use the file.
            usingKeychain_ = false;
            emit tokenLoaded(readFile());
        }
    });
    job->start();
}

void TokenStore::saveToKeychain(const QString& token) {
    QKeychain::Job* job = nullptr;
    if (token.isEmpty()) {
        job = new QKeychain::DeletePasswordJob(kService, this);
    } else {
        auto* write = new QKeychain::WritePasswordJob(kService, this);
        write->setTextData(token);
        job = write;
    }
    job->setKey(kKey);
    connect(job, &QKeychain::Job::finished, this, [this, job, token] {
        if (job->error() == QKeychain::NoError || job->error() == QKeychain::EntryNotFound) {
            QString ignored;
            writeFile({}, &ignored); // no stale copy left in the fallback file
            emit saved();
            return;
        }
        usingKeychain_ = false;
        QString error;
        if (writeFile(token, &error)) {
            emit saved();
        } else {
            emit failed(error);
        }
    });
    job->start();
}
#else
void TokenStore::loadFromKeychain() {
    emit tokenLoaded(readFile());
}
void TokenStore::saveToKeychain(const QString& token) {
    QString error;
    if (writeFile(token, &error)) {
        emit saved();
    } else {
        emit failed(error);
    }
}
#endif

} // namespace tern::app
