// What the engine worker drives: the real engine (EngineBackend) or, in tests, a scripted one.
// Everything here runs on the worker thread except cancel(), which any thread may call.
#pragma once

#include "tern/engine/engine.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::app {

struct GenerationRequest {
    std::vector<engine::ChatMessage> messages; // the whole conversation, system prompt first
    engine::GenerateOptions options;
    std::string chat_template_override;        // empty: the model's own template
};

class ChatBackend {
public:
    virtual ~ChatBackend() = default;

    // Throws engine::Error (naming the file and the problem) or engine::Cancelled.
    virtual engine::ModelInfo load(const std::string& path, const engine::LoadOptions& options) = 0;
    virtual void unload() = 0;
    virtual bool loaded() const = 0;

    // Renders the conversation with the chat template, then generates the reply, passing each
    // piece of text to `on_text` as it is produced. Throws engine::Error.
    virtual engine::TurnStats reply(const GenerationRequest& request,
                                    const std::function<void(std::string_view)>& on_text) = 0;
    // Thread-safe: reply() returns within one token with StopReason::Cancelled.
    virtual void cancel() = 0;

    virtual int context_used() const = 0;
    virtual int context_size() const = 0;
};

} // namespace tern::app
