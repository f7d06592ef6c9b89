// The SIMD variants' tables (internal). Each is defined in a file compiled with that variant's
// instruction-set flags; only dispatch.cpp calls these, and only after checking the CPU.
#pragma once

#include "tern/kernels/kernels.h"

namespace tern::kernels::detail {

#if defined(TERN_HAVE_X86_KERNELS)
const KernelTable& avx2_table();
const KernelTable& avx2_vnni_table();
const KernelTable& avx512_table();
const KernelTable& avx512_vnni_table();
// Tight loops of each variant's int8 multiply-accumulate instruction (benchmarks only); each
// returns the number of multiply-accumulates it performed.
uint64_t avx2_mac_loop(uint64_t iterations);
uint64_t avx2_vnni_mac_loop(uint64_t iterations);
uint64_t avx512_mac_loop(uint64_t iterations);
uint64_t avx512_vnni_mac_loop(uint64_t iterations);
#endif
#if defined(TERN_HAVE_ARM_KERNELS)
const KernelTable& neon_table();
const KernelTable& neon_dotprod_table();
uint64_t neon_mac_loop(uint64_t iterations);
uint64_t neon_dotprod_mac_loop(uint64_t iterations);
#endif

} // namespace tern::kernels::detail
