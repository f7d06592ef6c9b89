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
#endif
#if defined(TERN_HAVE_ARM_KERNELS)
const KernelTable& neon_table();
const KernelTable& neon_dotprod_table();
#endif

} // namespace tern::kernels::detail
