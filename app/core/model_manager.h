// The model manager behind its page: which models exist (built-in demo, catalog, local GGUF
// files), importing a GGUF file (copied on a worker thread with progress), deleting with the
// space freed, the models folder and its free space. Nothing here blocks the GUI thread.
#pragma once

#include "model_list_model.h"

#include <QObject>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include "tern/downloader/catalog.h"

#include <atomic>
#include <map>
#include <memory>

namespace tern::app {

class SettingsController;
struct DownloadJob;

class ModelManager : public QObject {
    Q_OBJECT
    Q_PROPERTY(QObject* models READ models CONSTANT)
    Q_PROPERTY(QString modelsFolder READ modelsFolder NOTIFY changed)
    Q_PROPERTY(double freeDiskBytes READ freeDiskBytes NOTIFY changed)
    Q_PROPERTY(QString demoModelPath READ demoModelPath CONSTANT)
    Q_PROPERTY(bool recommendedInstalled READ recommendedInstalled NOTIFY changed)
    Q_PROPERTY(QString recommendedStatus READ recommendedStatus NOTIFY changed)
    Q_PROPERTY(QString notice READ notice NOTIFY noticeChanged)
    Q_PROPERTY(bool importing READ importing NOTIFY importChanged)
    Q_PROPERTY(double importProgress READ importProgress NOTIFY importChanged)

public:
    // `demoModelPath` empty: no built-in model was found (see data_paths.h). `catalogPath`
    // empty: no catalog (only local models). A catalog that does not parse is reported through
    // failed() once the page is shown, and the rest still works.
    ModelManager(SettingsController& settings, QString demoModelPath, QString catalogPath = {},
                 QObject* parent = nullptr);
    ~ModelManager() override;

    QObject* models() { return &models_; }
    ModelListModel& modelList() { return models_; }
    QString modelsFolder() const;
    double freeDiskBytes() const { return static_cast<double>(freeDiskBytes_); }
    QString demoModelPath() const { return demoModelPath_; }
    bool recommendedInstalled() const;
    QString recommendedStatus() const;
    QString notice() const { return notice_; }
    bool importing() const { return importThread_ != nullptr; }
    double importProgress() const;

    // Rescans the models folder and the free space.
    Q_INVOKABLE void refresh();
    // Copies a GGUF file into the models folder; emits failed() when it is not a GGUF file.
    Q_INVOKABLE void importModel(const QString& fileUrl);
    // Deletes a local or downloaded model's files (never the built-in one) and says how much
    // space that freed.
    Q_INVOKABLE bool deleteModel(const QString& id);
    Q_INVOKABLE void openModelsFolder();
    // Catalog models: downloaded on a worker thread (then converted when the catalog says so).
    Q_INVOKABLE void download(const QString& id);
    Q_INVOKABLE void pause(const QString& id);
    Q_INVOKABLE void resume(const QString& id);
    Q_INVOKABLE void cancel(const QString& id);
    // The first-run offer: BitNet b1.58 2B4T, the ready-made GGUF.
    Q_INVOKABLE void downloadRecommended();
    QString catalogError() const { return catalogError_; }
    Q_INVOKABLE void dismissNotice();

    // The first sentence of a catalog entry's notes: the card's one-line description.
    static QString firstSentence(const QString& text);
    // Is `path` a file that starts with the GGUF magic? Sets `why` when not.
    static bool looksLikeGguf(const QString& path, QString* why);

signals:
    void changed();
    void noticeChanged();
    void importChanged();
    void failed(const QString& message);
    void imported(const QString& path);
    void downloaded(const QString& id, const QString& path);

private:
    void setNotice(const QString& notice);
    QList<ModelEntry> scan() const;
    QString folderFor(const QString& id) const;
    QString recommendedId() const;
    void applyProgress(const QString& id, ModelEntry::State state, double progress, double speed, double eta);
    void stopAllDownloads();
    void finishDownload(const QString& id, const QString& path, const QString& error, bool cancelled);

    SettingsController& settings_;
    QString demoModelPath_;
    ModelListModel models_;
    QString scannedFolder_;
    qint64 freeDiskBytes_ = 0;
    QString notice_;

    tern::downloader::Catalog catalog_;
    QString catalogError_;
    std::map<QString, std::shared_ptr<DownloadJob>> jobs_;
    // Live state of running downloads, re-applied after a rescan.
    std::map<QString, ModelEntry> live_;

    QThread* importThread_ = nullptr;
    std::shared_ptr<std::atomic<qint64>> importDone_;
    qint64 importTotal_ = 0;
    QTimer importTimer_;
};

} // namespace tern::app
