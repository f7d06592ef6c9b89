// Helpers shared by the x86 variant files (internal linkage: each file compiles them with its own
// instruction-set flags, so no copy may leak into another file).
#pragma once

#include "../scalar/scalar_kernels.h"

#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace {

inline __m256i load256(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

inline void store256(void* p, __m256i v) {
    _mm256_storeu_si256(static_cast<__m256i*>(p), v);
}

inline int32_t hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

inline float hsum_ps(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline float hmax_ps(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline __m256i shift_right_2n(__m256i v, int n) {
    return _mm256_srl_epi16(v, _mm_cvtsi32_si128(2 * n));
}

// Weights are read once per token, in order. The hardware prefetcher alone left the F16 output
// head at about half the read bandwidth on an AVX-512 server core (a 2560-wide row is 5 KiB and
// each row is a fresh stream); asking for the line 4 KiB ahead of the one being used took it to
// about 90% (measured by `tern-cli bench-kernels`). Prefetches never fault, so reading past the
// end of a matrix is harmless; the address is formed as an integer so no out-of-range pointer
// is ever made.
constexpr std::size_t kPrefetchAhead = 4096;

inline void prefetch_ahead(const void* p) {
    _mm_prefetch(reinterpret_cast<const char*>(reinterpret_cast<std::uintptr_t>(p) + kPrefetchAhead),
                 _MM_HINT_T0);
}

inline void zero_bytes(uint8_t* p, std::size_t n) {
    std::memset(p, 0, n);
}

inline float half_to_float_value(uint16_t h) {
    return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h)));
}

// A little-endian fp16 stored at p (block scales are not 2-byte aligned).
inline float half_to_float(const uint8_t* p) {
    return half_to_float_value(static_cast<uint16_t>(p[0] | (p[1] << 8)));
}

inline __m256 load_half8(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// nearest-even (MXCSR default) and clamp, as the scalar reference's nearbyint.
inline int8_t round_clamp_i8(float v) {
    int i = _mm_cvtss_si32(_mm_set_ss(v));
    i = i < -128 ? -128 : (i > 127 ? 127 : i);
    return static_cast<int8_t>(i);
}

// Matrix-matrix K chunks: the running int32 sum lives in the output slot between chunks (as
// int32 bits, so it stays exact for any K); the last chunk applies the offset and the scale.
inline void finish_sum(float* y, int32_t partial, bool first, bool last, int32_t q_sum,
                       float scale) {
    int32_t total = partial;
    if (!first) {
        int32_t previous;
        std::memcpy(&previous, y, sizeof previous);
        total += previous;
    }
    if (last) {
        *y = static_cast<float>(total - q_sum) * scale;
    } else {
        std::memcpy(y, &total, sizeof total);
    }
}

} // namespace
