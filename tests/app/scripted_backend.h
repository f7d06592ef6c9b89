// A ChatBackend that follows a script instead of running a model: the reply echoes the last
// user message word by word with a fixed delay per token, honours cancel() per token like the
// engine, and records what it was asked, so tests can check the worker and the controller.
#pragma once

#include "chat_backend.h"

#include <QStringList>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

namespace tern::app::testing {

struct Script {
    std::atomic<int> tokenDelayMs{2};
    std::atomic<int> loadStepDelayMs{1};
    std::atomic<int> extraTokens{0};        // words appended after the echo
    std::atomic<bool> failNextReply{false};
    std::atomic<int> piecesAfterCancel{0};  // pieces emitted after cancel() was called
    std::atomic<int> replies{0};
    std::mutex mutex;
    GenerationRequest lastRequest;
};

class ScriptedBackend : public ChatBackend {
public:
    explicit ScriptedBackend(std::shared_ptr<Script> script) : script_(std::move(script)) {}

    engine::ModelInfo load(const std::string& path, const engine::LoadOptions& options) override {
        for (int step = 0; step <= 10; ++step) {
            std::this_thread::sleep_for(std::chrono::milliseconds(script_->loadStepDelayMs.load()));
            if (options.on_progress && !options.on_progress(static_cast<float>(step) / 10.0f)) {
                throw engine::Cancelled();
            }
        }
        if (path.find("missing") != std::string::npos) {
            throw engine::Error(path + ": no such file");
        }
        engine::ModelInfo info;
        info.path = path;
        info.name = "Scripted model";
        info.kernel_variant = "scalar-test";
        info.weight_type = "I2_S";
        info.context_length = options.context_length > 0 ? options.context_length : 2048;
        info.threads = options.threads;
        loaded_ = true;
        contextSize_ = info.context_length;
        return info;
    }
    void unload() override { loaded_ = false; }
    bool loaded() const override { return loaded_; }

    engine::TurnStats reply(const GenerationRequest& request,
                            const std::function<void(std::string_view)>& on_text) override {
        cancelled_ = false;
        ++script_->replies;
        {
            std::lock_guard lock(script_->mutex);
            script_->lastRequest = request;
        }
        if (script_->failNextReply.exchange(false)) {
            throw engine::Error("scripted failure: the context is full");
        }
        const std::string last = request.messages.empty() ? std::string() : request.messages.back().content;
        QStringList words = QStringLiteral("Echo: %1").arg(QString::fromStdString(last)).split(QLatin1Char(' '));
        for (int i = 0; i < script_->extraTokens; ++i) {
            words << QStringLiteral("more%1").arg(i);
        }
        engine::TurnStats stats;
        stats.prompt_tokens = static_cast<int>(request.messages.size()) * 10;
        stats.prompt_tokens_per_second = 500;
        for (int i = 0; i < words.size(); ++i) {
            if (cancelled_) {
                stats.stop_reason = engine::StopReason::Cancelled;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(script_->tokenDelayMs.load()));
            const std::string piece = (i == 0 ? QString() : QStringLiteral(" ")).toStdString() + words[i].toStdString();
            if (cancelled_) {
                script_->piecesAfterCancel++;
            }
            on_text(piece);
            ++stats.generated_tokens;
        }
        stats.generation_tokens_per_second = 100;
        contextUsed_ += stats.prompt_tokens + stats.generated_tokens;
        return stats;
    }
    void cancel() override { cancelled_ = true; }
    int context_used() const override { return contextUsed_; }
    int context_size() const override { return contextSize_; }

private:
    std::shared_ptr<Script> script_;
    std::atomic<bool> cancelled_{false};
    bool loaded_ = false;
    int contextUsed_ = 0;
    int contextSize_ = 0;
};

} // namespace tern::app::testing
