// ModelManager's downloads: a catalog model is fetched by the Hub client on its own thread
// (pause, resume and cancel go through its DownloadControl), then, for checkpoints, converted
// to GGUF on the same thread. Progress is posted to the GUI thread as queued calls.
#include "model_manager.h"

#include "settings_controller.h"

#include "tern/downloader/converter.h"
#include "tern/downloader/download_control.h"
#include "tern/downloader/hub_client.h"
#include "tern/engine/engine.h"

#include <QDir>
#include <QPointer>

namespace tern::app {

struct DownloadJob {
    QThread* thread = nullptr;
    std::shared_ptr<tern::downloader::DownloadControl> control =
        std::make_shared<tern::downloader::DownloadControl>();
    std::shared_ptr<std::atomic<bool>> cancelConversion = std::make_shared<std::atomic<bool>>(false);
};

void ModelManager::applyProgress(const QString& id, ModelEntry::State state, double progress, double speed,
                                 double eta) {
    if (!jobs_.count(id)) {
        return; // a late report of a cancelled download
    }
    ModelEntry& live = live_[id];
    // A paused download keeps reporting; keep showing it paused until resumed.
    live.state = (live.state == ModelEntry::State::Paused && state == ModelEntry::State::Downloading)
                     ? ModelEntry::State::Paused
                     : state;
    live.progress = progress;
    live.bytesPerSecond = speed;
    live.etaSeconds = eta;
    live.error.clear();
    const int row = models_.rowOf(id);
    if (row >= 0) {
        ModelEntry e = models_.entries()[row];
        e.state = live.state;
        e.progress = progress;
        e.bytesPerSecond = speed;
        e.etaSeconds = eta;
        e.error.clear();
        models_.updateEntry(e);
    }
    emit changed();
}

void ModelManager::download(const QString& id) {
    const tern::downloader::CatalogEntry* entry = catalog_.find(id.toStdString());
    if (!entry) {
        emit failed(tr("%1 is not in the model catalog.").arg(id));
        return;
    }
    if (jobs_.count(id)) {
        return;
    }
    auto job = std::make_shared<DownloadJob>();
    jobs_[id] = job;
    live_[id] = ModelEntry{};
    applyProgress(id, ModelEntry::State::Downloading, 0, 0, -1);

    tern::downloader::HubSettings hub;
    hub.endpoint = settings_.hubEndpoint().toStdString();
    hub.token = settings_.hubToken().toStdString();
    hub.proxy = settings_.proxy().toStdString();
    hub = hub.with_environment();
    const tern::downloader::CatalogEntry catalogEntry = *entry;
    const QString folder = folderFor(id);
    QPointer<ModelManager> self(this);
    auto post = [self, id](ModelEntry::State state, double progress, double speed, double eta) {
        QMetaObject::invokeMethod(self, [self, id, state, progress, speed, eta] {
            if (self) {
                self->applyProgress(id, state, progress, speed, eta);
            }
        }, Qt::QueuedConnection);
    };
    auto finish = [self, id](QString path, QString error, bool cancelled) {
        QMetaObject::invokeMethod(self, [self, id, path, error, cancelled] {
            if (self) {
                self->finishDownload(id, path, error, cancelled);
            }
        }, Qt::QueuedConnection);
    };
    job->thread = QThread::create([hub, catalogEntry, folder, job, post, finish] {
        try {
            tern::downloader::HubClient client(hub);
            tern::downloader::DownloadRequest request;
            request.repo = catalogEntry.id;
            request.revision = catalogEntry.revision;
            request.files = catalogEntry.files;
            request.destination = catalogEntry.needs_conversion
                                      ? (QDir(folder).filePath(QStringLiteral("checkpoint")).toStdString())
                                      : folder.toStdString();
            const tern::downloader::DownloadResult result =
                client.download(request, *job->control, [&](const tern::downloader::DownloadProgress& p) {
                    const double fraction = p.bytes_total > 0 ? double(p.bytes_done) / double(p.bytes_total) : 0.0;
                    post(p.paused ? ModelEntry::State::Paused : ModelEntry::State::Downloading, fraction,
                         p.bytes_per_second, p.eta_seconds);
                });
            if (!catalogEntry.needs_conversion) {
                for (const auto& file : result.files) {
                    if (file.extension() == ".gguf") {
                        finish(QString::fromStdString(file.string()), {}, false);
                        return;
                    }
                }
                finish({}, QObject::tr("The download of %1 holds no GGUF file.")
                               .arg(QString::fromStdString(catalogEntry.id)), false);
                return;
            }
            post(ModelEntry::State::Converting, 0, 0, -1);
            tern::downloader::ConvertOptions options;
            options.on_progress = [&](const tern::downloader::ConvertProgress& p) {
                post(ModelEntry::State::Converting,
                     p.bytes_total > 0 ? double(p.bytes_done) / double(p.bytes_total) : 0.0, 0, -1);
                return !job->cancelConversion->load();
            };
            const QString output = QDir(folder).filePath(QStringLiteral("model.gguf"));
            tern::downloader::convert_checkpoint(result.destination, output.toStdString(), options);
            // The checkpoint is not needed once converted; free its space.
            QDir(QDir(folder).filePath(QStringLiteral("checkpoint"))).removeRecursively();
            finish(output, {}, false);
        } catch (const tern::downloader::HubError& e) {
            finish({}, QString::fromStdString(e.what()), e.kind() == tern::downloader::HubErrorKind::Cancelled);
        } catch (const tern::engine::Cancelled&) {
            finish({}, {}, true);
        } catch (const std::exception& e) {
            finish({}, QString::fromStdString(e.what()), false);
        }
    });
    job->thread->start();
}

void ModelManager::finishDownload(const QString& id, const QString& path, const QString& error, bool cancelled) {
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) {
        return;
    }
    it->second->thread->wait();
    delete it->second->thread;
    jobs_.erase(it);
    live_.erase(id);
    if (!error.isEmpty() && !cancelled) {
        ModelEntry failedEntry;
        failedEntry.state = ModelEntry::State::Failed;
        failedEntry.error = error;
        live_[id] = failedEntry; // shown on the card until the next attempt
        emit failed(error);
    }
    refresh();
    if (!path.isEmpty()) {
        setNotice(tr("%1 is ready.").arg(QFileInfo(path).fileName()));
        emit downloaded(id, path);
    }
}

void ModelManager::pause(const QString& id) {
    if (const auto it = jobs_.find(id); it != jobs_.end()) {
        it->second->control->pause();
        live_[id].state = ModelEntry::State::Paused;
        applyProgress(id, ModelEntry::State::Paused, live_[id].progress, 0, -1);
    }
}

void ModelManager::resume(const QString& id) {
    if (const auto it = jobs_.find(id); it != jobs_.end()) {
        it->second->control->resume();
        live_[id].state = ModelEntry::State::Downloading;
        applyProgress(id, ModelEntry::State::Downloading, live_[id].progress, 0, -1);
    }
}

void ModelManager::cancel(const QString& id) {
    if (const auto it = jobs_.find(id); it != jobs_.end()) {
        it->second->control->cancel();
        it->second->cancelConversion->store(true);
    }
}

void ModelManager::downloadRecommended() {
    const QString id = recommendedId();
    if (id.isEmpty()) {
        emit failed(catalogError_.isEmpty() ? tr("No model catalog was found, so there is nothing to download.")
                                            : catalogError_);
        return;
    }
    download(id);
}

void ModelManager::stopAllDownloads() {
    for (auto& [id, job] : jobs_) {
        job->control->cancel();
        job->cancelConversion->store(true);
    }
    for (auto& [id, job] : jobs_) {
        job->thread->wait();
        delete job->thread;
    }
    jobs_.clear();
}

} // namespace tern::app
