#include "transformer.h"

#include "tern/kernels/formats.h"

#include <algorithm>
#include <cmath>

namespace tern::engine {

Transformer::Transformer(const ModelConfig& config, const ModelWeights& weights, ThreadPool& pool)
    : config_(config), weights_(weights), pool_(pool), kt_(kernels::kernels()) {}

KvCache Transformer::make_cache(int context) const {
    KvCache c;
    c.context = context;
    const std::size_t n = static_cast<std::size_t>(config_.layers) * config_.kv_heads *
                          static_cast<std::size_t>(context) * config_.head_dim;
    c.keys.reset(new std::uint16_t[n]);
    c.values.reset(new std::uint16_t[n]);
    c.bytes = 2 * n * sizeof(std::uint16_t);
    return c;
}

ForwardScratch Transformer::make_scratch(int context) const {
    ForwardScratch s;
    s.batch = kMaxBatch;
    const std::size_t b = s.batch;
    const auto dim = static_cast<std::size_t>(config_.dim);
    const auto ffn = static_cast<std::size_t>(config_.ffn_dim);
    const auto kv = static_cast<std::size_t>(config_.kv_heads * config_.head_dim);
    s.x.resize(b * dim);
    s.norm.resize(b * std::max(dim, ffn));
    s.q.resize(b * dim);
    s.k.resize(b * kv);
    s.v.resize(b * kv);
    s.attn.resize(b * dim);
    s.proj.resize(b * dim);
    s.gate.resize(b * ffn);
    s.up.resize(b * ffn);
    s.final_norm.resize(b * dim);
    s.scores.resize(static_cast<std::size_t>(pool_.size()) * static_cast<std::size_t>(context));
    // Quantized inputs are as long as the widest (possibly zero-padded) weight row.
    std::size_t widest = std::max(dim, ffn);
    for (const LayerWeights& L : weights_.layers) {
        widest = std::max({widest, L.q.cols, L.o.cols, L.gate.cols, L.down.cols});
    }
    s.acts.q.resize(b * widest);
    s.acts.sums.reserve(b);
    s.acts.scales.reserve(b);
    return s;
}

bool Transformer::forward(KvCache& cache, ForwardScratch& s, std::span<const Token> tokens, int pos,
                          Logits want,
                          const std::function<void(std::size_t, std::span<const float>)>& on_logits,
                          const std::atomic<bool>* cancel) const {
    if (pos < 0 || tokens.size() > static_cast<std::size_t>(cache.context - pos)) {
        throw Error("the context of " + std::to_string(cache.context) + " tokens is full");
    }
    for (Token t : tokens) {
        if (t < 0 || t >= config_.vocab_size) {
            throw Error("token id " + std::to_string(t) + " is outside the vocabulary (0.." +
                        std::to_string(config_.vocab_size - 1) + ")");
        }
    }
    for (std::size_t done = 0; done < tokens.size(); done += s.batch) {
        const std::size_t n = std::min(s.batch, tokens.size() - done);
        const bool last_batch = done + n == tokens.size();
        const Logits batch_want = want == Logits::All ? Logits::All
                                  : (want == Logits::Last && last_batch) ? Logits::Last
                                                                          : Logits::None;
        if (!forward_batch(cache, s, tokens.subspan(done, n), pos + static_cast<int>(done), batch_want,
                           done, on_logits, cancel)) {
            return false;
        }
    }
    return true;
}

bool Transformer::forward_batch(KvCache& cache, ForwardScratch& s, std::span<const Token> tokens,
                                int pos, Logits want, std::size_t first_index,
                                const std::function<void(std::size_t, std::span<const float>)>& on_logits,
                                const std::atomic<bool>* cancel) const {
    const ModelConfig& c = config_;
    const std::size_t n = tokens.size();
    const auto dim = static_cast<std::size_t>(c.dim);
    const auto ffn = static_cast<std::size_t>(c.ffn_dim);
    const auto kv_dim = static_cast<std::size_t>(c.kv_heads * c.head_dim);
    const auto hd = static_cast<std::size_t>(c.head_dim);
    // Per-token work (norms, rotary embedding, activations) is split over tokens when there are
    // several; a single token's vectors are too short to be worth splitting.
    auto per_token = [&](const std::function<void(std::size_t)>& body) {
        pool_.parallel_for(n, 1, [&](std::size_t b, std::size_t e) {
            for (std::size_t t = b; t < e; ++t) {
                body(t);
            }
        });
    };

    for (std::size_t t = 0; t < n; ++t) {
        dense_row(kt_, weights_.token_embd, static_cast<std::size_t>(tokens[t]), s.x.data() + t * dim);
    }

    for (std::size_t l = 0; l < weights_.layers.size(); ++l) {
        if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
            return false;
        }
        const LayerWeights& L = weights_.layers[l];

        // Attention: h = x + o(sub_norm(attention(rms_norm(x)))).
        per_token([&](std::size_t t) {
            kt_.rms_norm(s.x.data() + t * dim, L.attn_norm.data(), dim, c.norm_eps, s.norm.data() + t * dim);
        });
        quantize_activations(kt_, s.norm.data(), n, dim, L.q.cols, s.acts);
        const TernaryOutput qkv[] = {{&L.q, s.q.data(), dim}, {&L.k, s.k.data(), kv_dim}, {&L.v, s.v.data(), kv_dim}};
        ternary_products(kt_, pool_, s.acts, qkv);
        per_token([&](std::size_t t) {
            const auto p = static_cast<std::size_t>(pos) + t;
            kt_.rope(s.q.data() + t * dim, static_cast<std::size_t>(c.heads), hd, p, c.rope_theta);
            kt_.rope(s.k.data() + t * kv_dim, static_cast<std::size_t>(c.kv_heads), hd, p, c.rope_theta);
        });
        attention(cache, s, l, n, pos);
        const float* attn_in = s.attn.data();
        if (!L.attn_sub_norm.empty()) {
            per_token([&](std::size_t t) {
                kt_.rms_norm(s.attn.data() + t * dim, L.attn_sub_norm.data(), dim, c.norm_eps,
                             s.norm.data() + t * dim);
            });
            attn_in = s.norm.data();
        }
        quantize_activations(kt_, attn_in, n, dim, L.o.cols, s.acts);
        const TernaryOutput o[] = {{&L.o, s.proj.data(), dim}};
        ternary_products(kt_, pool_, s.acts, o);
        kt_.add(s.x.data(), s.proj.data(), n * dim, s.x.data());

        // Feed-forward: out = h + down(sub_norm(act(gate(g)) * up(g))), g = rms_norm(h).
        per_token([&](std::size_t t) {
            kt_.rms_norm(s.x.data() + t * dim, L.ffn_norm.data(), dim, c.norm_eps, s.norm.data() + t * dim);
        });
        quantize_activations(kt_, s.norm.data(), n, dim, L.gate.cols, s.acts);
        const TernaryOutput gate_up[] = {{&L.gate, s.gate.data(), ffn}, {&L.up, s.up.data(), ffn}};
        ternary_products(kt_, pool_, s.acts, gate_up);
        per_token([&](std::size_t t) {
            float* g = s.gate.data() + t * ffn;
            if (c.activation == Activation::Relu2) {
                kt_.relu2(g, ffn, g);
            } else {
                kt_.silu(g, ffn, g);
            }
            kt_.mul(g, s.up.data() + t * ffn, ffn, g);
            if (!L.ffn_sub_norm.empty()) {
                kt_.rms_norm(g, L.ffn_sub_norm.data(), ffn, c.norm_eps, g);
            }
        });
        quantize_activations(kt_, s.gate.data(), n, ffn, L.down.cols, s.acts);
        const TernaryOutput down[] = {{&L.down, s.proj.data(), dim}};
        ternary_products(kt_, pool_, s.acts, down);
        kt_.add(s.x.data(), s.proj.data(), n * dim, s.x.data());
    }

    if (want == Logits::None || !on_logits) {
        return true;
    }
    const std::size_t first = want == Logits::Last ? n - 1 : 0;
    const std::size_t vocab = static_cast<std::size_t>(c.vocab_size);
    // Logits in groups of a few tokens: enough to reuse each head row from cache, little memory.
    constexpr std::size_t kGroup = 8;
    std::vector<float> logits(std::min(kGroup, n - first) * vocab);
    for (std::size_t g0 = first; g0 < n; g0 += kGroup) {
        const std::size_t g = std::min(kGroup, n - g0);
        for (std::size_t t = 0; t < g; ++t) {
            kt_.rms_norm(s.x.data() + (g0 + t) * dim, weights_.output_norm.data(), dim, c.norm_eps,
                         s.final_norm.data() + t * dim);
        }
        dense_products(kt_, pool_, weights_.output, s.final_norm.data(), g, logits.data(), vocab);
        for (std::size_t t = 0; t < g; ++t) {
            on_logits(first_index + g0 + t, std::span<const float>(logits.data() + t * vocab, vocab));
        }
    }
    return true;
}

void Transformer::attention(KvCache& cache, ForwardScratch& s, std::size_t layer, std::size_t n, int pos) const {
    const ModelConfig& c = config_;
    const auto dim = static_cast<std::size_t>(c.dim);
    const auto hd = static_cast<std::size_t>(c.head_dim);
    const auto kv_heads = static_cast<std::size_t>(c.kv_heads);
    const auto kv_dim = kv_heads * hd;
    const auto ctx = static_cast<std::size_t>(cache.context);
    const std::size_t group = static_cast<std::size_t>(c.heads) / kv_heads;
    std::uint16_t* keys = cache.keys.get() + layer * kv_heads * ctx * hd;
    std::uint16_t* values = cache.values.get() + layer * kv_heads * ctx * hd;

    // Store this batch's keys and values first: token t attends to every position up to its own.
    for (std::size_t t = 0; t < n; ++t) {
        const std::size_t p = static_cast<std::size_t>(pos) + t;
        for (std::size_t h = 0; h < kv_heads; ++h) {
            const float* kt = s.k.data() + t * kv_dim + h * hd;
            const float* vt = s.v.data() + t * kv_dim + h * hd;
            std::uint16_t* krow = keys + (h * ctx + p) * hd;
            std::uint16_t* vcol = values + h * hd * ctx + p;
            for (std::size_t d = 0; d < hd; ++d) {
                krow[d] = kernels::f32_to_fp16(kt[d]);
                vcol[d * ctx] = kernels::f32_to_fp16(vt[d]);
            }
        }
    }

    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    const std::size_t items = n * static_cast<std::size_t>(c.heads);
    pool_.run([&](int index, int count) {
        float* scores = s.scores.data() + static_cast<std::size_t>(index) * ctx;
        for (std::size_t item = static_cast<std::size_t>(index); item < items;
             item += static_cast<std::size_t>(count)) {
            const std::size_t t = item / static_cast<std::size_t>(c.heads);
            const std::size_t h = item % static_cast<std::size_t>(c.heads);
            const std::size_t kvh = h / group;
            const std::size_t len = static_cast<std::size_t>(pos) + t + 1;
            const float* q = s.q.data() + t * dim + h * hd;
            kt_.f16_matvec(keys + kvh * ctx * hd, hd, 0, len, q, scores);
            for (std::size_t p = 0; p < len; ++p) {
                scores[p] *= scale;
            }
            kt_.softmax(scores, len);
            float* out = s.attn.data() + t * dim + h * hd;
            const std::uint16_t* vbase = values + kvh * hd * ctx;
            for (std::size_t d = 0; d < hd; ++d) {
                kt_.f16_matvec(vbase + d * ctx, len, 0, 1, scores, out + d);
            }
        }
    });
}

} // namespace tern::engine
