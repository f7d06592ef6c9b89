// Every SIMD variant this CPU runs against the scalar reference: bit-exact where the
// accumulation is integer, within the header's tolerances for float kernels. Shapes: the 2B4T
// matrices (2560x2560, 640x2560, 6912x2560, 2560x6912, the 128256x2560 head on sampled row
// ranges), the smallest legal K, odd row counts, N = 1..17 tokens, and adversarial extremes.
#include "tern/kernels/cpu_features.h"
#include "tern/kernels/formats.h"
#include "tern/kernels/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace tern::kernels;

namespace {

std::vector<const KernelTable*> simd_variants() {
    std::vector<const KernelTable*> out;
    for (const KernelTable* t : supported_kernel_tables()) {
        if (std::string(t->name) != "scalar") {
            out.push_back(t);
        }
    }
    return out;
}

// Random bytes: every 2-bit code including the invalid 3, so a wrong bit position shows.
std::vector<uint8_t> random_bytes(std::size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<uint8_t> v(n);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const uint64_t r = rng();
        std::memcpy(v.data() + i, &r, 8);
    }
    for (; i < n; ++i) {
        v[i] = static_cast<uint8_t>(rng());
    }
    return v;
}

std::vector<int8_t> random_acts(std::size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<int8_t> v(n);
    for (auto& x : v) {
        x = static_cast<int8_t>(rng());
    }
    return v;
}

int32_t sum_of(const int8_t* q, std::size_t k) {
    int32_t s = 0;
    for (std::size_t i = 0; i < k; ++i) {
        s += q[i];
    }
    return s;
}

struct Range {
    std::size_t begin, end;
};

// I2_S matvec of every variant vs scalar over the given row ranges (float outputs compared
// bit for bit: both are float(exact int32) * the same scale).
void check_i2s_matvec(std::size_t m, std::size_t k, const std::vector<Range>& ranges,
                      uint64_t seed) {
    const auto w = random_bytes(m * k / 4 + 32, seed);
    const auto q = random_acts(k, seed + 1);
    const int32_t q_sum = sum_of(q.data(), k);
    std::vector<float> expected(m, 0.0f), got(m, 0.0f);
    for (const Range& r : ranges) {
        scalar_kernels().i2s_matvec(w.data(), k, r.begin, r.end, q.data(), q_sum, 0.37f,
                                    expected.data());
    }
    for (const KernelTable* t : simd_variants()) {
        std::fill(got.begin(), got.end(), 0.0f);
        for (const Range& r : ranges) {
            t->i2s_matvec(w.data(), k, r.begin, r.end, q.data(), q_sum, 0.37f, got.data());
        }
        for (std::size_t i = 0; i < m; ++i) {
            ASSERT_EQ(got[i], expected[i]) << t->name << " " << m << "x" << k << " row " << i;
        }
    }
}

void check_i2s_matmul(std::size_t m, std::size_t k, std::size_t n, Range rows, uint64_t seed) {
    const auto w = random_bytes(m * k / 4 + 32, seed);
    const auto q = random_acts(n * k, seed + 1);
    std::vector<int32_t> sums(n);
    std::vector<float> scales(n);
    for (std::size_t t = 0; t < n; ++t) {
        sums[t] = sum_of(q.data() + t * k, k);
        scales[t] = 0.01f * static_cast<float>(t + 1);
    }
    const std::size_t ldy = m + 3;
    std::vector<float> expected(n * ldy, -7.0f), got(n * ldy);
    scalar_kernels().i2s_matmul(w.data(), k, rows.begin, rows.end, q.data(), sums.data(),
                                scales.data(), n, expected.data(), ldy);
    for (const KernelTable* t : simd_variants()) {
        std::fill(got.begin(), got.end(), -7.0f);
        t->i2s_matmul(w.data(), k, rows.begin, rows.end, q.data(), sums.data(), scales.data(), n,
                      got.data(), ldy);
        for (std::size_t i = 0; i < n * ldy; ++i) {
            ASSERT_EQ(got[i], expected[i]) << t->name << " " << m << "x" << k << " n=" << n
                                           << " token " << i / ldy << " row " << i % ldy;
        }
    }
}

std::string env(const char* name) {
#if defined(_MSC_VER)
    char* value = nullptr;
    std::size_t length = 0;
    std::string out;
    if (_dupenv_s(&value, &length, name) == 0 && value != nullptr) {
        out = value;
        std::free(value);
    }
    return out;
#else
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
#endif
}

} // namespace

// The variants offered follow from the detected features. scripts/test.sh also runs this suite
// under qemu with and without the dot-product extension and names the list each emulated CPU
// must offer (TERN_EXPECT_VARIANTS), which checks the detection itself.
TEST(Variants, OfferedVariantsFollowTheCpuFeatures) {
    const CpuFeatures& f = cpu_features();
    std::string derived = "scalar";
#if defined(__x86_64__) || defined(_M_X64)
    const bool avx2 = f.avx2 && f.fma && f.f16c;
    const bool avx512 = avx2 && f.avx512f && f.avx512bw;
    derived += avx2 ? ",avx2" : "";
    derived += avx2 && f.avx_vnni ? ",avx2-vnni" : "";
    derived += avx512 ? ",avx512" : "";
    derived += avx512 && f.avx512_vnni ? ",avx512-vnni" : "";
#elif defined(__aarch64__) || defined(_M_ARM64)
    derived += ",neon";
    derived += f.dotprod ? ",neon-dotprod" : "";
#endif
    std::string offered;
    for (const KernelTable* t : supported_kernel_tables()) {
        if (!offered.empty()) {
            offered += ',';
        }
        offered += t->name;
    }
    EXPECT_EQ(offered, derived);
    const std::string expected = env("TERN_EXPECT_VARIANTS");
    if (!expected.empty()) {
        EXPECT_EQ(offered, expected) << "TERN_EXPECT_VARIANTS";
    }
}

TEST(Variants, AtLeastTheScalarOneAndNamesAreDistinct) {
    const auto all = supported_kernel_tables();
    ASSERT_GE(all.size(), 1u);
    for (std::size_t i = 0; i < all.size(); ++i) {
        for (std::size_t j = i + 1; j < all.size(); ++j) {
            EXPECT_STRNE(all[i]->name, all[j]->name);
        }
    }
#if defined(__x86_64__) || defined(_M_X64)
    if (cpu_features().avx2 && cpu_features().fma && cpu_features().f16c) {
        EXPECT_GE(all.size(), 2u) << "this CPU has AVX2 but no AVX2 variant was offered";
    }
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    EXPECT_GE(all.size(), 2u) << "AArch64 always has NEON";
#endif
}

TEST(I2SMatvecVariants, BitNet2B4TShapes) {
    check_i2s_matvec(2560, 2560, {{0, 2560}}, 11);
    check_i2s_matvec(640, 2560, {{0, 640}}, 12);
    check_i2s_matvec(6912, 2560, {{0, 3001}, {3001, 6912}}, 13);
    check_i2s_matvec(2560, 6912, {{0, 1}, {1, 2560}}, 14);
}

TEST(I2SMatvecVariants, OutputHeadShapeOnSampledRowRanges) {
    // 128256 x 2560 as I2_S (82 MB); a few row ranges keep the test fast.
    check_i2s_matvec(128256, 2560, {{0, 37}, {64001, 64130}, {128256 - 45, 128256}}, 15);
}

TEST(I2SMatvecVariants, SmallestKAndOddRowCounts) {
    for (std::size_t m : {1u, 2u, 3u, 5u, 7u, 17u, 33u}) {
        check_i2s_matvec(m, 128, {{0, m}}, 20 + m);
        check_i2s_matvec(m, 384, {{0, m}}, 40 + m);
    }
    check_i2s_matvec(9, 256, {{1, 2}, {3, 8}}, 60);
}

TEST(I2SMatmulVariants, EveryTokenCountUpTo17) {
    for (std::size_t n = 1; n <= 17; ++n) {
        check_i2s_matmul(37, 256, n, {0, 37}, 100 + n);
        check_i2s_matmul(11, 128, n, {2, 9}, 200 + n);
    }
}

TEST(I2SMatmulVariants, BitNet2B4TShapesOnRowRanges) {
    check_i2s_matmul(2560, 2560, 17, {5, 47}, 300);
    check_i2s_matmul(640, 2560, 8, {0, 640}, 301);
    check_i2s_matmul(6912, 2560, 5, {6912 - 29, 6912}, 302);
    // K = 6912 spans two panel chunks of 4096: the running sum crosses chunk boundaries.
    check_i2s_matmul(2560, 6912, 13, {100, 123}, 303);
    check_i2s_matmul(3, 12288, 3, {0, 3}, 304);
}

TEST(I2SAdversarial, ExtremeActivationsWithUniformWeightsDoNotOverflow) {
    // int16 accumulation over a row of 6912 or 16384 * 127 would overflow; every variant must
    // give the exact int32 result.
    for (std::size_t k : {6912u, 16384u}) {
        for (int weight : {-1, 1}) {
            for (int act : {-128, 127}) {
                const std::size_t m = 3, n = 5;
                std::vector<int8_t> ternary(m * k, static_cast<int8_t>(weight));
                std::vector<uint8_t> w(i2s_tensor_bytes(m, k));
                i2s_pack(ternary.data(), m, k, 1.0f, w.data());
                std::vector<int8_t> q(n * k, static_cast<int8_t>(act));
                const int32_t q_sum = act * static_cast<int32_t>(k);
                const float expected = static_cast<float>(weight * act * static_cast<int32_t>(k));
                std::vector<int32_t> sums(n, q_sum);
                std::vector<float> ones(n, 1.0f);
                for (const KernelTable* t : supported_kernel_tables()) {
                    std::vector<float> y(m, 0.0f), yy(n * m, 0.0f);
                    t->i2s_matvec(w.data(), k, 0, m, q.data(), q_sum, 1.0f, y.data());
                    t->i2s_matmul(w.data(), k, 0, m, q.data(), sums.data(), ones.data(), n,
                                  yy.data(), m);
                    for (std::size_t r = 0; r < m; ++r) {
                        ASSERT_EQ(y[r], expected)
                            << t->name << " k=" << k << " w=" << weight << " a=" << act;
                    }
                    for (float v : yy) {
                        ASSERT_EQ(v, expected) << t->name << " matmul k=" << k;
                    }
                }
            }
        }
    }
}

TEST(QuantizeActVariants, BitExactIncludingTies) {
    std::mt19937 rng(5);
    std::normal_distribution<float> nd(0.0f, 2.0f);
    for (std::size_t k : {1u, 7u, 31u, 32u, 2560u, 6912u}) {
        std::vector<float> x(k);
        for (auto& v : x) {
            v = nd(rng);
        }
        if (k >= 32) {
            // Exact .5 ties after scaling: max 127 makes a = 1.
            x[0] = 127.0f;
            for (std::size_t i = 1; i < 20; ++i) {
                x[i] = static_cast<float>(i) - 10.5f;
            }
        }
        std::vector<int8_t> qe(k), qg(k);
        const ActQuant e = scalar_kernels().quantize_act(x.data(), k, qe.data());
        for (const KernelTable* t : simd_variants()) {
            const ActQuant g = t->quantize_act(x.data(), k, qg.data());
            EXPECT_EQ(g.scale, e.scale) << t->name << " k=" << k;
            EXPECT_EQ(g.sum, e.sum) << t->name << " k=" << k;
            ASSERT_EQ(qg, qe) << t->name << " k=" << k;
        }
    }
}

TEST(TernaryBlockVariants, TQ2AndTQ1MatchScalarExactly) {
    for (std::size_t k : {256u, 2560u, 6912u}) {
        const std::size_t m = 13;
        auto w2 = random_bytes(m * tq2_0_row_bytes(k), 400 + k);
        auto w1 = random_bytes(m * tq1_0_row_bytes(k), 500 + k);
        // Sane fp16 block scales (random bytes could be NaN).
        for (std::size_t b = 0; b < m * k / 256; ++b) {
            const uint16_t d = f32_to_fp16(0.001f * static_cast<float>(b % 17 + 1));
            std::memcpy(w2.data() + b * 66 + 64, &d, 2);
            std::memcpy(w1.data() + b * 54 + 52, &d, 2);
        }
        const auto q = random_acts(k, 600 + k);
        std::vector<float> e2(m), e1(m), g2(m), g1(m);
        scalar_kernels().tq2_0_matvec(w2.data(), k, 0, m, q.data(), 0.5f, e2.data());
        scalar_kernels().tq1_0_matvec(w1.data(), k, 0, m, q.data(), 0.5f, e1.data());
        for (const KernelTable* t : simd_variants()) {
            t->tq2_0_matvec(w2.data(), k, 0, m, q.data(), 0.5f, g2.data());
            t->tq1_0_matvec(w1.data(), k, 0, m, q.data(), 0.5f, g1.data());
            EXPECT_EQ(g2, e2) << t->name << " k=" << k;
            EXPECT_EQ(g1, e1) << t->name << " k=" << k;
        }
    }
}

TEST(HeadVariants, F16AndQ8MatvecWithinTolerance) {
    const std::size_t m = 67, k = 2560;
    std::mt19937 rng(7);
    std::normal_distribution<float> nd;
    std::vector<float> wf(m * k), x(k);
    for (auto& v : wf) {
        v = nd(rng);
    }
    for (auto& v : x) {
        v = nd(rng);
    }
    std::vector<uint16_t> h(m * k);
    for (std::size_t i = 0; i < m * k; ++i) {
        h[i] = f32_to_fp16(wf[i]);
    }
    std::vector<uint8_t> q8(m * q8_0_row_bytes(k));
    for (std::size_t r = 0; r < m; ++r) {
        q8_0_quantize_row(wf.data() + r * k, k, q8.data() + r * q8_0_row_bytes(k));
    }
    std::vector<float> e16(m), e8(m), g16(m), g8(m);
    scalar_kernels().f16_matvec(h.data(), k, 0, m, x.data(), e16.data());
    scalar_kernels().q8_0_matvec(q8.data(), k, 0, m, x.data(), e8.data());
    for (const KernelTable* t : simd_variants()) {
        t->f16_matvec(h.data(), k, 0, m, x.data(), g16.data());
        t->q8_0_matvec(q8.data(), k, 0, m, x.data(), g8.data());
        for (std::size_t r = 0; r < m; ++r) {
            double mag = 0;
            for (std::size_t j = 0; j < k; ++j) {
                mag += std::fabs(static_cast<double>(wf[r * k + j]) * x[j]);
            }
            EXPECT_NEAR(g16[r], e16[r], 1e-5 * mag) << t->name << " row " << r;
            EXPECT_NEAR(g8[r], e8[r], 1e-5 * mag) << t->name << " row " << r;
        }
    }
}

TEST(FloatVariants, ElementwiseKernelsWithinTolerance) {
    const std::size_t n = 2560 + 3;
    std::mt19937 rng(8);
    std::normal_distribution<float> nd;
    std::vector<float> x(n), w(n), b(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = nd(rng);
        w[i] = nd(rng);
        b[i] = nd(rng);
    }
    const auto& s = scalar_kernels();
    std::vector<float> e(n), g(n);
    for (const KernelTable* t : simd_variants()) {
        s.rms_norm(x.data(), w.data(), n, 1e-5f, e.data());
        t->rms_norm(x.data(), w.data(), n, 1e-5f, g.data());
        for (std::size_t i = 0; i < n; ++i) {
            ASSERT_NEAR(g[i], e[i], 1e-5 * std::fabs(e[i]) + 1e-7) << t->name << " rms_norm";
        }
        e = x;
        g = x;
        s.softmax(e.data(), n);
        t->softmax(g.data(), n);
        for (std::size_t i = 0; i < n; ++i) {
            ASSERT_NEAR(g[i], e[i], 1e-6) << t->name << " softmax";
        }
        s.silu(x.data(), n, e.data());
        t->silu(x.data(), n, g.data());
        for (std::size_t i = 0; i < n; ++i) {
            ASSERT_NEAR(g[i], e[i], 1e-6 * std::fabs(e[i]) + 1e-7) << t->name << " silu";
        }
        s.relu2(x.data(), n, e.data());
        t->relu2(x.data(), n, g.data());
        ASSERT_EQ(g, e) << t->name << " relu2";
        s.mul(x.data(), b.data(), n, e.data());
        t->mul(x.data(), b.data(), n, g.data());
        ASSERT_EQ(g, e) << t->name << " mul";
        s.add(x.data(), b.data(), n, e.data());
        t->add(x.data(), b.data(), n, g.data());
        ASSERT_EQ(g, e) << t->name << " add";
        std::vector<float> re(x.begin(), x.begin() + 2560), rg = re;
        s.rope(re.data(), 20, 128, 4095, 500000.0f);
        t->rope(rg.data(), 20, 128, 4095, 500000.0f);
        for (std::size_t i = 0; i < re.size(); ++i) {
            ASSERT_NEAR(rg[i], re[i], 1e-5 * (std::fabs(x[i]) + 1)) << t->name << " rope";
        }
    }
}
