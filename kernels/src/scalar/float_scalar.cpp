// Scalar reference of the float kernels: output-head products and the forward pass's
// element-wise math.
#include "scalar_kernels.h"

#include "tern/kernels/formats.h"

#include <cmath>

namespace tern::kernels::scalar {

void q8_0_matvec(const uint8_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                 const float* x, float* y) {
    const std::size_t blocks = k / kQ80BlockElems;
    for (std::size_t r = row_begin; r < row_end; ++r) {
        const uint8_t* row = w + r * blocks * kQ80BlockBytes;
        float acc = 0.0f;
        for (std::size_t b = 0; b < blocks; ++b) {
            const uint8_t* blk = row + b * kQ80BlockBytes;
            const float d = fp16_to_f32(static_cast<uint16_t>(blk[0] | (blk[1] << 8)));
            const float* xb = x + b * kQ80BlockElems;
            float part = 0.0f;
            for (std::size_t i = 0; i < kQ80BlockElems; ++i) {
                part += static_cast<float>(static_cast<int8_t>(blk[2 + i])) * xb[i];
            }
            acc += d * part;
        }
        y[r] = acc;
    }
}

void f16_matvec(const uint16_t* w, std::size_t k, std::size_t row_begin, std::size_t row_end,
                const float* x, float* y) {
    for (std::size_t r = row_begin; r < row_end; ++r) {
        const uint16_t* row = w + r * k;
        float acc = 0.0f;
        for (std::size_t i = 0; i < k; ++i) {
            acc += fp16_to_f32(row[i]) * x[i];
        }
        y[r] = acc;
    }
}

void rms_norm(const float* x, const float* weight, std::size_t n, float eps, float* y) {
    double sum_sq = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        sum_sq += static_cast<double>(x[i]) * x[i];
    }
    const float mean = static_cast<float>(sum_sq / static_cast<double>(n));
    const float inv = 1.0f / std::sqrt(mean + eps);
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = x[i] * inv * weight[i];
    }
}

void softmax(float* x, std::size_t n) {
    if (n == 0) {
        return;
    }
    float max = x[0];
    for (std::size_t i = 1; i < n; ++i) {
        max = std::fmax(max, x[i]);
    }
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - max);
        sum += x[i];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] *= inv;
    }
}

void rope(float* x, std::size_t n_heads, std::size_t head_dim, std::size_t pos, float theta_base) {
    const std::size_t pairs = head_dim / 2;
    for (std::size_t i = 0; i < pairs; ++i) {
        const double freq = std::pow(static_cast<double>(theta_base),
                                     -2.0 * static_cast<double>(i) / static_cast<double>(head_dim));
        const double angle = static_cast<double>(pos) * freq;
        const float c = static_cast<float>(std::cos(angle));
        const float s = static_cast<float>(std::sin(angle));
        for (std::size_t h = 0; h < n_heads; ++h) {
            float* v = x + h * head_dim + 2 * i;
            const float a = v[0], b = v[1];
            v[0] = a * c - b * s;
            v[1] = a * s + b * c;
        }
    }
}

void silu(const float* x, std::size_t n, float* y) {
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = x[i] / (1.0f + std::exp(-x[i]));
    }
}

void relu2(const float* x, std::size_t n, float* y) {
    for (std::size_t i = 0; i < n; ++i) {
        const float r = x[i] > 0.0f ? x[i] : 0.0f;
        y[i] = r * r;
    }
}

void mul(const float* a, const float* b, std::size_t n, float* y) {
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = a[i] * b[i];
    }
}

void add(const float* a, const float* b, std::size_t n, float* y) {
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = a[i] + b[i];
    }
}

KernelTable make_table(const char* name) {
    KernelTable t{};
    t.name = name;
    t.quantize_act = quantize_act;
    t.i2s_matvec = i2s_matvec;
    t.i2s_matmul = i2s_matmul;
    t.tq2_0_matvec = tq2_0_matvec;
    t.tq1_0_matvec = tq1_0_matvec;
    t.q8_0_matvec = q8_0_matvec;
    t.f16_matvec = f16_matvec;
    t.dequant_row_f16 = f16_dequantize_row;
    t.dequant_row_bf16 = bf16_dequantize_row;
    t.dequant_row_q8_0 = q8_0_dequantize_row;
    t.dequant_row_q6_k = q6_k_dequantize_row;
    t.rms_norm = rms_norm;
    t.softmax = softmax;
    t.rope = rope;
    t.silu = silu;
    t.relu2 = relu2;
    t.mul = mul;
    t.add = add;
    return t;
}

} // namespace tern::kernels::scalar
