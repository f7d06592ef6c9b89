// The engine on its own thread: a QObject moved to a QThread that loads models and generates
// replies through a ChatBackend, reporting back with queued signals, so the GUI thread never
// waits on the engine. load() and generate() are slots run on the worker thread (invoke them
// queued); stop() and cancelLoad() are called directly from any thread.
#pragma once

#include "chat_backend.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

Q_DECLARE_METATYPE(tern::engine::ModelInfo)
Q_DECLARE_METATYPE(tern::engine::TurnStats)

namespace tern::app {

class EngineWorker : public QObject {
    Q_OBJECT
public:
    explicit EngineWorker(std::unique_ptr<ChatBackend> backend, QObject* parent = nullptr);
    ~EngineWorker() override;

    // Any thread: the running load throws Cancelled at its next progress report.
    void cancelLoad();
    // Any thread: request `requestId` (and any earlier one) ends within one token, or never
    // starts when still queued; no piece of it is reported after this call.
    void stop(quint64 requestId);

public slots:
    void load(const QString& path, const tern::engine::LoadOptions& options);
    void generate(quint64 requestId, const tern::app::GenerationRequest& request);
    void unload();

signals:
    void loadProgress(float progress);
    void loaded(const tern::engine::ModelInfo& info);
    void loadFailed(const QString& message, bool cancelled);
    void unloaded();
    void piece(quint64 requestId, const QString& text);
    void finished(quint64 requestId, const tern::engine::TurnStats& stats, int contextUsed,
                  int contextSize);
    void failed(quint64 requestId, const QString& message);

private:
    std::unique_ptr<ChatBackend> backend_;
    std::atomic<bool> loadCancelled_{false};
    std::atomic<quint64> stoppedUpTo_{0}; // requests with ids up to this one are cancelled
};

void registerEngineMetaTypes();

} // namespace tern::app
