#include "tensor_encoder.h"

#include "parallel.h"
#include "ternary_weights.h"

#include "tern/kernels/formats.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace tern::downloader::convert {

namespace {

using engine::GgufWriter;
using engine::TensorType;

// Rows per block: about 4 MB of source at a time keeps progress smooth, buffers small, and
// gives each thread enough work to be worth starting.
std::uint64_t rows_per_block(std::uint64_t row_bytes) {
    return std::max<std::uint64_t>(1, (4u << 20) / std::max<std::uint64_t>(1, row_bytes));
}

void write_bytes(GgufWriter& writer, const std::vector<std::uint8_t>& bytes, std::size_t n) {
    writer.write_tensor_data(std::span<const std::uint8_t>(bytes.data(), n));
}

void encode_norm(GgufWriter& writer, const PlannedTensor& t, const ProgressStep& step) {
    std::vector<float> values(t.cols);
    load_floats(*t.source, 0, t.cols, values.data());
    writer.write_tensor_data(std::span<const float>(values));
    step(t.source_bytes());
}

void encode_embedding(GgufWriter& writer, const PlannedTensor& t, unsigned threads,
                      const ProgressStep& step) {
    const std::uint64_t cols = t.cols;
    const std::uint64_t source_row_bytes = t.source_bytes() / t.rows;
    const std::uint64_t block = rows_per_block(source_row_bytes);
    const std::size_t out_row_bytes =
        t.type == TensorType::Q8_0 ? kernels::q8_0_row_bytes(cols) : cols * 2;
    std::vector<std::uint8_t> out(block * out_row_bytes);
    for (std::uint64_t r0 = 0; r0 < t.rows; r0 += block) {
        const std::uint64_t n = std::min(block, t.rows - r0);
        parallel_for(static_cast<std::size_t>(n), threads, [&](std::size_t begin, std::size_t end) {
            std::vector<float> row(cols);
            for (std::size_t r = begin; r < end; ++r) {
                load_floats(*t.source, (r0 + r) * cols, cols, row.data());
                std::uint8_t* dst = out.data() + r * out_row_bytes;
                if (t.type == TensorType::Q8_0) {
                    kernels::q8_0_quantize_row(row.data(), cols, dst);
                } else {
                    for (std::uint64_t c = 0; c < cols; ++c) {
                        const std::uint16_t h = kernels::f32_to_fp16(row[c]);
                        std::memcpy(dst + c * 2, &h, 2);
                    }
                }
            }
        });
        write_bytes(writer, out, n * out_row_bytes);
        step(n * source_row_bytes);
    }
}

float encode_ternary(GgufWriter& writer, const PlannedTensor& t, PackedScale rule, unsigned threads,
                     const ProgressStep& step) {
    const TernaryWeights weights =
        t.scale != nullptr
            ? TernaryWeights::packed(*t.source, *t.scale, rule, t.rows, t.cols, t.rotary_heads)
            : TernaryWeights::latent(*t.source, t.rows, t.cols, t.rotary_heads, threads);
    const std::uint64_t k = t.padded_cols;
    const std::uint64_t source_row_bytes = t.source_bytes() / t.rows;
    const std::uint64_t block = rows_per_block(std::max<std::uint64_t>(source_row_bytes, k));
    const bool i2s = t.type == TensorType::I2_S;
    const std::size_t out_row_bytes = i2s ? kernels::i2s_row_bytes(k) : kernels::tq2_0_row_bytes(k);
    // Padding columns stay zero: rows are written over [0, cols) only.
    std::vector<std::int8_t> codes(block * k, 0);
    std::vector<std::uint8_t> out(block * out_row_bytes);
    for (std::uint64_t r0 = 0; r0 < t.rows; r0 += block) {
        const std::uint64_t n = std::min(block, t.rows - r0);
        parallel_for(static_cast<std::size_t>(n), threads, [&](std::size_t begin, std::size_t end) {
            // i2s_pack writes a 32-byte tensor trailer after the rows it packs: pack one row at a
            // time into scratch and keep the row, so threads never write past their own rows.
            std::vector<std::uint8_t> scratch(i2s ? out_row_bytes + kernels::kI2sTrailerBytes : 0);
            for (std::size_t r = begin; r < end; ++r) {
                std::int8_t* row = codes.data() + r * k;
                weights.row(r0 + r, row);
                std::uint8_t* dst = out.data() + r * out_row_bytes;
                if (i2s) {
                    kernels::i2s_pack(row, 1, k, weights.scale(), scratch.data());
                    std::memcpy(dst, scratch.data(), out_row_bytes);
                } else {
                    kernels::tq2_0_pack_row(row, k, weights.scale(), dst);
                }
            }
        });
        write_bytes(writer, out, n * out_row_bytes);
        step(n * source_row_bytes);
    }
    if (i2s) {
        // The tensor's trailer: the float32 scale, then 28 zero bytes.
        std::vector<std::uint8_t> trailer(kernels::kI2sTrailerBytes, 0);
        const float scale = weights.scale();
        std::memcpy(trailer.data(), &scale, sizeof scale);
        write_bytes(writer, trailer, trailer.size());
    }
    return weights.scale();
}

} // namespace

float encode_tensor(GgufWriter& writer, const PlannedTensor& tensor, PackedScale rule,
                    unsigned threads, const ProgressStep& step) {
    switch (tensor.role) {
    case TensorRole::Norm: encode_norm(writer, tensor, step); return 0.0f;
    case TensorRole::Embedding: encode_embedding(writer, tensor, threads, step); return 0.0f;
    case TensorRole::Ternary: return encode_ternary(writer, tensor, rule, threads, step);
    }
    return 0.0f;
}

} // namespace tern::downloader::convert
