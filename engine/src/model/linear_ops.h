// Products of the forward pass, split across the thread pool: BitLinear layers (int8 activations
// times ternary weights) and the higher-precision output head.
#pragma once

#include "model_weights.h"
#include "tern/kernels/kernels.h"
#include "../runtime/thread_pool.h"

#include <cstdint>
#include <span>
#include <vector>

namespace tern::engine {

// The int8 activations of n tokens entering a BitLinear (absmax per token, FORMATS.md).
struct QuantizedActivations {
    std::vector<std::int8_t> q; // n rows of k (the padded width)
    std::vector<std::int32_t> sums;
    std::vector<float> scales;  // a = 127 / max|x| per token
    std::size_t n = 0;
    std::size_t k = 0;
};

// x holds n rows of `width` floats. Each quantized row is `padded_width` long (the ne[0] of the
// weights reading it, >= width): lanes [width, padded_width) are 0, so a weight whose rows the
// converter zero-padded to whole blocks gives the product of the unpadded layout; the scale and
// the sum only see the real lanes (zeros change neither max|x| nor the sum).
void quantize_activations(const kernels::KernelTable& kt, const float* x, std::size_t n,
                          std::size_t width, std::size_t padded_width, QuantizedActivations& out);

// One output of a fused BitLinear call: y has n rows with stride ldy.
struct TernaryOutput {
    const TernaryWeight* weight;
    float* y;
    std::size_t ldy;
};

// Computes every output from the same quantized input in one parallel section (q, k and v share
// an input, as do gate and up): the rows of all outputs are split evenly across the threads.
void ternary_products(const kernels::KernelTable& kt, ThreadPool& pool,
                      const QuantizedActivations& a, std::span<const TernaryOutput> outputs);

// logits[t * ldy + r] = row r of `m` · x[t] for n tokens (x rows of m.cols floats).
void dense_products(const kernels::KernelTable& kt, ThreadPool& pool, const DenseMatrix& m,
                    const float* x, std::size_t n, float* y, std::size_t ldy);

// Row `row` of a dense matrix as floats (embedding lookup).
void dense_row(const kernels::KernelTable& kt, const DenseMatrix& m, std::size_t row, float* out);

} // namespace tern::engine
