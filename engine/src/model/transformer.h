// The forward pass of the supported architectures: embeddings, blocks of attention and
// feed-forward layers with BitLinear products, and the output head. One function, top to bottom.
#pragma once

#include "linear_ops.h"
#include "model_config.h"
#include "model_weights.h"
#include "tern/engine/engine.h"

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace tern::engine {

// Keys and values of every position so far, in fp16. Keys are stored [layer][kv_head][pos][dim]
// so q·K is one fp16 matrix-vector product; values are stored transposed, [layer][kv_head][dim]
// [pos], so the weighted sum over positions is one dot product per dimension.
struct KvCache {
    int context = 0;
    std::unique_ptr<std::uint16_t[]> keys;   // left uninitialized: pages are touched as used
    std::unique_ptr<std::uint16_t[]> values;
    std::uint64_t bytes = 0;
};

// Scratch buffers of one session, sized for batches of up to `batch` tokens.
struct ForwardScratch {
    std::size_t batch = 0;
    std::vector<float> x, norm, q, k, v, attn, proj, gate, up, final_norm;
    std::vector<float> scores; // threads x context
    QuantizedActivations acts;
};

class Transformer {
public:
    Transformer(const ModelConfig& config, const ModelWeights& weights, ThreadPool& pool);

    static constexpr std::size_t kMaxBatch = 64;

    KvCache make_cache(int context) const;
    ForwardScratch make_scratch(int context) const;

    // Which logits a forward call produces.
    enum class Logits { None, Last, All };

    // Runs `tokens` at positions [pos, pos + tokens.size()), writing their keys and values into the
    // cache. With Logits::Last, `on_logits(tokens.size() - 1, row)`; with All, once per position.
    // Returns false (with the cache valid only up to `pos`) when `cancel` became true.
    bool forward(KvCache& cache, ForwardScratch& s, std::span<const Token> tokens, int pos,
                 Logits want, const std::function<void(std::size_t, std::span<const float>)>& on_logits,
                 const std::atomic<bool>* cancel) const;

    const ModelConfig& config() const { return config_; }

private:
    bool forward_batch(KvCache& cache, ForwardScratch& s, std::span<const Token> tokens, int pos,
                       Logits want, std::size_t first_index,
                       const std::function<void(std::size_t, std::span<const float>)>& on_logits,
                       const std::atomic<bool>* cancel) const;
    void attention(KvCache& cache, ForwardScratch& s, std::size_t layer, std::size_t n, int pos) const;

    const ModelConfig& config_;
    const ModelWeights& weights_;
    ThreadPool& pool_;
    const kernels::KernelTable& kt_;
};

} // namespace tern::engine
