// Scalar reference of the ternary kernels: activation quantization, I2_S, TQ2_0, TQ1_0.
#include "scalar_kernels.h"

#include "tern/kernels/formats.h"

#include <cmath>

namespace tern::kernels::scalar {

ActQuant quantize_act(const float* x, std::size_t k, int8_t* q) {
    float max_abs = 0.0f;
    for (std::size_t i = 0; i < k; ++i) {
        max_abs = std::fmax(max_abs, std::fabs(x[i]));
    }
    // bitnet.cpp's rule: the scale in double, stored as float; the float product rounded to
    // nearest with ties to even (std::nearbyint in the default rounding mode).
    const double floor_max = max_abs > 1e-5 ? static_cast<double>(max_abs) : 1e-5;
    const float a = static_cast<float>(127.0 / floor_max);
    int32_t sum = 0;
    for (std::size_t i = 0; i < k; ++i) {
        float v = std::nearbyint(x[i] * a);
        v = v < -128.0f ? -128.0f : (v > 127.0f ? 127.0f : v);
        q[i] = static_cast<int8_t>(v);
        sum += q[i];
    }
    return {a, sum};
}

namespace {
// sum_j code(j) * q[j] over one I2_S row of K elements.
int32_t i2s_row_code_dot(const uint8_t* row, std::size_t k, const int8_t* q) {
    int32_t dot = 0;
    for (std::size_t block = 0; block < k / kI2sBlockElems; ++block) {
        const uint8_t* b = row + block * kI2sBlockBytes;
        const int8_t* a = q + block * kI2sBlockElems;
        for (int i = 0; i < 32; ++i) {
            dot += ((b[i] >> 6) & 3) * a[i] + ((b[i] >> 4) & 3) * a[32 + i] +
                   ((b[i] >> 2) & 3) * a[64 + i] + (b[i] & 3) * a[96 + i];
        }
    }
    return dot;
}
} // namespace

void i2s_matvec(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                const int8_t* q, int32_t q_sum, float out_scale, float* y) {
    const std::size_t row_bytes = k / 4;
    for (std::size_t r = row_begin; r < row_end; ++r) {
        const int32_t dot = i2s_row_code_dot(w + r * row_bytes, k, q) - q_sum;
        y[r] = static_cast<float>(dot) * out_scale;
    }
}

void i2s_matmul(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                const int8_t* q, const int32_t* q_sums, const float* out_scales, std::size_t n,
                float* y, std::size_t ldy) {
    for (std::size_t t = 0; t < n; ++t) {
        i2s_matvec(w, k, row_begin, row_end, q + t * k, q_sums[t], out_scales[t], y + t * ldy);
    }
}

namespace {
float block_scale(const uint8_t* p) {
    return fp16_to_f32(static_cast<uint16_t>(p[0] | (p[1] << 8)));
}
} // namespace

void tq2_0_matvec(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                  const int8_t* q, float out_scale, float* y) {
    const std::size_t blocks = k / kQkK;
    for (std::size_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = w + r * blocks * kTq2BlockBytes;
        float acc = 0.0f;
        for (std::size_t b = 0; b < blocks; ++b) {
            const uint8_t* blk = row + b * kTq2BlockBytes;
            const int8_t* a = q + b * kQkK;
            int32_t dot = 0;
            for (int half = 0; half < 2; ++half) {
                for (int n = 0; n < 4; ++n) {
                    for (int m = 0; m < 32; ++m) {
                        const int code = (blk[32 * half + m] >> (2 * n)) & 3;
                        dot += (code - 1) * a[128 * half + 32 * n + m];
                    }
                }
            }
            acc += block_scale(blk + 64) * static_cast<float>(dot);
        }
        y[r] = acc * out_scale;
    }
}

void tq1_0_matvec(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                  const int8_t* q, float out_scale, float* y) {
    static const uint8_t pow3[5] = {1, 3, 9, 27, 81};
    const std::size_t blocks = k / kQkK;
    for (std::size_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = w + r * blocks * kTq1BlockBytes;
        float acc = 0.0f;
        for (std::size_t b = 0; b < blocks; ++b) {
            const uint8_t* blk = row + b * kTq1BlockBytes;
            const int8_t* a = q + b * kQkK;
            int32_t dot = 0;
            for (int n = 0; n < 5; ++n) {
                for (int m = 0; m < 32; ++m) {
                    const int digit = (static_cast<uint8_t>(blk[m] * pow3[n]) * 3) >> 8;
                    dot += (digit - 1) * a[32 * n + m];
                }
                for (int m = 0; m < 16; ++m) {
                    const int digit = (static_cast<uint8_t>(blk[32 + m] * pow3[n]) * 3) >> 8;
                    dot += (digit - 1) * a[160 + 16 * n + m];
                }
            }
            for (int n = 0; n < 4; ++n) {
                for (int j = 0; j < 4; ++j) {
                    const int digit = (static_cast<uint8_t>(blk[48 + j] * pow3[n]) * 3) >> 8;
                    dot += (digit - 1) * a[240 + 4 * n + j];
                }
            }
            acc += block_scale(blk + 52) * static_cast<float>(dot);
        }
        y[r] = acc * out_scale;
    }
}

} // namespace tern::kernels::scalar
