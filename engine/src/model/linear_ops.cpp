#include "linear_ops.h"

#include "tern/kernels/formats.h"

#include <algorithm>
#include <cstring>

namespace tern::engine {

void quantize_activations(const kernels::KernelTable& kt, const float* x, std::size_t n,
                          std::size_t width, std::size_t padded_width, QuantizedActivations& out) {
    const std::size_t k = padded_width;
    out.n = n;
    out.k = k;
    if (out.q.size() < n * k) {
        out.q.resize(n * k);
    }
    out.sums.resize(n);
    out.scales.resize(n);
    for (std::size_t t = 0; t < n; ++t) {
        const auto r = kt.quantize_act(x + t * width, width, out.q.data() + t * k);
        out.sums[t] = r.sum;
        out.scales[t] = r.scale;
        if (k != width) {
            std::memset(out.q.data() + t * k + width, 0, k - width);
        }
    }
}

namespace {

// Rows [begin, end) of one weight for every token.
void ternary_rows(const kernels::KernelTable& kt, const QuantizedActivations& a, const TernaryOutput& o,
                  std::size_t begin, std::size_t end) {
    const TernaryWeight& w = *o.weight;
    const std::size_t n = a.n;
    if (w.type == TensorType::I2_S) {
        if (n == 1) {
            kt.i2s_matvec(w.data, w.cols, begin, end, a.q.data(), a.sums[0], w.scale / a.scales[0], o.y);
            return;
        }
        float out_scales[256];
        for (std::size_t t0 = 0; t0 < n; t0 += 256) {
            const std::size_t nt = std::min<std::size_t>(256, n - t0);
            for (std::size_t t = 0; t < nt; ++t) {
                out_scales[t] = w.scale / a.scales[t0 + t];
            }
            kt.i2s_matmul(w.data, w.cols, begin, end, a.q.data() + t0 * a.k, a.sums.data() + t0,
                          out_scales, nt, o.y + t0 * o.ldy, o.ldy);
        }
        return;
    }
    const auto matvec = w.type == TensorType::TQ2_0 ? kt.tq2_0_matvec : kt.tq1_0_matvec;
    for (std::size_t t = 0; t < n; ++t) {
        matvec(w.data, w.cols, begin, end, a.q.data() + t * a.k, w.scale / a.scales[t], o.y + t * o.ldy);
    }
}

} // namespace

void ternary_products(const kernels::KernelTable& kt, ThreadPool& pool,
                      const QuantizedActivations& a, std::span<const TernaryOutput> outputs) {
    std::size_t total = 0;
    for (const auto& o : outputs) {
        total += o.weight->rows;
    }
    // Split the concatenated rows in multiples of 16 so each thread's share stays cache-friendly.
    pool.parallel_for(total, 16, [&](std::size_t begin, std::size_t end) {
        std::size_t base = 0;
        for (const auto& o : outputs) {
            const std::size_t rows = o.weight->rows;
            const std::size_t lo = std::max(begin, base);
            const std::size_t hi = std::min(end, base + rows);
            if (lo < hi) {
                ternary_rows(kt, a, o, lo - base, hi - base);
            }
            base += rows;
        }
    });
}

void dense_row(const kernels::KernelTable& kt, const DenseMatrix& m, std::size_t row, float* out) {
    const std::uint8_t* p = m.data + row * m.row_bytes;
    switch (m.type) {
    case TensorType::F32: std::memcpy(out, p, m.cols * 4); break;
    case TensorType::F16: kt.dequant_row_f16(reinterpret_cast<const std::uint16_t*>(p), m.cols, out); break;
    case TensorType::BF16: kt.dequant_row_bf16(reinterpret_cast<const std::uint16_t*>(p), m.cols, out); break;
    case TensorType::Q8_0: kt.dequant_row_q8_0(p, m.cols, out); break;
    case TensorType::Q6_K: kt.dequant_row_q6_k(p, m.cols, out); break;
    default: break; // bind_weights only accepts the types above
    }
}

namespace {

// Rows [begin, end) for n tokens. Rows are visited in small blocks and every token is applied to a
// block before moving on, so a block is read from memory once however many tokens there are.
void dense_rows(const kernels::KernelTable& kt, const DenseMatrix& m, const float* x, std::size_t n,
                float* y, std::size_t ldy, std::size_t begin, std::size_t end) {
    constexpr std::size_t kBlock = 32;
    std::vector<float> row;
    for (std::size_t r0 = begin; r0 < end; r0 += kBlock) {
        const std::size_t r1 = std::min(end, r0 + kBlock);
        for (std::size_t t = 0; t < n; ++t) {
            const float* xt = x + t * m.cols;
            float* yt = y + t * ldy;
            switch (m.type) {
            case TensorType::F16:
                kt.f16_matvec(reinterpret_cast<const std::uint16_t*>(m.data), m.cols, r0, r1, xt, yt);
                break;
            case TensorType::Q8_0: kt.q8_0_matvec(m.data, m.cols, r0, r1, xt, yt); break;
            default:
                // F32, BF16 and Q6_K heads are rare (tests, some upstream files): dequantize a row
                // at a time and take a plain dot product.
                row.resize(m.cols);
                for (std::size_t r = r0; r < r1; ++r) {
                    dense_row(kt, m, r, row.data());
                    double sum = 0;
                    for (std::size_t j = 0; j < m.cols; ++j) {
                        sum += static_cast<double>(row[j]) * xt[j];
                    }
                    yt[r] = static_cast<float>(sum);
                }
                break;
            }
        }
    }
}

} // namespace

void dense_products(const kernels::KernelTable& kt, ThreadPool& pool, const DenseMatrix& m,
                    const float* x, std::size_t n, float* y, std::size_t ldy) {
    pool.parallel_for(m.rows, 32, [&](std::size_t begin, std::size_t end) {
        dense_rows(kt, m, x, n, y, ldy, begin, end);
    });
}

} // namespace tern::engine
