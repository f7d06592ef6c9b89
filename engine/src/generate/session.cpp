// Session: one conversation's KV cache, prefix reuse between turns, and the generation loop.
#include "../model/model_impl.h"
#include "../runtime/memory_stats.h"
#include "sampler.h"
#include "text_stream.h"

#include <algorithm>
#include <chrono>

namespace tern::engine {

struct Session::Impl {
    std::shared_ptr<const ModelImpl> model;
    KvCache cache;
    ForwardScratch scratch;
    std::vector<Token> tokens; // the positions the cache holds, in order
    std::vector<float> logits; // of the last processed position
    std::atomic<bool> cancel{false};

    // Runs tokens[from..] of `all` after the cached prefix; false when cancelled.
    bool run(std::span<const Token> all, std::size_t from, Transformer::Logits want,
             const std::function<void(std::size_t, std::span<const float>)>& on_logits) {
        std::lock_guard lock(model->forward_mutex());
        tokens.resize(from);
        const bool done = model->transformer().forward(
            cache, scratch, all.subspan(from), static_cast<int>(from), want,
            [&](std::size_t i, std::span<const float> row) {
                if (i + from + 1 == all.size()) {
                    logits.assign(row.begin(), row.end());
                }
                if (on_logits) {
                    on_logits(i + from, row);
                }
            },
            &cancel);
        if (done) {
            tokens.assign(all.begin(), all.end());
        }
        return done;
    }

    // How many leading tokens of `prompt` the cache already holds; at least the last token is
    // always recomputed, since its logits are needed.
    std::size_t reusable(std::span<const Token> prompt) const {
        std::size_t common = 0;
        while (common < tokens.size() && common < prompt.size() && tokens[common] == prompt[common]) {
            ++common;
        }
        if (common == prompt.size() && common > 0) {
            --common;
        }
        return common;
    }

    void check_fits(std::size_t n) const {
        if (n == 0) {
            throw Error("the prompt is empty");
        }
        if (n > static_cast<std::size_t>(cache.context)) {
            throw Error("the prompt has " + std::to_string(n) + " tokens but the context holds only " +
                        std::to_string(cache.context) + "; shorten the conversation or load the model "
                        "with a larger context");
        }
    }
};

Session::Session(std::shared_ptr<const Model> model) : impl_(std::make_unique<Impl>()) {
    impl_->model = std::dynamic_pointer_cast<const ModelImpl>(model);
    if (!impl_->model) {
        throw Error("Session needs a model made by Model::load");
    }
    const int context = impl_->model->info().context_length;
    impl_->cache = impl_->model->transformer().make_cache(context);
    impl_->scratch = impl_->model->transformer().make_scratch(context);
}

Session::~Session() = default;

void Session::cancel() { impl_->cancel.store(true); }

std::span<const float> Session::last_logits() const { return impl_->logits; }
int Session::context_used() const { return static_cast<int>(impl_->tokens.size()); }
int Session::context_size() const { return impl_->cache.context; }
std::uint64_t Session::kv_cache_bytes() const { return impl_->cache.bytes; }

std::uint64_t peak_resident_memory() { return peak_resident_bytes(); }
bool reset_peak_resident_memory() { return reset_peak_resident_bytes(); }

void Session::reset() {
    impl_->tokens.clear();
    impl_->logits.clear();
}

int Session::evaluate(std::span<const Token> tokens,
                      const std::function<void(std::size_t, std::span<const float>)>& on_logits) {
    Impl& s = *impl_;
    s.cancel.store(false);
    s.check_fits(tokens.size());
    const std::size_t from = s.reusable(tokens);
    // Without a callback only the last position's logits (for last_logits()) are needed: the
    // output head is the largest matrix, skipping it for the others is most of a prompt's cost.
    const auto want = on_logits ? Transformer::Logits::All : Transformer::Logits::Last;
    if (!s.run(tokens, from, want, on_logits)) {
        throw Cancelled();
    }
    return static_cast<int>(from);
}

TurnStats Session::generate(std::span<const Token> prompt, const GenerateOptions& options,
                            const std::function<void(std::string_view)>& on_text) {
    using clock = std::chrono::steady_clock;
    Impl& s = *impl_;
    const auto start = clock::now();
    auto seconds_since = [](clock::time_point t) {
        return std::chrono::duration<double>(clock::now() - t).count();
    };
    s.cancel.store(false);
    s.check_fits(prompt.size());
    Sampler sampler(options.sampling);
    if (options.max_tokens < -1) {
        throw Error("max_tokens must be -1 (no limit) or at least 0");
    }

    TurnStats stats;
    stats.prompt_tokens = static_cast<int>(prompt.size());
    const std::size_t from = s.reusable(prompt);
    stats.reused_tokens = static_cast<int>(from);
    const bool prompt_done = s.run(prompt, from, Transformer::Logits::Last, nullptr);
    stats.prompt_seconds = seconds_since(start);
    const double computed = static_cast<double>(prompt.size() - from);
    stats.prompt_tokens_per_second = stats.prompt_seconds > 0 ? computed / stats.prompt_seconds : 0;
    if (!prompt_done) {
        stats.stop_reason = StopReason::Cancelled;
        stats.peak_resident_bytes = peak_resident_bytes();
        return stats;
    }

    TextStream stream(options.stop_strings, on_text);
    const auto decode_start = clock::now();
    int decoded = 0; // forward passes of generated tokens
    for (;;) {
        if (options.max_tokens >= 0 && stats.generated_tokens >= options.max_tokens) {
            stats.stop_reason = StopReason::MaxTokens;
            break;
        }
        if (s.cancel.load()) {
            stats.stop_reason = StopReason::Cancelled;
            break;
        }
        const Token next = sampler.sample(s.logits, s.tokens);
        if (stats.generated_tokens == 0) {
            stats.time_to_first_token = seconds_since(start);
        }
        if (!options.ignore_eos && s.model->is_end_of_generation(next)) {
            stats.stop_reason = StopReason::EndOfText;
            break;
        }
        ++stats.generated_tokens;
        if (stream.push(s.model->token_bytes(next))) {
            stats.stop_reason = StopReason::StopString;
            break;
        }
        if (options.max_tokens >= 0 && stats.generated_tokens >= options.max_tokens) {
            stats.stop_reason = StopReason::MaxTokens; // no forward pass needed for the last one
            break;
        }
        if (s.tokens.size() >= static_cast<std::size_t>(s.cache.context)) {
            stats.stop_reason = StopReason::ContextFull;
            break;
        }
        std::vector<Token> extended(s.tokens);
        extended.push_back(next);
        if (!s.run(extended, s.tokens.size(), Transformer::Logits::Last, nullptr)) {
            stats.stop_reason = StopReason::Cancelled;
            break;
        }
        ++decoded;
    }
    stream.finish();
    stats.generation_seconds = seconds_since(decode_start);
    stats.generation_tokens_per_second =
        stats.generation_seconds > 0 && decoded > 0 ? decoded / stats.generation_seconds : 0;
    stats.peak_resident_bytes = peak_resident_bytes();
    return stats;
}

} // namespace tern::engine
