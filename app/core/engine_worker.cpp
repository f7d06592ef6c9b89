#include "engine_worker.h"


namespace tern::app {

void registerEngineMetaTypes() {
    qRegisterMetaType<tern::engine::ModelInfo>();
    qRegisterMetaType<tern::engine::TurnStats>();
}

EngineWorker::EngineWorker(std::unique_ptr<ChatBackend> backend, QObject* parent)
    : QObject(parent), backend_(std::move(backend)) {
    registerEngineMetaTypes();
}

EngineWorker::~EngineWorker() = default;

void EngineWorker::cancelLoad() {
    loadCancelled_ = true;
}

void EngineWorker::stop(quint64 requestId) {
    quint64 current = stoppedUpTo_.load();
    while (current < requestId && !stoppedUpTo_.compare_exchange_weak(current, requestId)) {
    }
    backend_->cancel();
}

void EngineWorker::load(const QString& path, const engine::LoadOptions& options) {
    loadCancelled_ = false;
    engine::LoadOptions withProgress = options;
    // Progress arrives per tensor; a queued signal for each would flood the GUI thread, so
    // report whole percents only.
    int lastPercent = -1;
    withProgress.on_progress = [this, &lastPercent](float progress) {
        const int percent = static_cast<int>(progress * 100.0f);
        if (percent != lastPercent) {
            lastPercent = percent;
            emit loadProgress(progress);
        }
        return !loadCancelled_.load();
    };
    try {
        backend_->unload();
        const engine::ModelInfo info = backend_->load(path.toStdString(), withProgress);
        emit loaded(info);
    } catch (const engine::Cancelled&) {
        emit loadFailed(QStringLiteral("Loading %1 was cancelled.").arg(path), true);
    } catch (const std::exception& e) {
        emit loadFailed(QString::fromStdString(e.what()), false);
    }
}

void EngineWorker::unload() {
    backend_->unload();
    emit unloaded();
}

void EngineWorker::generate(quint64 requestId, const GenerationRequest& request) {
    const auto isStopped = [this, requestId] { return requestId <= stoppedUpTo_.load(); };
    if (isStopped()) {
        engine::TurnStats stats;
        stats.stop_reason = engine::StopReason::Cancelled;
        emit finished(requestId, stats, backend_->context_used(), backend_->context_size());
        return;
    }
    if (!backend_->loaded()) {
        emit failed(requestId, QStringLiteral("No model is loaded."));
        return;
    }
    try {
        const engine::TurnStats stats = backend_->reply(request, [&](std::string_view text) {
            // A piece racing with stop() is dropped: the user asked for no more text. Cancelling
            // again covers a stop() that came before the backend reset its own flag.
            if (isStopped()) {
                backend_->cancel();
                return;
            }
            emit piece(requestId, QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size())));
        });
        emit finished(requestId, stats, backend_->context_used(), backend_->context_size());
    } catch (const std::exception& e) {
        emit failed(requestId, QString::fromStdString(e.what()));
    }
}

} // namespace tern::app
