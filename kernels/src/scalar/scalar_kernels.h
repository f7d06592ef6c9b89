// The scalar reference kernels (internal). SIMD variants reuse the ones they do not replace.
#pragma once

#include "tern/kernels/kernels.h"

namespace tern::kernels::scalar {

ActQuant quantize_act(const float* x, std::size_t k, int8_t* q);
void i2s_matvec(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                const int8_t* q, int32_t q_sum, float out_scale, float* y);
void i2s_matmul(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                const int8_t* q, const int32_t* q_sums, const float* out_scales, std::size_t n,
                float* y, std::size_t ldy);
void tq2_0_matvec(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                  const int8_t* q, float out_scale, float* y);
void tq1_0_matvec(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                  const int8_t* q, float out_scale, float* y);

void q8_0_matvec(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                 const float* x, float* y);
void f16_matvec(const uint16_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                const float* x, float* y);

void rms_norm(const float* x, const float* weight, std::size_t n, float eps, float* y);
void softmax(float* x, std::size_t n);
void rope(float* x, std::size_t n_heads, std::size_t head_dim, std::size_t pos, float theta_base);
void silu(const float* x, std::size_t n, float* y);
void relu2(const float* x, std::size_t n, float* y);
void mul(const float* a, const float* b, std::size_t n, float* y);
void add(const float* a, const float* b, std::size_t n, float* y);

// A table with every entry set to the scalar reference and the given name; variants start
// from it and replace what they accelerate.
KernelTable make_table(const char* name);

} // namespace tern::kernels::scalar
