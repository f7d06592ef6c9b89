// The scalar reference kernels against definitions written directly from the formats, and the
// dispatch table's selection rules.
#include "tern/kernels/cpu_features.h"
#include "tern/kernels/formats.h"
#include "tern/kernels/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace tern::kernels;

namespace {
std::vector<int8_t> random_ternary(std::size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> d(-1, 1);
    std::vector<int8_t> v(n);
    for (auto& x : v) {
        x = static_cast<int8_t>(d(rng));
    }
    return v;
}
std::vector<int8_t> random_i8(std::size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> d(-128, 127);
    std::vector<int8_t> v(n);
    for (auto& x : v) {
        x = static_cast<int8_t>(d(rng));
    }
    return v;
}
} // namespace

TEST(QuantizeAct, RoundsTiesToEvenWithTheFloatScale) {
    const auto& k = scalar_kernels();
    // max |x| = 127 gives a = 1 exactly, so x * a lands on the .5 ties.
    const float x[] = {127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -127.0f, 3.49f};
    int8_t q[8];
    const ActQuant a = k.quantize_act(x, 8, q);
    EXPECT_EQ(a.scale, 1.0f);
    const int8_t expected[] = {127, 0, 2, 2, 0, -2, -127, 3};
    int32_t sum = 0;
    for (int i = 0; i < 8; ++i) {
        EXPECT_EQ(q[i], expected[i]) << i;
        sum += expected[i];
    }
    EXPECT_EQ(a.sum, sum);
}

TEST(QuantizeAct, ScaleIsComputedInDoubleAndStoredAsFloat) {
    const auto& k = scalar_kernels();
    const float x[] = {0.3f, -0.1f, 0.2f};
    int8_t q[3];
    const ActQuant a = k.quantize_act(x, 3, q);
    EXPECT_EQ(a.scale, static_cast<float>(127.0 / static_cast<double>(0.3f)));
    EXPECT_EQ(q[0], 127);
    EXPECT_EQ(q[1], static_cast<int8_t>(std::nearbyint(-0.1f * a.scale)));
    // Below the 1e-5 floor the scale stops growing.
    const float tiny[] = {1e-7f, -2e-7f};
    const ActQuant t = k.quantize_act(tiny, 2, q);
    EXPECT_EQ(t.scale, static_cast<float>(127.0 / 1e-5));
    EXPECT_EQ(q[0], 1);
    EXPECT_EQ(q[1], -3); // -2e-7 * 1.27e7 = -2.54
}

TEST(I2SReference, MatvecEqualsTheTernaryDotProduct) {
    const auto& k = scalar_kernels();
    const std::size_t m = 5, kk = 256;
    const auto t = random_ternary(m * kk, 4);
    const auto q = random_i8(kk, 5);
    std::vector<uint8_t> w(i2s_tensor_bytes(m, kk));
    i2s_pack(t.data(), m, kk, 1.0f, w.data());
    int32_t q_sum = 0;
    for (auto v : q) {
        q_sum += v;
    }
    std::vector<float> y(m, -1.0f);
    k.i2s_matvec(w.data(), kk, 1, 4, q.data(), q_sum, 0.5f, y.data());
    EXPECT_EQ(y[0], -1.0f); // outside the row range: untouched
    EXPECT_EQ(y[4], -1.0f);
    for (std::size_t r = 1; r < 4; ++r) {
        int32_t dot = 0;
        for (std::size_t j = 0; j < kk; ++j) {
            dot += t[r * kk + j] * q[j];
        }
        EXPECT_EQ(y[r], static_cast<float>(dot) * 0.5f) << r;
    }
}

TEST(I2SReference, MatmulEqualsMatvecPerToken) {
    const auto& k = scalar_kernels();
    const std::size_t m = 3, kk = 128, n = 4;
    const auto t = random_ternary(m * kk, 6);
    const auto q = random_i8(n * kk, 7);
    std::vector<uint8_t> w(i2s_tensor_bytes(m, kk));
    i2s_pack(t.data(), m, kk, 1.0f, w.data());
    std::vector<int32_t> sums(n, 0);
    std::vector<float> scales = {1.0f, 2.0f, 0.5f, -1.0f};
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < kk; ++j) {
            sums[i] += q[i * kk + j];
        }
    }
    std::vector<float> y(n * 8, 0.0f);
    k.i2s_matmul(w.data(), kk, 0, m, q.data(), sums.data(), scales.data(), n, y.data(), 8);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t r = 0; r < m; ++r) {
            int32_t dot = 0;
            for (std::size_t j = 0; j < kk; ++j) {
                dot += t[r * kk + j] * q[i * kk + j];
            }
            EXPECT_EQ(y[i * 8 + r], static_cast<float>(dot) * scales[i]);
        }
    }
}

TEST(TQReference, MatvecsEqualTheDequantizedDotProduct) {
    const auto& k = scalar_kernels();
    const std::size_t m = 3, kk = 512;
    const auto t = random_ternary(m * kk, 8);
    const auto q = random_i8(kk, 9);
    std::vector<uint8_t> tq2(m * tq2_0_row_bytes(kk)), tq1(m * tq1_0_row_bytes(kk));
    for (std::size_t r = 0; r < m; ++r) {
        tq2_0_pack_row(t.data() + r * kk, kk, 0.25f * static_cast<float>(r + 1),
                       tq2.data() + r * tq2_0_row_bytes(kk));
        tq1_0_pack_row(t.data() + r * kk, kk, 0.25f * static_cast<float>(r + 1),
                       tq1.data() + r * tq1_0_row_bytes(kk));
    }
    std::vector<float> y2(m), y1(m);
    k.tq2_0_matvec(tq2.data(), kk, 0, m, q.data(), 2.0f, y2.data());
    k.tq1_0_matvec(tq1.data(), kk, 0, m, q.data(), 2.0f, y1.data());
    for (std::size_t r = 0; r < m; ++r) {
        float acc = 0.0f;
        for (std::size_t b = 0; b < kk / 256; ++b) {
            int32_t dot = 0;
            for (std::size_t j = 0; j < 256; ++j) {
                dot += t[r * kk + b * 256 + j] * q[b * 256 + j];
            }
            acc += 0.25f * static_cast<float>(r + 1) * static_cast<float>(dot);
        }
        EXPECT_EQ(y2[r], acc * 2.0f) << r;
        EXPECT_EQ(y1[r], acc * 2.0f) << r;
    }
}

TEST(HeadReference, Q8AndF16MatvecsMatchDequantizedRows) {
    const auto& k = scalar_kernels();
    const std::size_t m = 4, kk = 64;
    std::mt19937 rng(10);
    std::normal_distribution<float> nd;
    std::vector<float> wf(m * kk), x(kk);
    for (auto& v : wf) {
        v = nd(rng);
    }
    for (auto& v : x) {
        v = nd(rng);
    }
    std::vector<uint8_t> q8(m * q8_0_row_bytes(kk));
    std::vector<uint16_t> h(m * kk);
    for (std::size_t r = 0; r < m; ++r) {
        q8_0_quantize_row(wf.data() + r * kk, kk, q8.data() + r * q8_0_row_bytes(kk));
    }
    for (std::size_t i = 0; i < m * kk; ++i) {
        h[i] = f32_to_fp16(wf[i]);
    }
    std::vector<float> y8(m), y16(m), row(kk);
    k.q8_0_matvec(q8.data(), kk, 0, m, x.data(), y8.data());
    k.f16_matvec(h.data(), kk, 0, m, x.data(), y16.data());
    for (std::size_t r = 0; r < m; ++r) {
        double e8 = 0, e16 = 0, mag = 0;
        k.dequant_row_q8_0(q8.data() + r * q8_0_row_bytes(kk), kk, row.data());
        for (std::size_t j = 0; j < kk; ++j) {
            e8 += static_cast<double>(row[j]) * x[j];
            e16 += static_cast<double>(fp16_to_f32(h[r * kk + j])) * x[j];
            mag += std::fabs(static_cast<double>(row[j]) * x[j]);
        }
        EXPECT_NEAR(y8[r], e8, 1e-5 * mag);
        EXPECT_NEAR(y16[r], e16, 1e-5 * mag);
    }
}

TEST(FloatReference, NormSoftmaxRopeActivations) {
    const auto& k = scalar_kernels();
    const float x[4] = {1.0f, -2.0f, 3.0f, -4.0f};
    const float w[4] = {1.0f, 1.0f, 2.0f, 0.5f};
    float y[4];
    k.rms_norm(x, w, 4, 0.0f, y);
    const float inv = 1.0f / std::sqrt(7.5f); // mean of squares = 30 / 4
    EXPECT_NEAR(y[0], inv, 1e-6);
    EXPECT_NEAR(y[2], 6.0f * inv, 1e-6);
    EXPECT_NEAR(y[3], -2.0f * inv, 1e-6);

    float s[3] = {1.0f, 2.0f, 3.0f};
    k.softmax(s, 3);
    const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
    EXPECT_NEAR(s[0], std::exp(1.0) / z, 1e-7);
    EXPECT_NEAR(s[2], std::exp(3.0) / z, 1e-7);

    // head_dim 4: pair 0 turns by pos rad, pair 1 by pos / sqrt(base) rad (base^(-2/4)).
    float r[8] = {1, 0, 1, 0, 0, 1, 0, 1};
    k.rope(r, 2, 4, 3, 100.0f);
    EXPECT_NEAR(r[0], std::cos(3.0), 1e-6);
    EXPECT_NEAR(r[1], std::sin(3.0), 1e-6);
    EXPECT_NEAR(r[2], std::cos(0.3), 1e-6);
    EXPECT_NEAR(r[3], std::sin(0.3), 1e-6);
    EXPECT_NEAR(r[4], -std::sin(3.0), 1e-6); // (0, 1) rotated
    EXPECT_NEAR(r[5], std::cos(3.0), 1e-6);
    float p0[4] = {0.5f, -0.25f, 2.0f, 1.0f};
    k.rope(p0, 1, 4, 0, 500000.0f);
    EXPECT_EQ(p0[1], -0.25f); // position 0 is the identity
    EXPECT_EQ(p0[2], 2.0f);

    const float a[3] = {-1.0f, 0.0f, 3.0f};
    float o[3];
    k.relu2(a, 3, o);
    EXPECT_EQ(o[0], 0.0f);
    EXPECT_EQ(o[2], 9.0f);
    k.silu(a, 3, o);
    EXPECT_NEAR(o[0], -1.0 / (1.0 + std::exp(1.0)), 1e-7);
    EXPECT_EQ(o[1], 0.0f);
    const float b[3] = {2.0f, 5.0f, -1.0f};
    k.mul(a, b, 3, o);
    EXPECT_EQ(o[0], -2.0f);
    EXPECT_EQ(o[2], -3.0f);
    k.add(a, b, 3, o);
    EXPECT_EQ(o[1], 5.0f);
}

TEST(Dispatch, ChoosesAndRejectsVariantsClearly) {
    EXPECT_STREQ(select_kernels("scalar").name, "scalar");
    const auto tables = supported_kernel_tables();
    ASSERT_FALSE(tables.empty());
    EXPECT_STREQ(tables.front()->name, "scalar");
    EXPECT_STREQ(select_kernels("auto").name, tables.back()->name);
    EXPECT_STREQ(select_kernels("").name, tables.back()->name);
    try {
        select_kernels("pentium");
        FAIL() << "an unknown variant must throw";
    } catch (const KernelSelectionError& e) {
        EXPECT_NE(std::string(e.what()).find("unknown kernel variant"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("pentium"), std::string::npos);
    }
#if defined(__x86_64__) || defined(_M_X64)
    try {
        select_kernels("neon");
        FAIL() << "NEON cannot run on x86";
    } catch (const KernelSelectionError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot run"), std::string::npos) << e.what();
    }
    if (!cpu_features().avx512f) {
        EXPECT_THROW(select_kernels("avx512"), KernelSelectionError);
    }
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    EXPECT_THROW(select_kernels("avx2"), KernelSelectionError);
#endif
    EXPECT_NE(std::string(kernel_variant_name()), "");
}
