#include "tern/kernels/cpu_features.h"

#include <gtest/gtest.h>

#include <algorithm>

using tern::kernels::cpu_features;

TEST(CpuFeatures, ImpliedFeaturesAreConsistent) {
    const auto& f = cpu_features();
    // A feature that needs OS support for wider registers implies the narrower ones.
    if (f.avx2) {
        EXPECT_TRUE(f.avx);
    }
    if (f.avx512bw || f.avx512vl || f.avx512_vnni) {
        EXPECT_TRUE(f.avx512f);
    }
    if (f.avx_vnni) {
        EXPECT_TRUE(f.avx2);
    }
    if (f.dotprod) {
        EXPECT_TRUE(f.neon);
    }
#if defined(__x86_64__) || defined(_M_X64)
    EXPECT_FALSE(f.neon);
#endif
#if defined(__aarch64__)
    EXPECT_TRUE(f.neon);
    EXPECT_FALSE(f.avx2);
#endif
}

TEST(CpuFeatures, NamesListExactlyThePresentFeatures) {
    const auto& f = cpu_features();
    const auto names = f.names();
    const auto has = [&](const char* n) {
        return std::find(names.begin(), names.end(), n) != names.end();
    };
    EXPECT_EQ(has("AVX2"), f.avx2);
    EXPECT_EQ(has("AVX-512F"), f.avx512f);
    EXPECT_EQ(has("AVX-512BW"), f.avx512bw);
    EXPECT_EQ(has("AVX-512-VNNI"), f.avx512_vnni);
    EXPECT_EQ(has("NEON"), f.neon);
    EXPECT_EQ(has("DOTPROD"), f.dotprod);
}

TEST(CpuFeatures, CoresAndMemoryAreSane) {
    const auto& f = cpu_features();
    EXPECT_GE(f.logical_cores, 1);
    EXPECT_GE(f.physical_cores, 1);
    EXPECT_LE(f.physical_cores, f.logical_cores);
    EXPECT_FALSE(f.cpu_name.empty());
#if defined(__linux__) || defined(_WIN32) || defined(__APPLE__)
    EXPECT_GT(tern::kernels::total_memory_bytes(), 64ull * 1024 * 1024);
#endif
}

TEST(CpuFeatures, DetectionIsCached) {
    EXPECT_EQ(&cpu_features(), &cpu_features());
}
