// The model manager behind its page: which models exist (built-in demo, catalog, local GGUF
// files), importing a GGUF file (copied on a worker thread with progress), deleting with the
// space freed, the models folder and its free space. Nothing here blocks the GUI thread.
#pragma once

#include "model_list_model.h"

#include <QObject>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>

namespace tern::app {

class SettingsController;

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
    // `demoModelPath` empty: no built-in model was found (see data_paths.h).
    ModelManager(SettingsController& settings, QString demoModelPath, QObject* parent = nullptr);
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
    Q_INVOKABLE void dismissNotice();

    // Is `path` a file that starts with the GGUF magic? Sets `why` when not.
    static bool looksLikeGguf(const QString& path, QString* why);

signals:
    void changed();
    void noticeChanged();
    void importChanged();
    void failed(const QString& message);
    void imported(const QString& path);

private:
    void setNotice(const QString& notice);
    QList<ModelEntry> scan() const;

    SettingsController& settings_;
    QString demoModelPath_;
    ModelListModel models_;
    QString scannedFolder_;
    qint64 freeDiskBytes_ = 0;
    QString notice_;

    QThread* importThread_ = nullptr;
    std::shared_ptr<std::atomic<qint64>> importDone_;
    qint64 importTotal_ = 0;
    QTimer importTimer_;
};

} // namespace tern::app
