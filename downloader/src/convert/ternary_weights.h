// One block linear layer of a checkpoint seen as ternary codes {-1, 0, +1} and one tensor scale,
// whatever the checkpoint stored: latent full-precision weights (ternarized here with absmean)
// or transformers' packed 2-bit layout with a weight_scale. Rows come out in GGUF order (Q and K
// permuted to the adjacent-pair rotary convention) and are read straight from the memory map, so
// converting a layer needs no copy of the whole tensor.
#pragma once

#include "tern/downloader/converter.h"
#include "tern/engine/safetensors.h"

#include <cstdint>
#include <string>

namespace tern::downloader::convert {

// Converts `n` elements starting at element `first` of an F32/F16/BF16 tensor to float32.
void load_floats(const engine::SafetensorsTensor& tensor, std::uint64_t first, std::size_t n,
                 float* out);

// Maps GGUF row `r` to the Hugging Face row it comes from. llama.cpp's convention: Hugging Face
// stores each head's rotary pairs as (i, i + d/2); GGUF stores them adjacent (2i, 2i + 1). With
// `heads` == 0 the map is the identity.
std::uint64_t rotary_source_row(std::uint64_t r, std::uint64_t rows, std::uint64_t heads);

class TernaryWeights {
public:
    // Latent weights (F32/F16/BF16) of shape [rows, cols]: absmean ternarization,
    // s = mean(|W|) (at least 1e-5), t = clamp(round(W * (1/s)), -1, 1) with ties to even,
    // which is transformers' and BitNet's training-time rule (W times the inverse scale).
    // The absmean pass runs on `threads` threads; the result does not depend on their number.
    static TernaryWeights latent(const engine::SafetensorsTensor& weight, std::uint64_t rows,
                                 std::uint64_t cols, std::uint64_t rotary_heads,
                                 unsigned threads = 1);
    // Packed U8 weights of shape [rows/4, cols]: bits 2i..2i+1 of packed row p hold row
    // i * (rows/4) + p as code t + 1. `scale_tensor` is the scalar weight_scale.
    static TernaryWeights packed(const engine::SafetensorsTensor& weight,
                                 const engine::SafetensorsTensor& scale_tensor, PackedScale rule,
                                 std::uint64_t rows, std::uint64_t cols, std::uint64_t rotary_heads);

    std::uint64_t rows() const { return rows_; }
    std::uint64_t cols() const { return cols_; }
    // The effective weight is t * scale().
    float scale() const { return scale_; }

    // Writes the `cols()` codes of GGUF row `r` to `out`. Throws Error naming the tensor when a
    // packed code is the invalid value 3.
    void row(std::uint64_t r, std::int8_t* out) const;

    // The weight_scale as stored (packed checkpoints), for the choice of rule.
    static float stored_scale(const engine::SafetensorsTensor& scale_tensor);

private:
    const engine::SafetensorsTensor* weight_ = nullptr;
    std::uint64_t rows_ = 0;
    std::uint64_t cols_ = 0;
    std::uint64_t rotary_heads_ = 0;
    bool packed_ = false;
    float scale_ = 1.0f;
    float inverse_scale_ = 1.0f;
};

} // namespace tern::downloader::convert
