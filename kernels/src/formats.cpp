#include "tern/kernels/formats.h"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace tern::kernels {
namespace {

uint32_t float_bits(float f) {
    uint32_t x;
    std::memcpy(&x, &f, sizeof x);
    return x;
}

float bits_float(uint32_t x) {
    float f;
    std::memcpy(&f, &x, sizeof f);
    return f;
}

void require_multiple(const char* format, std::size_t k, std::size_t block) {
    if (k == 0 || k % block != 0) {
        throw std::invalid_argument(std::string(format) + ": row length " + std::to_string(k) +
                                    " is not a positive multiple of " + std::to_string(block));
    }
}

uint8_t ternary_code(int8_t v, const char* format, std::size_t index) {
    if (v < -1 || v > 1) {
        throw std::invalid_argument(std::string(format) + ": value " + std::to_string(v) +
                                    " at element " + std::to_string(index) +
                                    " is not ternary (-1, 0 or +1)");
    }
    return static_cast<uint8_t>(v + 1);
}

void store_fp16(uint8_t* out, float v) {
    const uint16_t h = f32_to_fp16(v);
    out[0] = static_cast<uint8_t>(h & 0xff);
    out[1] = static_cast<uint8_t>(h >> 8);
}

float load_fp16(const uint8_t* in) {
    return fp16_to_f32(static_cast<uint16_t>(in[0] | (in[1] << 8)));
}

// Digit n (0 = most significant) of a TQ1_0 fixed-point base-3 byte.
int tq1_digit(uint8_t byte, int n) {
    static const uint8_t pow3[5] = {1, 3, 9, 27, 81};
    const uint8_t shifted = static_cast<uint8_t>(byte * pow3[n]);
    return (shifted * 3) >> 8;
}

// ceil(v * 256 / 243) for a 5-digit base-3 number v, the TQ1_0 fixed-point byte.
uint8_t tq1_byte(int v) {
    return static_cast<uint8_t>((v * 256 + 242) / 243);
}

} // namespace

float fp16_to_f32(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    if (exp == 0) {
        if (mant == 0) {
            return bits_float(sign);
        }
        // Subnormal half: normalize into a float32 normal.
        exp = 113;
        while ((mant & 0x400) == 0) {
            mant <<= 1;
            --exp;
        }
        mant &= 0x3ff;
        return bits_float(sign | (exp << 23) | (mant << 13));
    }
    if (exp == 31) {
        return bits_float(sign | 0x7f800000u | (mant << 13));
    }
    return bits_float(sign | ((exp + 112) << 23) | (mant << 13));
}

uint16_t f32_to_fp16(float f) {
    const uint32_t x = float_bits(f);
    const uint32_t sign = (x >> 16) & 0x8000;
    const uint32_t absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u) {
        if (absx > 0x7f800000u) {
            return static_cast<uint16_t>(sign | 0x7e00 | ((absx >> 13) & 0x3ff));
        }
        return static_cast<uint16_t>(sign | 0x7c00);
    }
    if (absx >= 0x477ff000u) { // >= 65520: rounds past the largest half (65504)
        return static_cast<uint16_t>(sign | 0x7c00);
    }
    if (absx < 0x38800000u) {     // below 2^-14: a half subnormal (or zero)
        if (absx < 0x33000000u) { // below 2^-25, half of the smallest subnormal
            return static_cast<uint16_t>(sign);
        }
        const uint32_t e = absx >> 23;
        const uint32_t mant = (absx & 0x7fffff) | 0x800000;
        const uint32_t shift = 126 - e; // in units of 2^-24
        uint32_t result = mant >> shift;
        const uint32_t rem = mant & ((1u << shift) - 1);
        const uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (result & 1))) {
            ++result;
        }
        return static_cast<uint16_t>(sign | result);
    }
    uint32_t result = (absx >> 13) - (112u << 10);
    const uint32_t rem = absx & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (result & 1))) {
        ++result; // a carry into the exponent is the correct rounding
    }
    return static_cast<uint16_t>(sign | result);
}

float bf16_to_f32(uint16_t h) {
    return bits_float(static_cast<uint32_t>(h) << 16);
}

uint16_t f32_to_bf16(float f) {
    const uint32_t x = float_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) {
        return static_cast<uint16_t>((x >> 16) | 0x0040);
    }
    const uint32_t rounding = 0x7fff + ((x >> 16) & 1);
    return static_cast<uint16_t>((x + rounding) >> 16);
}

// ---- I2_S ---------------------------------------------------------------------------------------

std::size_t i2s_row_bytes(std::size_t k) {
    require_multiple("I2_S", k, kI2sBlockElems);
    return k / 4;
}

std::size_t i2s_tensor_bytes(std::size_t m, std::size_t k) {
    return m * i2s_row_bytes(k) + kI2sTrailerBytes;
}

void i2s_pack(const int8_t* ternary, std::size_t m, std::size_t k, float scale, uint8_t* out) {
    const std::size_t row_bytes = i2s_row_bytes(k);
    std::memset(out, 0, i2s_tensor_bytes(m, k));
    for (std::size_t r = 0; r < m; ++r) {
        const int8_t* src = ternary + r * k;
        uint8_t* dst = out + r * row_bytes;
        for (std::size_t j = 0; j < k; ++j) {
            const std::size_t block = j / kI2sBlockElems, e = j % kI2sBlockElems;
            const uint8_t code = ternary_code(src[j], "I2_S", r * k + j);
            dst[block * kI2sBlockBytes + e % 32] |=
                static_cast<uint8_t>(code << (6 - 2 * (e / 32)));
        }
    }
    std::memcpy(out + m * row_bytes, &scale, sizeof scale);
}

void i2s_unpack(const uint8_t* data, std::size_t m, std::size_t k, int8_t* ternary) {
    const std::size_t row_bytes = i2s_row_bytes(k);
    for (std::size_t r = 0; r < m; ++r) {
        const uint8_t* src = data + r * row_bytes;
        for (std::size_t j = 0; j < k; ++j) {
            const std::size_t block = j / kI2sBlockElems, e = j % kI2sBlockElems;
            const int code = (src[block * kI2sBlockBytes + e % 32] >> (6 - 2 * (e / 32))) & 3;
            if (code == 3) {
                throw std::invalid_argument("I2_S: invalid code 3 at row " + std::to_string(r) +
                                            ", column " + std::to_string(j));
            }
            ternary[r * k + j] = static_cast<int8_t>(code - 1);
        }
    }
}

float i2s_scale(const uint8_t* data, std::size_t m, std::size_t k) {
    float scale;
    std::memcpy(&scale, data + m * i2s_row_bytes(k), sizeof scale);
    return scale;
}

// ---- TQ2_0 / TQ1_0
// ----------------------------------------------------------------------------------

std::size_t tq2_0_row_bytes(std::size_t k) {
    require_multiple("TQ2_0", k, kQkK);
    return k / kQkK * kTq2BlockBytes;
}

std::size_t tq1_0_row_bytes(std::size_t k) {
    require_multiple("TQ1_0", k, kQkK);
    return k / kQkK * kTq1BlockBytes;
}

void tq2_0_pack_row(const int8_t* ternary, std::size_t k, float scale, uint8_t* out) {
    const std::size_t blocks = tq2_0_row_bytes(k) / kTq2BlockBytes;
    for (std::size_t b = 0; b < blocks; ++b) {
        const int8_t* src = ternary + b * kQkK;
        uint8_t* dst = out + b * kTq2BlockBytes;
        std::memset(dst, 0, 64);
        for (std::size_t e = 0; e < kQkK; ++e) {
            const std::size_t half = e / 128, n = (e % 128) / 32, m = e % 32;
            const uint8_t code = ternary_code(src[e], "TQ2_0", b * kQkK + e);
            dst[32 * half + m] |= static_cast<uint8_t>(code << (2 * n));
        }
        store_fp16(dst + 64, scale);
    }
}

void tq2_0_unpack_row(const uint8_t* in, std::size_t k, int8_t* ternary, float* block_scales) {
    const std::size_t blocks = tq2_0_row_bytes(k) / kTq2BlockBytes;
    for (std::size_t b = 0; b < blocks; ++b) {
        const uint8_t* src = in + b * kTq2BlockBytes;
        for (std::size_t e = 0; e < kQkK; ++e) {
            const std::size_t half = e / 128, n = (e % 128) / 32, m = e % 32;
            const int code = (src[32 * half + m] >> (2 * n)) & 3;
            if (code == 3) {
                throw std::invalid_argument("TQ2_0: invalid code 3 at element " +
                                            std::to_string(b * kQkK + e));
            }
            ternary[b * kQkK + e] = static_cast<int8_t>(code - 1);
        }
        if (block_scales != nullptr) {
            block_scales[b] = load_fp16(src + 64);
        }
    }
}

void tq2_0_dequantize_row(const uint8_t* in, std::size_t k, float* y) {
    const std::size_t blocks = tq2_0_row_bytes(k) / kTq2BlockBytes;
    for (std::size_t b = 0; b < blocks; ++b) {
        const uint8_t* src = in + b * kTq2BlockBytes;
        const float d = load_fp16(src + 64);
        for (std::size_t e = 0; e < kQkK; ++e) {
            const std::size_t half = e / 128, n = (e % 128) / 32, m = e % 32;
            const int code = (src[32 * half + m] >> (2 * n)) & 3;
            y[b * kQkK + e] = static_cast<float>(code - 1) * d;
        }
    }
}

namespace {
// Where element e (0..255) of a TQ1_0 block lives: byte index into the 52 code bytes, digit.
struct Tq1Place {
    int byte;
    int digit;
};

Tq1Place tq1_place(int e) {
    if (e < 160) {
        return {e % 32, e / 32};
    }
    if (e < 240) {
        return {32 + (e - 160) % 16, (e - 160) / 16};
    }
    return {48 + (e - 240) % 4, (e - 240) / 4};
}
} // namespace

void tq1_0_pack_row(const int8_t* ternary, std::size_t k, float scale, uint8_t* out) {
    const std::size_t blocks = tq1_0_row_bytes(k) / kTq1BlockBytes;
    for (std::size_t b = 0; b < blocks; ++b) {
        const int8_t* src = ternary + b * kQkK;
        int value[52] = {}; // base-3 numbers, 5 digits each, digit 0 most significant
        static const int weight[5] = {81, 27, 9, 3, 1};
        for (int e = 0; e < static_cast<int>(kQkK); ++e) {
            const Tq1Place p = tq1_place(e);
            value[p.byte] += ternary_code(src[e], "TQ1_0", b * kQkK + e) * weight[p.digit];
        }
        uint8_t* dst = out + b * kTq1BlockBytes;
        for (int i = 0; i < 52; ++i) {
            dst[i] = tq1_byte(value[i]);
        }
        store_fp16(dst + 52, scale);
    }
}

void tq1_0_unpack_row(const uint8_t* in, std::size_t k, int8_t* ternary, float* block_scales) {
    const std::size_t blocks = tq1_0_row_bytes(k) / kTq1BlockBytes;
    for (std::size_t b = 0; b < blocks; ++b) {
        const uint8_t* src = in + b * kTq1BlockBytes;
        for (int e = 0; e < static_cast<int>(kQkK); ++e) {
            const Tq1Place p = tq1_place(e);
            ternary[b * kQkK + e] = static_cast<int8_t>(tq1_digit(src[p.byte], p.digit) - 1);
        }
        if (block_scales != nullptr) {
            block_scales[b] = load_fp16(src + 52);
        }
    }
}

void tq1_0_dequantize_row(const uint8_t* in, std::size_t k, float* y) {
    const std::size_t blocks = tq1_0_row_bytes(k) / kTq1BlockBytes;
    for (std::size_t b = 0; b < blocks; ++b) {
        const uint8_t* src = in + b * kTq1BlockBytes;
        const float d = load_fp16(src + 52);
        for (int e = 0; e < static_cast<int>(kQkK); ++e) {
            const Tq1Place p = tq1_place(e);
            y[b * kQkK + e] = static_cast<float>(tq1_digit(src[p.byte], p.digit) - 1) * d;
        }
    }
}

// ---- Q8_0
// ------------------------------------------------------------------------------------------

std::size_t q8_0_row_bytes(std::size_t k) {
    require_multiple("Q8_0", k, kQ80BlockElems);
    return k / kQ80BlockElems * kQ80BlockBytes;
}

void q8_0_quantize_row(const float* x, std::size_t k, uint8_t* out) {
    const std::size_t blocks = q8_0_row_bytes(k) / kQ80BlockBytes;
    for (std::size_t b = 0; b < blocks; ++b) {
        const float* src = x + b * kQ80BlockElems;
        uint8_t* dst = out + b * kQ80BlockBytes;
        float amax = 0.0f;
        for (std::size_t i = 0; i < kQ80BlockElems; ++i) {
            amax = std::fmax(amax, std::fabs(src[i]));
        }
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        store_fp16(dst, d);
        for (std::size_t i = 0; i < kQ80BlockElems; ++i) {
            const long q = std::lround(src[i] * id);
            const long clamped = q < -127 ? -127 : (q > 127 ? 127 : q);
            dst[2 + i] = static_cast<uint8_t>(static_cast<int8_t>(clamped));
        }
    }
}

void q8_0_dequantize_row(const uint8_t* in, std::size_t k, float* y) {
    const std::size_t blocks = q8_0_row_bytes(k) / kQ80BlockBytes;
    for (std::size_t b = 0; b < blocks; ++b) {
        const uint8_t* src = in + b * kQ80BlockBytes;
        const float d = load_fp16(src);
        for (std::size_t i = 0; i < kQ80BlockElems; ++i) {
            y[b * kQ80BlockElems + i] = static_cast<float>(static_cast<int8_t>(src[2 + i])) * d;
        }
    }
}

// ---- Q6_K
// ------------------------------------------------------------------------------------------

std::size_t q6_k_row_bytes(std::size_t k) {
    require_multiple("Q6_K", k, kQkK);
    return k / kQkK * kQ6KBlockBytes;
}

void q6_k_dequantize_row(const uint8_t* in, std::size_t k, float* y) {
    const std::size_t blocks = q6_k_row_bytes(k) / kQ6KBlockBytes;
    for (std::size_t b = 0; b < blocks; ++b) {
        const uint8_t* block = in + b * kQ6KBlockBytes;
        const float d = load_fp16(block + 208);
        float* out = y + b * kQkK;
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = block + 64 * half;
            const uint8_t* qh = block + 128 + 32 * half;
            const int8_t* sc = reinterpret_cast<const int8_t*>(block + 192) + 8 * half;
            float* o = out + 128 * half;
            for (int l = 0; l < 32; ++l) {
                const int s = l / 16;
                const int q1 = ((ql[l] & 15) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                o[l] = d * static_cast<float>(sc[s]) * static_cast<float>(q1);
                o[l + 32] = d * static_cast<float>(sc[s + 2]) * static_cast<float>(q2);
                o[l + 64] = d * static_cast<float>(sc[s + 4]) * static_cast<float>(q3);
                o[l + 96] = d * static_cast<float>(sc[s + 6]) * static_cast<float>(q4);
            }
        }
    }
}

void f16_dequantize_row(const uint16_t* in, std::size_t k, float* y) {
    for (std::size_t i = 0; i < k; ++i) {
        y[i] = fp16_to_f32(in[i]);
    }
}

void bf16_dequantize_row(const uint16_t* in, std::size_t k, float* y) {
    for (std::size_t i = 0; i < k; ++i) {
        y[i] = bf16_to_f32(in[i]);
    }
}

} // namespace tern::kernels
