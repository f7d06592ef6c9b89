// The "neon" variant (baseline AArch64 Advanced SIMD), no extra compile flags.
#define TERN_NS neon
#define TERN_DOTPROD 0
#define TERN_VARIANT_NAME "neon"
#include "arm_neon.inc"

namespace tern::kernels::detail {
const KernelTable& neon_table() {
    return neon::table();
}
uint64_t neon_mac_loop(uint64_t iterations) {
    return neon::mac_loop(iterations);
}
} // namespace tern::kernels::detail
