// Block formats: exhaustive half/bfloat16 checks, hand-built bytes for every format, round trips.
#include "tern/kernels/formats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

using namespace tern::kernels;

namespace {
uint32_t bits(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    return x;
}
float from_bits(uint32_t x) {
    float f;
    std::memcpy(&f, &x, 4);
    return f;
}
std::vector<int8_t> random_ternary(std::size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> d(-1, 1);
    std::vector<int8_t> v(n);
    for (auto& x : v) {
        x = static_cast<int8_t>(d(rng));
    }
    return v;
}
} // namespace

TEST(Fp16, KnownValues) {
    EXPECT_EQ(f32_to_fp16(1.0f), 0x3c00);
    EXPECT_EQ(f32_to_fp16(-2.0f), 0xc000);
    EXPECT_EQ(f32_to_fp16(65504.0f), 0x7bff);
    EXPECT_EQ(f32_to_fp16(65519.99f), 0x7bff);
    EXPECT_EQ(f32_to_fp16(65520.0f), 0x7c00); // tie with an odd mantissa rounds up to infinity
    EXPECT_EQ(f32_to_fp16(std::ldexp(1.0f, -24)), 0x0001);
    EXPECT_EQ(f32_to_fp16(std::ldexp(1.0f, -25)), 0x0000); // tie to even (zero)
    EXPECT_EQ(f32_to_fp16(std::nextafter(std::ldexp(1.0f, -25), 1.0f)), 0x0001);
    EXPECT_EQ(f32_to_fp16(std::ldexp(3.0f, -25)), 0x0002); // 1.5 units: tie to even (2)
    EXPECT_EQ(f32_to_fp16(-0.0f), 0x8000);
    EXPECT_EQ(f32_to_fp16(std::numeric_limits<float>::infinity()), 0x7c00);
    const uint16_t nan = f32_to_fp16(std::numeric_limits<float>::quiet_NaN());
    EXPECT_EQ(nan & 0x7c00, 0x7c00);
    EXPECT_NE(nan & 0x03ff, 0);
    EXPECT_EQ(fp16_to_f32(0x0001), std::ldexp(1.0f, -24));
    EXPECT_EQ(fp16_to_f32(0x03ff), std::ldexp(1023.0f, -24));
    EXPECT_EQ(fp16_to_f32(0x3555), 0.333251953125f);
    EXPECT_TRUE(std::isinf(fp16_to_f32(0xfc00)));
    EXPECT_TRUE(std::isnan(fp16_to_f32(0x7e00)));
}

TEST(Fp16, EveryHalfRoundTripsAndMidpointsRoundToEven) {
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const auto half = static_cast<uint16_t>(h);
        if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) {
            EXPECT_TRUE(std::isnan(fp16_to_f32(half)));
            continue;
        }
        ASSERT_EQ(f32_to_fp16(fp16_to_f32(half)), half) << std::hex << h;
        // Midpoint to the next larger-magnitude finite half (exactly representable in float).
        if ((h & 0x7fff) < 0x7bff) {
            const float a = fp16_to_f32(half);
            const float b = fp16_to_f32(static_cast<uint16_t>(h + 1));
            const float mid = (a + b) / 2;
            const uint16_t even = (h & 1) ? static_cast<uint16_t>(h + 1) : half;
            ASSERT_EQ(f32_to_fp16(mid), even) << std::hex << h;
            ASSERT_EQ(f32_to_fp16(std::nextafter(mid, a)), half) << std::hex << h;
            ASSERT_EQ(f32_to_fp16(std::nextafter(mid, b)), h + 1) << std::hex << h;
        }
    }
}

TEST(Bf16, EveryValueRoundTripsAndTiesGoToEven) {
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const auto v = static_cast<uint16_t>(h);
        if ((h & 0x7f80) == 0x7f80 && (h & 0x7f) != 0) {
            EXPECT_TRUE(std::isnan(bf16_to_f32(v)));
            EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(bf16_to_f32(v)))));
            continue;
        }
        ASSERT_EQ(f32_to_bf16(bf16_to_f32(v)), v) << std::hex << h;
    }
    EXPECT_EQ(f32_to_bf16(from_bits(0x3f808000u)), 0x3f80); // tie, even stays
    EXPECT_EQ(f32_to_bf16(from_bits(0x3f818000u)), 0x3f82); // tie, odd rounds up
    EXPECT_EQ(f32_to_bf16(from_bits(0x3f808001u)), 0x3f81);
    EXPECT_EQ(f32_to_bf16(from_bits(0x7f7fffffu)), 0x7f80); // max float rounds to infinity
    EXPECT_EQ(bits(bf16_to_f32(0x3f80)), 0x3f800000u);
}

TEST(I2S, SizesFollowTheBitnetLayout) {
    EXPECT_EQ(i2s_row_bytes(128), 32u);
    EXPECT_EQ(i2s_tensor_bytes(2560, 2560), 2560u * 640 + 32);
    EXPECT_EQ(i2s_tensor_bytes(1, 128), 64u);
    EXPECT_THROW(i2s_tensor_bytes(4, 100), std::invalid_argument);
    EXPECT_THROW(i2s_row_bytes(0), std::invalid_argument);
}

TEST(I2S, HandBuiltBlockHasTheDocumentedBytes) {
    // Row 0: element 0 = +1, element 32 = -1, element 127 = -1, others 0.
    // Row 1: all +1.
    std::vector<int8_t> t(2 * 128, 0);
    t[0] = 1;
    t[32] = -1;
    t[127] = -1;
    for (int j = 0; j < 128; ++j) {
        t[128 + j] = 1;
    }
    std::vector<uint8_t> out(i2s_tensor_bytes(2, 128), 0xee);
    i2s_pack(t.data(), 2, 128, 0.75f, out.data());
    // byte b = c(b) << 6 | c(32+b) << 4 | c(64+b) << 2 | c(96+b), code = value + 1
    EXPECT_EQ(out[0], 0x85); // 2<<6 | 0<<4 | 1<<2 | 1
    EXPECT_EQ(out[1], 0x55);
    EXPECT_EQ(out[31], 0x54); // element 127 = -1 is the low 2 bits of byte 31
    for (int b = 32; b < 64; ++b) {
        EXPECT_EQ(out[b], 0xaa) << b;
    }
    float scale;
    std::memcpy(&scale, out.data() + 64, 4);
    EXPECT_EQ(scale, 0.75f);
    EXPECT_EQ(i2s_scale(out.data(), 2, 128), 0.75f);
    for (std::size_t i = 68; i < out.size(); ++i) {
        EXPECT_EQ(out[i], 0) << "padding byte " << i;
    }
}

TEST(I2S, RoundTripsAndRejectsBadValues) {
    const std::size_t m = 7, k = 384;
    const auto t = random_ternary(m * k, 1);
    std::vector<uint8_t> packed(i2s_tensor_bytes(m, k));
    i2s_pack(t.data(), m, k, 1.5f, packed.data());
    std::vector<int8_t> back(m * k);
    i2s_unpack(packed.data(), m, k, back.data());
    EXPECT_EQ(back, t);

    auto bad = t;
    bad[5] = 2;
    EXPECT_THROW(i2s_pack(bad.data(), m, k, 1.0f, packed.data()), std::invalid_argument);
    packed[3] |= 0xc0; // code 3
    EXPECT_THROW(i2s_unpack(packed.data(), m, k, back.data()), std::invalid_argument);
}

TEST(TQ2_0, HandBuiltBlockHasTheDocumentedBytes) {
    std::vector<int8_t> t(256, 0);
    t[0] = 1;    // byte 0, bits 0
    t[32] = -1;  // byte 0, bits 2
    t[128] = 1;  // byte 32, bits 0
    t[255] = -1; // byte 63, bits 6
    std::vector<uint8_t> out(tq2_0_row_bytes(256));
    ASSERT_EQ(out.size(), 66u);
    tq2_0_pack_row(t.data(), 256, 0.5f, out.data());
    EXPECT_EQ(out[0], 0x52); // 2 | 0<<2 | 1<<4 | 1<<6
    EXPECT_EQ(out[1], 0x55);
    EXPECT_EQ(out[32], 0x56); // 2 | 1<<2 | 1<<4 | 1<<6
    EXPECT_EQ(out[63], 0x15); // 1 | 1<<2 | 1<<4 | 0<<6
    EXPECT_EQ(out[64], 0x00); // fp16(0.5) = 0x3800, little-endian
    EXPECT_EQ(out[65], 0x38);
    std::vector<float> y(256);
    tq2_0_dequantize_row(out.data(), 256, y.data());
    EXPECT_EQ(y[0], 0.5f);
    EXPECT_EQ(y[32], -0.5f);
    EXPECT_EQ(y[1], 0.0f);
    EXPECT_EQ(y[255], -0.5f);
}

TEST(TQ1_0, HandBuiltBlockHasTheDocumentedBytes) {
    std::vector<int8_t> t(256, 0);
    t[0] = 1; // digit 0 of qs[0]: value 2*81 + 1*27 + 9 + 3 + 1 = 202 -> ceil(202*256/243) = 213
    std::vector<uint8_t> out(tq1_0_row_bytes(256));
    ASSERT_EQ(out.size(), 54u);
    tq1_0_pack_row(t.data(), 256, 2.0f, out.data());
    EXPECT_EQ(out[0], 213);
    EXPECT_EQ(out[1], 128); // all-zero weights: 11111 (base 3) = 121 -> 128
    EXPECT_EQ(out[47], 128);
    EXPECT_EQ(out[48], 127);  // qh: 1111 then a 0 digit = 120 -> 127
    EXPECT_EQ(out[52], 0x00); // fp16(2.0) = 0x4000
    EXPECT_EQ(out[53], 0x40);
    std::vector<float> y(256);
    tq1_0_dequantize_row(out.data(), 256, y.data());
    EXPECT_EQ(y[0], 2.0f);
    for (int i = 1; i < 256; ++i) {
        ASSERT_EQ(y[i], 0.0f) << i;
    }
}

TEST(TQ, RoundTripsEveryElementPosition) {
    const std::size_t k = 512;
    const auto t = random_ternary(k, 2);
    std::vector<int8_t> back(k);
    std::vector<float> scales(2), y(k);

    std::vector<uint8_t> tq2(tq2_0_row_bytes(k));
    tq2_0_pack_row(t.data(), k, 0.25f, tq2.data());
    tq2_0_unpack_row(tq2.data(), k, back.data(), scales.data());
    EXPECT_EQ(back, t);
    EXPECT_EQ(scales[1], 0.25f);

    std::vector<uint8_t> tq1(tq1_0_row_bytes(k));
    tq1_0_pack_row(t.data(), k, 0.25f, tq1.data());
    tq1_0_unpack_row(tq1.data(), k, back.data(), scales.data());
    EXPECT_EQ(back, t);
    tq1_0_dequantize_row(tq1.data(), k, y.data());
    for (std::size_t i = 0; i < k; ++i) {
        ASSERT_EQ(y[i], 0.25f * t[i]) << i;
    }
    // Each element position on its own, so a swapped digit or byte cannot hide.
    for (int e = 0; e < 256; ++e) {
        std::vector<int8_t> one(256, 0);
        one[e] = -1;
        tq1_0_pack_row(one.data(), 256, 1.0f, tq1.data());
        std::vector<int8_t> got(256);
        tq1_0_unpack_row(tq1.data(), 256, got.data(), nullptr);
        ASSERT_EQ(got, one) << e;
    }
    EXPECT_THROW(tq2_0_row_bytes(128), std::invalid_argument);
}

TEST(Q8_0, HandBuiltBlockAndRoundTrip) {
    std::vector<float> x(64);
    for (int i = 0; i < 32; ++i) {
        x[i] = static_cast<float>(i - 16); // amax 16
        x[32 + i] = 0.0f;                  // an all-zero block: d = 0
    }
    std::vector<uint8_t> q(q8_0_row_bytes(64));
    ASSERT_EQ(q.size(), 68u);
    q8_0_quantize_row(x.data(), 64, q.data());
    const uint16_t d = f32_to_fp16(16.0f / 127.0f);
    EXPECT_EQ(q[0], d & 0xff);
    EXPECT_EQ(q[1], d >> 8);
    EXPECT_EQ(static_cast<int8_t>(q[2]), -127);   // -16 * 127/16
    EXPECT_EQ(static_cast<int8_t>(q[2 + 17]), 8); // 1 * 127/16 = 7.94
    EXPECT_EQ(static_cast<int8_t>(q[2 + 16]), 0);
    EXPECT_EQ(q[34], 0);
    EXPECT_EQ(q[35], 0);
    std::vector<float> y(64);
    q8_0_dequantize_row(q.data(), 64, y.data());
    for (int i = 0; i < 64; ++i) {
        EXPECT_NEAR(y[i], x[i], 16.0f / 127.0f / 2 + 1e-2f) << i;
    }
    EXPECT_EQ(y[0], -127.0f * fp16_to_f32(d));
}

TEST(Q6_K, HandBuiltBlockMatchesTheLayout) {
    std::vector<uint8_t> block(q6_k_row_bytes(256));
    ASSERT_EQ(block.size(), 210u);
    std::mt19937 rng(3);
    for (int i = 0; i < 192; ++i) {
        block[i] = static_cast<uint8_t>(rng());
    }
    for (int s = 0; s < 16; ++s) {
        block[192 + s] = static_cast<uint8_t>(static_cast<int8_t>(s - 5));
    }
    block[208] = 0x00; // d = 0.5
    block[209] = 0x38;
    std::vector<float> y(256);
    q6_k_dequantize_row(block.data(), 256, y.data());
    // Independent formulation: element e = 128 half + 32 g + l.
    for (int e = 0; e < 256; ++e) {
        const int half = e / 128, g = (e % 128) / 32, l = e % 32;
        const int low = (block[64 * half + l + 32 * (g & 1)] >> (4 * (g >> 1))) & 15;
        const int high = (block[128 + 32 * half + l] >> (2 * g)) & 3;
        const int scale = static_cast<int8_t>(block[192 + 8 * half + l / 16 + 2 * g]);
        const float expected =
            0.5f * static_cast<float>(scale) * static_cast<float>((low | high << 4) - 32);
        ASSERT_EQ(y[e], expected) << e;
    }
    // All-zero quants mean q = -32 everywhere.
    std::fill(block.begin(), block.begin() + 192, 0);
    q6_k_dequantize_row(block.data(), 256, y.data());
    EXPECT_EQ(y[0], 0.5f * -5 * -32);
    EXPECT_EQ(y[255], 0.5f * 10 * -32);
}

TEST(PlainRows, F16AndBf16Dequantize) {
    const uint16_t h[3] = {0x3c00, 0xc000, 0x0001};
    float y[3];
    f16_dequantize_row(h, 3, y);
    EXPECT_EQ(y[0], 1.0f);
    EXPECT_EQ(y[1], -2.0f);
    EXPECT_EQ(y[2], std::ldexp(1.0f, -24));
    const uint16_t b[2] = {0x3f80, 0xc040};
    bf16_dequantize_row(b, 2, y);
    EXPECT_EQ(y[0], 1.0f);
    EXPECT_EQ(y[1], -3.0f);
}
