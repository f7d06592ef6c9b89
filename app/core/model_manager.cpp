#include "model_manager.h"

#include "settings_controller.h"

#include "tern/downloader/model_paths.h"

#include <QDesktopServices>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStorageInfo>
#include <QUrl>

namespace tern::app {
namespace {

QString localPath(const QString& pathOrUrl) {
    return pathOrUrl.startsWith(QLatin1String("file:")) ? QUrl(pathOrUrl).toLocalFile() : pathOrUrl;
}

QString formatSize(qint64 bytes) {
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

// Copies in 4 MiB chunks so the GUI can show progress; writes to "<dst>.part" and renames at
// the end, so a half-copied model never looks installed. Returns an error message or "".
QString copyWithProgress(const QString& src, const QString& dst, std::atomic<qint64>& done) {
    QFile in(src);
    if (!in.open(QIODevice::ReadOnly)) {
        return QObject::tr("Cannot read %1: %2").arg(src, in.errorString());
    }
    const QString part = dst + QStringLiteral(".part");
    QFile out(part);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return QObject::tr("Cannot write %1: %2").arg(part, out.errorString());
    }
    QByteArray buffer(4 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = in.read(buffer.data(), buffer.size());
        if (n < 0) {
            out.remove();
            return QObject::tr("Reading %1 failed: %2").arg(src, in.errorString());
        }
        if (n == 0) {
            break;
        }
        if (out.write(buffer.constData(), n) != n) {
            const QString error = out.errorString();
            out.remove();
            return QObject::tr("Writing %1 failed (is the disk full?): %2").arg(part, error);
        }
        done += n;
    }
    out.close();
    QFile::remove(dst);
    if (!QFile::rename(part, dst)) {
        QFile::remove(part);
        return QObject::tr("Cannot rename %1 to %2").arg(part, dst);
    }
    return {};
}

} // namespace

QString ModelManager::firstSentence(const QString& text) {
    // A sentence ends at a full stop followed by a space or the end, so "about 1.1-1.2 GB" is
    // not cut at its decimal point.
    static const QRegularExpression end(QStringLiteral("[.!?](\\s|$)"));
    const QRegularExpressionMatch m = end.match(text);
    return m.hasMatch() ? text.left(m.capturedStart() + 1) : text.trimmed();
}

ModelManager::ModelManager(SettingsController& settings, QString demoModelPath, QString catalogPath,
                           QObject* parent)
    : QObject(parent), settings_(settings), demoModelPath_(std::move(demoModelPath)) {
    if (!catalogPath.isEmpty()) {
        try {
            catalog_ = tern::downloader::load_catalog(catalogPath.toStdString());
        } catch (const std::exception& e) {
            catalogError_ = QString::fromStdString(e.what());
        }
    }
    connect(&settings_, &SettingsController::changed, this, [this] {
        if (modelsFolder() != scannedFolder_) {
            refresh();
        }
    });
    importTimer_.setInterval(100);
    connect(&importTimer_, &QTimer::timeout, this, &ModelManager::importChanged);
    refresh();
}

ModelManager::~ModelManager() {
    stopAllDownloads();
    if (importThread_) {
        importThread_->wait();
    }
}

QString ModelManager::modelsFolder() const {
    return settings_.modelsFolder();
}

double ModelManager::importProgress() const {
    if (!importDone_ || importTotal_ <= 0) {
        return 0;
    }
    return static_cast<double>(importDone_->load()) / static_cast<double>(importTotal_);
}

bool ModelManager::recommendedInstalled() const {
    for (const ModelEntry& e : models_.entries()) {
        if (e.kind == ModelEntry::Kind::Catalog && e.state == ModelEntry::State::Installed &&
            e.id.contains(QLatin1String("2B-4T"), Qt::CaseInsensitive)) {
            return true;
        }
        if (e.kind == ModelEntry::Kind::Local && e.name.contains(QLatin1String("2b"), Qt::CaseInsensitive) &&
            e.name.contains(QLatin1String("bitnet"), Qt::CaseInsensitive)) {
            return true;
        }
    }
    return false;
}

QString ModelManager::recommendedStatus() const {
    const int row = models_.rowOf(recommendedId());
    if (row < 0) {
        return {};
    }
    const ModelEntry& e = models_.entries()[row];
    const int percent = qRound(e.progress * 100);
    switch (e.state) {
    case ModelEntry::State::Downloading: return tr("Downloading… %1%").arg(percent);
    case ModelEntry::State::Paused: return tr("Paused at %1%").arg(percent);
    case ModelEntry::State::Converting: return tr("Converting… %1%").arg(percent);
    case ModelEntry::State::Installed: return tr("Downloaded");
    default: return {};
    }
}

void ModelManager::setNotice(const QString& notice) {
    notice_ = notice;
    emit noticeChanged();
}

void ModelManager::dismissNotice() {
    setNotice({});
}

QList<ModelEntry> ModelManager::scan() const {
    QList<ModelEntry> entries;
    if (!demoModelPath_.isEmpty()) {
        ModelEntry demo;
        demo.kind = ModelEntry::Kind::BuiltIn;
        demo.id = demoModelPath_;
        demo.name = tr("Tern demo model (built in)");
        demo.description = tr("A tiny model that ships with Tern, so the app works before anything is "
                              "downloaded. It writes plausible-looking text, not answers.");
        demo.license = QStringLiteral("MIT");
        demo.path = demoModelPath_;
        demo.sizeBytes = QFileInfo(demoModelPath_).size();
        demo.state = ModelEntry::State::Installed;
        entries.append(demo);
    }
    QStringList catalogFolders;
    for (const tern::downloader::CatalogEntry& c : catalog_.models) {
        ModelEntry e;
        e.kind = ModelEntry::Kind::Catalog;
        e.id = QString::fromStdString(c.id);
        e.name = QString::fromStdString(c.name);
        e.description = firstSentence(QString::fromStdString(c.notes));
        e.license = QString::fromStdString(c.license);
        e.parameters = QString::fromStdString(c.parameters);
        e.sizeBytes = static_cast<qint64>(c.download_bytes);
        e.memoryBytes = static_cast<qint64>(c.memory_bytes);
        e.needsConversion = c.needs_conversion;
        const QString dir = folderFor(e.id);
        catalogFolders << QDir(dir).absolutePath();
        const QStringList ggufs = QDir(dir).entryList({QStringLiteral("*.gguf")}, QDir::Files, QDir::Name);
        if (!ggufs.isEmpty()) {
            e.path = QDir(dir).filePath(ggufs.first());
            e.sizeBytes = QFileInfo(e.path).size();
            e.state = ModelEntry::State::Installed;
        }
        if (const auto live = live_.find(e.id); live != live_.end()) {
            e.state = live->second.state;
            e.progress = live->second.progress;
            e.bytesPerSecond = live->second.bytesPerSecond;
            e.etaSeconds = live->second.etaSeconds;
            e.error = live->second.error;
        }
        entries.append(e);
    }
    // GGUF files directly in the models folder or one level down (one folder per model).
    const QString folder = modelsFolder();
    QDirIterator it(folder, {QStringLiteral("*.gguf")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo info(it.next());
        if (QDir(folder).relativeFilePath(info.absoluteFilePath()).count(QLatin1Char('/')) > 1 ||
            catalogFolders.contains(info.absolutePath())) {
            continue;
        }
        ModelEntry local;
        local.kind = ModelEntry::Kind::Local;
        local.id = info.absoluteFilePath();
        local.name = info.completeBaseName();
        local.description = QDir::toNativeSeparators(info.absoluteFilePath());
        local.path = info.absoluteFilePath();
        local.sizeBytes = info.size();
        local.state = ModelEntry::State::Installed;
        entries.append(local);
    }
    return entries;
}

void ModelManager::refresh() {
    models_.setEntries(scan());
    scannedFolder_ = modelsFolder();
    QDir().mkpath(modelsFolder());
    const QStorageInfo storage(modelsFolder());
    freeDiskBytes_ = storage.isValid() ? storage.bytesAvailable() : 0;
    emit changed();
}

bool ModelManager::looksLikeGguf(const QString& path, QString* why) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *why = tr("Cannot open %1: %2").arg(path, f.errorString());
        return false;
    }
    if (f.read(4) != QByteArrayLiteral("GGUF")) {
        *why = tr("%1 is not a GGUF model file (it does not start with \"GGUF\").").arg(path);
        return false;
    }
    return true;
}

void ModelManager::importModel(const QString& fileUrl) {
    const QString src = localPath(fileUrl);
    QString why;
    if (importThread_) {
        emit failed(tr("An import is already running; wait for it to finish."));
        return;
    }
    if (!looksLikeGguf(src, &why)) {
        emit failed(why);
        return;
    }
    QDir().mkpath(modelsFolder());
    const QString dst = QDir(modelsFolder()).filePath(QFileInfo(src).fileName());
    if (QFileInfo(src).absoluteFilePath() == QFileInfo(dst).absoluteFilePath()) {
        refresh();
        emit imported(dst);
        return;
    }
    const qint64 size = QFileInfo(src).size();
    const QStorageInfo storage(modelsFolder());
    if (storage.isValid() && storage.bytesAvailable() < size) {
        emit failed(tr("Not enough free space in %1 for %2 (%3 needed, %4 free).")
                        .arg(modelsFolder(), QFileInfo(src).fileName(), formatSize(size),
                             formatSize(storage.bytesAvailable())));
        return;
    }
    importTotal_ = size;
    importDone_ = std::make_shared<std::atomic<qint64>>(0);
    auto error = std::make_shared<QString>();
    auto done = importDone_;
    importThread_ = QThread::create([src, dst, done, error] { *error = copyWithProgress(src, dst, *done); });
    connect(importThread_, &QThread::finished, this, [this, dst, error] {
        importThread_->deleteLater();
        importThread_ = nullptr;
        importTimer_.stop();
        emit importChanged();
        if (!error->isEmpty()) {
            emit failed(*error);
            return;
        }
        refresh();
        setNotice(tr("Imported %1.").arg(QFileInfo(dst).fileName()));
        emit imported(dst);
    });
    importThread_->start();
    importTimer_.start();
    emit importChanged();
}

bool ModelManager::deleteModel(const QString& id) {
    const int row = models_.rowOf(id);
    if (row < 0) {
        return false;
    }
    const ModelEntry entry = models_.entries()[row];
    if (entry.kind == ModelEntry::Kind::BuiltIn) {
        emit failed(tr("The built-in demo model cannot be deleted."));
        return false;
    }
    if (entry.state != ModelEntry::State::Installed && entry.kind == ModelEntry::Kind::Catalog &&
        !QDir(folderFor(id)).exists()) {
        return false;
    }
    if (jobs_.count(id)) {
        emit failed(tr("%1 is still downloading; cancel it first.").arg(entry.name));
        return false;
    }
    qint64 freed = 0;
    if (entry.kind == ModelEntry::Kind::Catalog) {
        // The whole model folder: the GGUF, a downloaded checkpoint, partial files.
        QDir dir(folderFor(id));
        QDirIterator files(dir.absolutePath(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            freed += QFileInfo(files.next()).size();
        }
        if (!dir.removeRecursively()) {
            emit failed(tr("Cannot delete all of %1.").arg(dir.absolutePath()));
            refresh();
            return false;
        }
    } else {
        freed = QFileInfo(entry.path).size();
        if (!QFile::remove(entry.path)) {
            emit failed(tr("Cannot delete %1.").arg(entry.path));
            return false;
        }
    }
    refresh();
    setNotice(tr("Deleted %1 and freed %2.").arg(entry.name, formatSize(freed)));
    return true;
}

QString ModelManager::folderFor(const QString& id) const {
    return QDir(modelsFolder()).filePath(
        QString::fromStdString(tern::downloader::model_folder_name(id.toStdString())));
}

QString ModelManager::recommendedId() const {
    for (const auto& c : catalog_.models) {
        if (!c.needs_conversion && QString::fromStdString(c.id).contains(QLatin1String("2B-4T"), Qt::CaseInsensitive)) {
            return QString::fromStdString(c.id);
        }
    }
    return catalog_.models.empty() ? QString() : QString::fromStdString(catalog_.models.front().id);
}

void ModelManager::openModelsFolder() {
    QDir().mkpath(modelsFolder());
    QDesktopServices::openUrl(QUrl::fromLocalFile(modelsFolder()));
}

} // namespace tern::app
