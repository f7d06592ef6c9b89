// The real ChatBackend: tern::engine's Model and Session, with the chat template chosen for the
// model (or the user's override) rendering the conversation into tokens.
#pragma once

#include "chat_backend.h"

#include <memory>
#include <mutex>

namespace tern::app {

class EngineBackend : public ChatBackend {
public:
    EngineBackend();
    ~EngineBackend() override;

    engine::ModelInfo load(const std::string& path, const engine::LoadOptions& options) override;
    void unload() override;
    bool loaded() const override;
    engine::TurnStats reply(const GenerationRequest& request,
                            const std::function<void(std::string_view)>& on_text) override;
    void cancel() override;
    int context_used() const override;
    int context_size() const override;

private:
    std::shared_ptr<engine::Model> model_;
    // Guarded by mutex_ only against cancel(), which may come from another thread; everything
    // else runs on the worker thread.
    std::shared_ptr<engine::Session> session_;
    mutable std::mutex mutex_;
};

} // namespace tern::app
