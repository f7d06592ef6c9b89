// Block formats of the weights Tern reads and writes, as plain scalar functions.
//
// These are the definitions the converter and `tern-cli synth` write files with and the
// kernels' tests check against. Every function here is exact and deterministic (no SIMD, no
// dependence on the rounding mode beyond the default round-to-nearest-even).
//
// Sizes are in elements unless a name ends in `_bytes`. Bad shapes (K not a multiple of the
// block size) throw std::invalid_argument naming the format and the offending value.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::kernels {

// ---- half-precision floats -------------------------------------------------------------------
// IEEE binary16. f32 -> f16 rounds to nearest, ties to even; values >= 65520 in magnitude become
// infinity; NaN stays NaN (quiet, sign kept). f16 -> f32 is exact (subnormals included).
float fp16_to_f32(uint16_t h);
uint16_t f32_to_fp16(float f);

// bfloat16 (the upper 16 bits of a float32). f32 -> bf16 rounds to nearest, ties to even; NaN
// stays NaN (quiet). bf16 -> f32 is exact.
float bf16_to_f32(uint16_t h);
uint16_t f32_to_bf16(float f);

// ---- I2_S (bitnet.cpp, ggml type 36) --------------------------------------------------------
// A tensor of M rows x K ternary values (K a multiple of 128). Code = value + 1 (2 bits). Each
// row is K/4 bytes; within each 128-element block (32 bytes) element j lives in byte j % 32 at
// bit shift 6 - 2 * (j / 32). After the M*K/4 data bytes: one float32 (little-endian) tensor
// scale, then 28 zero bytes. Total: i2s_tensor_bytes(M, K) = M*K/4 + 32.
inline constexpr std::size_t kI2sBlockElems = 128;
inline constexpr std::size_t kI2sBlockBytes = 32;
inline constexpr std::size_t kI2sTrailerBytes = 32; // float scale + 28 bytes padding

std::size_t i2s_row_bytes(std::size_t k);
std::size_t i2s_tensor_bytes(std::size_t m, std::size_t k);

// ternary: M*K values in {-1, 0, +1}, row-major. Writes exactly i2s_tensor_bytes(m, k) bytes
// (padding zeroed). Throws std::invalid_argument on a value outside {-1, 0, +1} or a bad K.
void i2s_pack(const int8_t* ternary, std::size_t m, std::size_t k, float scale, uint8_t* out);
// Inverse of i2s_pack. The invalid code 3 throws std::invalid_argument (row and column named).
void i2s_unpack(const uint8_t* data, std::size_t m, std::size_t k, int8_t* ternary);
// The tensor scale stored after the codes.
float i2s_scale(const uint8_t* data, std::size_t m, std::size_t k);

// ---- TQ2_0 / TQ1_0 (upstream llama.cpp, ggml types 35 / 34), 256-element blocks --------------
// TQ2_0 block (66 bytes): qs[64] then fp16 d. In each 128-element half h (bytes 32h..32h+31),
//   element 128h + 32n + m has code (value + 1) at bits 2n of byte 32h + m.
// TQ1_0 block (54 bytes): qs[48], qh[4], fp16 d. Trits are base-3 digits stored as the fixed-
//   point fraction byte = ceil(v * 256 / 243) of a 5-digit number v (first digit most
//   significant); digit n of a byte b is ((uint8_t)(b * 3^n) * 3) >> 8.
//   qs[0..31]:  element m + 32n  is digit n of qs[m]       (elements 0..159)
//   qs[32..47]: element 160 + m + 16n is digit n of qs[32+m] (elements 160..239)
//   qh[0..3]:   element 240 + j + 4n is digit n of qh[j], n < 4 (the 5th digit is 0)
// Dequantized value = (digit - 1) * d.
inline constexpr std::size_t kQkK = 256;
inline constexpr std::size_t kTq2BlockBytes = 66;
inline constexpr std::size_t kTq1BlockBytes = 54;

std::size_t tq2_0_row_bytes(std::size_t k);
std::size_t tq1_0_row_bytes(std::size_t k);
// Packs one row of K ternary values with every block's scale set to fp16(scale).
void tq2_0_pack_row(const int8_t* ternary, std::size_t k, float scale, uint8_t* out);
void tq1_0_pack_row(const int8_t* ternary, std::size_t k, float scale, uint8_t* out);
// Unpacks codes to ternary values; block_scales (K/256 floats) may be null.
void tq2_0_unpack_row(const uint8_t* in, std::size_t k, int8_t* ternary, float* block_scales);
void tq1_0_unpack_row(const uint8_t* in, std::size_t k, int8_t* ternary, float* block_scales);
void tq2_0_dequantize_row(const uint8_t* in, std::size_t k, float* y);
void tq1_0_dequantize_row(const uint8_t* in, std::size_t k, float* y);

// ---- Q8_0 (ggml type 8): blocks of 32 = fp16 d + 32 int8 (34 bytes) -----------------------------
// Quantize as ggml's reference: d = max|x| / 127, q = round-half-away-from-zero(x / d) (0 when
// d == 0), d stored as fp16. Dequantize: q * fp16_to_f32(d).
inline constexpr std::size_t kQ80BlockElems = 32;
inline constexpr std::size_t kQ80BlockBytes = 34;
std::size_t q8_0_row_bytes(std::size_t k);
void q8_0_quantize_row(const float* x, std::size_t k, uint8_t* out);
void q8_0_dequantize_row(const uint8_t* in, std::size_t k, float* y);

// ---- Q6_K (ggml type 14): 256-element super-blocks of 210 bytes
// ---------------------------------- ql[128] (low 4 bits), qh[64] (high 2 bits), int8 scales[16],
// fp16 d. Within each 128-element half (ql += 64, qh += 32, scales += 8 per half), for l in 0..31:
//   q(l)    = (ql[l]    & 15) | ((qh[l] >> 0) & 3) << 4,  scale index l/16
//   q(l+32) = (ql[l+32] & 15) | ((qh[l] >> 2) & 3) << 4,  scale index l/16 + 2
//   q(l+64) = (ql[l]    >> 4) | ((qh[l] >> 4) & 3) << 4,  scale index l/16 + 4
//   q(l+96) = (ql[l+32] >> 4) | ((qh[l] >> 6) & 3) << 4,  scale index l/16 + 6
// value = d * scale * (q - 32), computed as float (d * scale) * (q - 32).
inline constexpr std::size_t kQ6KBlockBytes = 210;
std::size_t q6_k_row_bytes(std::size_t k);
void q6_k_dequantize_row(const uint8_t* in, std::size_t k, float* y);

// Row dequantization of plain 16-bit rows (for embedding lookup).
void f16_dequantize_row(const uint16_t* in, std::size_t k, float* y);
void bf16_dequantize_row(const uint16_t* in, std::size_t k, float* y);

} // namespace tern::kernels
