#include "engine_backend.h"

#include "tern/engine/chat_template.h"
#include "tern/engine/tokenizer.h"

namespace tern::app {

EngineBackend::EngineBackend() = default;
EngineBackend::~EngineBackend() = default;

engine::ModelInfo EngineBackend::load(const std::string& path, const engine::LoadOptions& options) {
    unload();
    auto model = engine::Model::load(path, options);
    auto session = std::make_shared<engine::Session>(model);
    std::lock_guard lock(mutex_);
    model_ = std::move(model);
    session_ = std::move(session);
    return model_->info();
}

void EngineBackend::unload() {
    std::lock_guard lock(mutex_);
    session_.reset();
    model_.reset();
}

bool EngineBackend::loaded() const {
    std::lock_guard lock(mutex_);
    return model_ != nullptr;
}

engine::TurnStats EngineBackend::reply(const GenerationRequest& request,
                                       const std::function<void(std::string_view)>& on_text) {
    std::shared_ptr<engine::Session> session;
    {
        std::lock_guard lock(mutex_);
        session = session_;
    }
    if (!session || !model_) {
        throw engine::Error("no model is loaded");
    }
    // Chosen per reply: the override may have changed in Settings since the last one.
    const engine::ChatTemplate chat = engine::ChatTemplate::for_model(
        model_->chat_template(), model_->info().architecture, &model_->tokenizer(),
        request.chat_template_override);
    const std::vector<engine::Token> prompt =
        chat.render_tokens(model_->tokenizer(), request.messages, /*add_generation_prompt=*/true);
    // Stop where the template ends an assistant turn, so a reply never runs on into the next
    // speaker's (models without a learned end-of-text token, such as the demo model).
    engine::GenerateOptions options = request.options;
    if (std::string turn_end = chat.assistant_turn_end(); !turn_end.empty()) {
        options.stop_strings.push_back(std::move(turn_end));
    }
    return session->generate(prompt, options, on_text);
}

void EngineBackend::cancel() {
    std::lock_guard lock(mutex_);
    if (session_) {
        session_->cancel();
    }
}

int EngineBackend::context_used() const {
    std::lock_guard lock(mutex_);
    return session_ ? session_->context_used() : 0;
}

int EngineBackend::context_size() const {
    std::lock_guard lock(mutex_);
    return session_ ? session_->context_size() : 0;
}

} // namespace tern::app
