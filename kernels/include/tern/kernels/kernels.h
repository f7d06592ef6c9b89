// The kernel dispatch table: one set of function pointers per CPU variant, chosen once at
// start-up from cpu_features() (or forced with TERN_CPU=scalar|avx2|avx512|neon|neon-dotprod).
//
// Conventions shared by every kernel:
// - Weight matrices have M rows of K elements ("rows" are output features). Kernels that take
//   [row_begin, row_end) compute only those rows, so a thread pool can split the work; y is
//   indexed by absolute row (y[r], not y[r - row_begin]).
// - Kernels never allocate and never throw; shapes are the caller's responsibility (K a multiple
//   of the format's block; formats.h's size functions validate shapes when loading).
// - Splitting rows over threads: any split is correct. For speed, give i2s_matmul ranges of
//   multiples of 32 rows (its AVX-512 panel) and give every thread a contiguous range: the
//   I2_S matvec is memory-bound (it streams the weights once, K/4 bytes per row) and a
//   contiguous range is one sequential stream for the hardware prefetcher.
// - Integer-accumulating kernels (I2_S, TQ2_0/TQ1_0 inner sums) give identical results in every
//   variant. Float kernels may differ from the scalar reference by the tolerances stated below
//   (from a different summation order only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tern::kernels {

// Result of per-token activation quantization.
struct ActQuant {
    float scale; // a = float(127.0 / max(max|x|, 1e-5)), computed in double; q = x * a rounded
    int32_t sum; // sum of the K quantized values (undoes the I2_S/TQ code offset of +1)
};

struct KernelTable {
    const char*
        name; // "scalar", "avx2", "avx2-vnni", "avx512", "avx512-vnni", "neon", "neon-dotprod"

    // ---- ternary path ----
    // q[i] = clamp(nearest_even(x[i] * a), -128, 127), the product x[i] * a in float; returns
    // {a, sum(q)}. Bit-exact in every variant.
    ActQuant (*quantize_act)(const float* x, std::size_t k, int8_t* q);

    // I2_S matrix-vector product on the file layout (w = the tensor's first byte, row stride
    // K/4). For r in [row_begin, row_end):
    //   y[r] = float(sum_j (code(r, j) - 1) * q[j]) * out_scale
    // where the sum is exact int32 (sum_j code * q[j] - q_sum) and out_scale is the caller's
    // combined scale, normally weight_scale / act.scale. K % 128 == 0. (Code 3, which valid
    // files never contain, counts as +2.)
    void (*i2s_matvec)(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                       const int8_t* q, int32_t q_sum, float out_scale, float* y);

    // I2_S matrix-matrix product for n tokens: q holds n rows of K int8 (row stride K), q_sums
    // and out_scales one entry per token. For t < n and r in [row_begin, row_end):
    //   y[t * ldy + r] = float(sum_j (code(r, j) - 1) * q[t * K + j]) * out_scales[t]
    // Identical to n calls of i2s_matvec. Works for any n >= 1.
    void (*i2s_matmul)(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                       const int8_t* q, const int32_t* q_sums, const float* out_scales,
                       std::size_t n, float* y, std::size_t ldy);

    // TQ2_0 / TQ1_0 matrix-vector products (row stride tq*_row_bytes(K), K % 256 == 0), with
    // int8 activations from quantize_act:
    //   y[r] = out_scale * sum over blocks b in order of (d_b * float(sum_{i in b} t_i * q_i))
    // The inner sums are exact integers; the float sum over blocks may differ from the scalar
    // reference by 1e-6 relative to sum_b |d_b * inner_b|.
    void (*tq2_0_matvec)(const uint8_t* w, std::size_t k, std::size_t row_begin,
                         std::size_t row_end, const int8_t* q, float out_scale, float* y);
    void (*tq1_0_matvec)(const uint8_t* w, std::size_t k, std::size_t row_begin,
                         std::size_t row_end, const int8_t* q, float out_scale, float* y);

    // ---- output head (float activations) ----
    // y[r] = sum_j w(r, j) * x[j] with w dequantized exactly (Q8_0: row stride
    // q8_0_row_bytes(K), K % 32 == 0; F16: row stride K halves). Tolerance vs scalar:
    // 1e-5 * sum_j |w(r, j) * x[j]| (float summation order).
    void (*q8_0_matvec)(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                        const float* x, float* y);
    void (*f16_matvec)(const uint16_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                       const float* x, float* y);

    // ---- row dequantization (embedding lookup); exact, same results in every variant ----
    void (*dequant_row_f16)(const uint16_t* in, std::size_t k, float* y);
    void (*dequant_row_bf16)(const uint16_t* in, std::size_t k, float* y);
    void (*dequant_row_q8_0)(const uint8_t* in, std::size_t k, float* y);
    void (*dequant_row_q6_k)(const uint8_t* in, std::size_t k, float* y);

    // ---- float kernels of the forward pass; y may alias x (in-place use is allowed) ----
    // y[i] = x[i] * (1 / sqrt(mean(x^2) + eps)) * weight[i]. Tolerance: 1e-5 relative.
    void (*rms_norm)(const float* x, const float* weight, std::size_t n, float eps, float* y);
    // In place: x[i] = exp(x[i] - max) / sum. Tolerance: 1e-6 absolute.
    void (*softmax)(float* x, std::size_t n);
    // Rotary embedding, GGUF/llama.cpp "normal" convention (Q/K already permuted in the file):
    // x holds n_heads vectors of head_dim floats; in each, pairs (x[2i], x[2i+1]) for
    // i < head_dim/2 are rotated by angle pos * theta_base^(-2i / head_dim):
    //   x'[2i] = x[2i] cos - x[2i+1] sin,  x'[2i+1] = x[2i] sin + x[2i+1] cos.
    // The angle is computed in double. Tolerance: 1e-5 absolute for |x| <= 1.
    void (*rope)(float* x, std::size_t n_heads, std::size_t head_dim, std::size_t pos,
                 float theta_base);
    // y[i] = x[i] / (1 + exp(-x[i])). Tolerance: 1e-6 relative.
    void (*silu)(const float* x, std::size_t n, float* y);
    // y[i] = max(x[i], 0)^2. Exact.
    void (*relu2)(const float* x, std::size_t n, float* y);
    // mul: y[i] = a[i] * b[i]; add: y[i] = a[i] + b[i]. Exact.
    void (*mul)(const float* a, const float* b, std::size_t n, float* y);
    void (*add)(const float* a, const float* b, std::size_t n, float* y);
};

// Raised when TERN_CPU (or select_kernels' argument) names an unknown variant or one this CPU
// cannot run. what() is a message a user can act on.
class KernelSelectionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The table in use: chosen on the first call from TERN_CPU if set, else the best variant for
// this CPU. Throws KernelSelectionError on a bad TERN_CPU (every call, until fixed).
const KernelTable& kernels();

// Name of the variant kernels() returns, e.g. "avx512-vnni". Throws like kernels().
const char* kernel_variant_name();

// Picks a variant by request: "" or "auto" = best available; "scalar"; "avx2" (with AVX-VNNI
// when present); "avx512" (with VNNI when present); "neon"; "neon-dotprod"; or an exact
// variant name. Throws KernelSelectionError for unknown or unsupported requests.
const KernelTable& select_kernels(std::string_view request);

// Every variant this CPU can run, scalar first, best last (for tests and benchmarks).
std::vector<const KernelTable*> supported_kernel_tables();

// The scalar reference table (always available).
const KernelTable& scalar_kernels();

} // namespace tern::kernels
