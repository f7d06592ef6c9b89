// The engine's public API: load a model, hold a conversation's KV cache, generate text.
// The Qt app, tern-cli and the tests all drive the engine through this header, the same way.
// Plain C++: no Qt types here.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tern::engine {

// Every engine failure a user can cause (bad file, bad option, full context...) is an Error whose
// message names the file or the option and says what is wrong.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown when a load or a generation was cancelled by its caller.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

using Token = std::int32_t;

struct LoadOptions {
    int threads = 0;          // 0: the number of physical cores
    int context_length = 0;   // 0: the model's own, capped at 4096 to bound the KV cache
    bool requantize_output_to_q8_0 = false; // an F16 output head becomes Q8_0 at load time
    // Called with 0..1 while loading; return false to cancel (load() then throws Cancelled).
    std::function<bool(float progress)> on_progress;
};

struct ModelInfo {
    std::string path;
    std::string name;           // general.name, or the file name
    std::string architecture;   // "bitnet-b1.58", "bitnet", "llama"...
    std::string weight_type;    // "I2_S", "TQ2_0", "TQ1_0"
    std::string kernel_variant; // "avx512-vnni", "avx2", "neon-dotprod", "scalar"...
    std::uint64_t file_size = 0;
    std::uint64_t parameters = 0;
    int vocab_size = 0;
    int context_length = 0;     // the context this load uses (see LoadOptions)
    int train_context_length = 0;
    int threads = 0;
    // Added after the first version of this header:
    std::string output_type;    // the output head's type as used ("F16", "Q8_0" after requantizing)
    int layers = 0;
    int embedding_length = 0;
    // Bytes of weights a decoded token reads: every block weight plus the output head.
    std::uint64_t weight_bytes_per_token = 0;
    bool has_tokenizer = false; // false for synthetic benchmark files (tokenizer() then throws)
};

class Tokenizer;

class Model {
public:
    // Throws Error (naming the file and the problem) or Cancelled.
    static std::shared_ptr<Model> load(const std::string& path, const LoadOptions& options = {});
    virtual ~Model() = default;

    virtual const ModelInfo& info() const = 0;
    virtual const Tokenizer& tokenizer() const = 0;
    // The chat template the model carries (empty when none), after known-broken ones are replaced.
    virtual std::string chat_template() const = 0;
};

struct SamplingParams {
    float temperature = 0.8f;     // 0: greedy
    int top_k = 40;               // 0: off
    float top_p = 0.95f;          // 1: off
    float min_p = 0.05f;          // 0: off
    float repetition_penalty = 1.1f; // 1: off
    float presence_penalty = 0.0f;   // 0: off
    int penalty_last_n = 64;
    std::uint64_t seed = 0;       // the same seed gives the same text
};

// Throws Error naming the parameter when one is out of range (generate() checks the same).
void check_sampling_params(const SamplingParams& params);

struct GenerateOptions {
    int max_tokens = 512;         // -1: until end of text or a full context
    SamplingParams sampling;
    std::vector<std::string> stop_strings;
    bool ignore_eos = false;      // keep generating past end-of-text tokens (benchmarks)
};

enum class StopReason { EndOfText, StopString, MaxTokens, Cancelled, ContextFull };

struct TurnStats {
    int prompt_tokens = 0;        // tokens in the request
    int reused_tokens = 0;        // of those, already in the KV cache (common prefix)
    int generated_tokens = 0;
    double prompt_seconds = 0;
    double generation_seconds = 0;
    double time_to_first_token = 0; // seconds from the call to the first generated token
    double prompt_tokens_per_second = 0;
    double generation_tokens_per_second = 0;
    std::uint64_t peak_resident_bytes = 0;
    StopReason stop_reason = StopReason::EndOfText;
};

// One conversation: the KV cache of its tokens. Not thread-safe, except cancel().
class Session {
public:
    explicit Session(std::shared_ptr<const Model> model);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Processes `prompt` (the whole conversation so far, as tokens), reusing the KV cache for the
    // prefix it shares with the previous call, then generates. `on_text` receives the reply as it
    // is produced, in pieces that never split a UTF-8 character; stop strings are never emitted.
    TurnStats generate(std::span<const Token> prompt, const GenerateOptions& options,
                       const std::function<void(std::string_view piece)>& on_text);

    // Safe from any thread; generate() returns within one token with StopReason::Cancelled.
    void cancel();

    // Processes `tokens` after the cached prefix they share with the previous call (like
    // generate's prompt) without sampling, calling on_logits(i, logits) for every position i of
    // `tokens` that had to be computed (i >= the reused count, which is returned). For
    // perplexity and logits dumps. With a null on_logits only the last position's logits are
    // computed (prompt processing). Throws Error when the tokens exceed the context.
    int evaluate(std::span<const Token> tokens,
                 const std::function<void(std::size_t index, std::span<const float> logits)>& on_logits);

    // Logits of the last processed position (vocab_size floats), for tests and tools.
    std::span<const float> last_logits() const;

    int context_used() const;
    std::uint64_t kv_cache_bytes() const; // reserved for the whole context
    int context_size() const;
    void reset();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Peak resident memory of this process so far, in bytes (0 when the OS does not say).
std::uint64_t peak_resident_memory();
// Starts the peak over from the current resident memory, so a benchmark can measure one phase.
// Returns false where the OS has no way to do it (only Linux has); the peak then keeps counting
// from the start of the process.
bool reset_peak_resident_memory();

struct ChatMessage {
    std::string role; // "system", "user", "assistant"
    std::string content;
};

} // namespace tern::engine
