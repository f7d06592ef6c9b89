#include "ternary_weights.h"

#include "parallel.h"

#include "tern/kernels/formats.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

namespace tern::downloader::convert {

namespace {

using engine::Error;
using engine::SafetensorsDtype;
using engine::SafetensorsTensor;

} // namespace

void load_floats(const SafetensorsTensor& t, std::uint64_t first, std::size_t n, float* out) {
    const std::uint8_t* src = t.bytes.data();
    switch (t.dtype) {
    case SafetensorsDtype::F32: std::memcpy(out, src + first * 4, n * 4); return;
    case SafetensorsDtype::BF16:
        for (std::size_t i = 0; i < n; ++i) {
            std::uint16_t h;
            std::memcpy(&h, src + (first + i) * 2, 2);
            out[i] = std::bit_cast<float>(static_cast<std::uint32_t>(h) << 16);
        }
        return;
    case SafetensorsDtype::F16:
        for (std::size_t i = 0; i < n; ++i) {
            std::uint16_t h;
            std::memcpy(&h, src + (first + i) * 2, 2);
            out[i] = kernels::fp16_to_f32(h);
        }
        return;
    default: break;
    }
    throw Error(t.file + ": tensor '" + t.name + "' has dtype " +
                engine::safetensors_dtype_name(t.dtype) + ", not a float type");
}

std::uint64_t rotary_source_row(std::uint64_t r, std::uint64_t rows, std::uint64_t heads) {
    if (heads == 0) return r;
    const std::uint64_t head_dim = rows / heads;
    const std::uint64_t half = head_dim / 2;
    const std::uint64_t head = r / head_dim;
    const std::uint64_t j = r % head_dim; // GGUF position: pair j / 2, member j % 2
    return head * head_dim + (j % 2) * half + j / 2;
}

TernaryWeights TernaryWeights::latent(const SafetensorsTensor& weight, std::uint64_t rows,
                                      std::uint64_t cols, std::uint64_t rotary_heads,
                                      unsigned threads) {
    TernaryWeights w;
    w.weight_ = &weight;
    w.rows_ = rows;
    w.cols_ = cols;
    w.rotary_heads_ = rotary_heads;
    // mean(|W|): each fixed run of kChunk elements is summed in float over 8 independent lanes
    // (so the compiler can vectorize), runs are added in double and in order, so the result does
    // not depend on the thread count.
    constexpr std::size_t kChunk = 4096;
    const std::uint64_t n = rows * cols;
    const std::size_t chunks = static_cast<std::size_t>((n + kChunk - 1) / kChunk);
    std::vector<double> sums(chunks, 0.0);
    parallel_for(chunks, threads, [&](std::size_t begin, std::size_t end) {
        std::array<float, kChunk> buffer;
        for (std::size_t c = begin; c < end; ++c) {
            const std::uint64_t first = static_cast<std::uint64_t>(c) * kChunk;
            const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, n - first));
            load_floats(weight, first, count, buffer.data());
            std::array<float, 8> lanes{};
            std::size_t i = 0;
            for (; i + 8 <= count; i += 8) {
                for (std::size_t l = 0; l < 8; ++l) lanes[l] += std::fabs(buffer[i + l]);
            }
            for (; i < count; ++i) lanes[0] += std::fabs(buffer[i]);
            double chunk = 0.0;
            for (float lane : lanes) chunk += lane;
            sums[c] = chunk;
        }
    });
    double total = 0.0;
    for (double sum : sums) total += sum;
    if (!std::isfinite(total)) {
        throw Error(weight.file + ": tensor '" + weight.name + "' holds NaN or infinite values");
    }
    const float mean = n == 0 ? 0.0f : static_cast<float>(total / static_cast<double>(n));
    w.scale_ = std::max(mean, 1e-5f);
    w.inverse_scale_ = 1.0f / w.scale_;
    return w;
}

float TernaryWeights::stored_scale(const SafetensorsTensor& scale_tensor) {
    if (scale_tensor.elements != 1) {
        throw Error(scale_tensor.file + ": '" + scale_tensor.name + "' holds " +
                    std::to_string(scale_tensor.elements) + " values; a per-tensor scale has one");
    }
    const float value = engine::safetensors_read_float(scale_tensor, 0);
    if (!std::isfinite(value) || value <= 0.0f) {
        throw Error(scale_tensor.file + ": '" + scale_tensor.name + "' is " + std::to_string(value) +
                    ", not a positive scale");
    }
    return value;
}

TernaryWeights TernaryWeights::packed(const SafetensorsTensor& weight,
                                      const SafetensorsTensor& scale_tensor, PackedScale rule,
                                      std::uint64_t rows, std::uint64_t cols,
                                      std::uint64_t rotary_heads) {
    if (weight.dtype != SafetensorsDtype::U8 && weight.dtype != SafetensorsDtype::I8) {
        throw Error(weight.file + ": packed tensor '" + weight.name + "' must be U8, not " +
                    engine::safetensors_dtype_name(weight.dtype));
    }
    TernaryWeights w;
    w.weight_ = &weight;
    w.rows_ = rows;
    w.cols_ = cols;
    w.rotary_heads_ = rotary_heads;
    w.packed_ = true;
    const float stored = stored_scale(scale_tensor);
    w.scale_ = rule == PackedScale::Divide ? 1.0f / stored : stored;
    w.inverse_scale_ = 1.0f / w.scale_;
    return w;
}

void TernaryWeights::row(std::uint64_t r, std::int8_t* out) const {
    const std::uint64_t source = rotary_source_row(r, rows_, rotary_heads_);
    if (packed_) {
        const std::uint64_t packed_rows = rows_ / 4;
        const std::uint64_t cols = cols_;
        const std::uint8_t* src = weight_->bytes.data() + (source % packed_rows) * cols;
        const unsigned shift = static_cast<unsigned>(2 * (source / packed_rows));
        std::uint8_t bad = 0;
        for (std::uint64_t c = 0; c < cols; ++c) {
            const std::uint8_t code = static_cast<std::uint8_t>((src[c] >> shift) & 3u);
            bad |= static_cast<std::uint8_t>(code == 3);
            out[c] = static_cast<std::int8_t>(code - 1);
        }
        if (bad) {
            throw Error(weight_->file + ": packed tensor '" + weight_->name +
                        "' holds the invalid 2-bit code 3 (row " + std::to_string(source) + ")");
        }
        return;
    }
    // Locals, not members: `out` is int8, which may alias anything, so reading members inside
    // the loop would force a reload per element and block vectorization.
    const float inverse = inverse_scale_;
    const std::uint64_t cols = cols_;
    constexpr std::size_t kChunk = 4096;
    std::array<float, kChunk> buffer;
    for (std::uint64_t c0 = 0; c0 < cols; c0 += kChunk) {
        const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, cols - c0));
        load_floats(*weight_, source * cols + c0, count, buffer.data());
        std::int8_t* dst = out + c0;
        // clamp(round_half_even(y), -1, 1) is +1 exactly when y > 0.5 and -1 when y < -0.5 (a
        // tie at +-0.5 rounds to the even 0): two comparisons, no branches, vectorizable.
        for (std::size_t i = 0; i < count; ++i) {
            const float y = buffer[i] * inverse;
            dst[i] = static_cast<std::int8_t>(static_cast<int>(y > 0.5f) - static_cast<int>(y < -0.5f));
        }
    }
}

} // namespace tern::downloader::convert
