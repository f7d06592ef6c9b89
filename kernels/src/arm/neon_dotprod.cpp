// The "neon-dotprod" variant (SDOT). Compiled with -march=armv8.2-a+dotprod.
#define TERN_NS neon_dotprod
#define TERN_DOTPROD 1
#define TERN_VARIANT_NAME "neon-dotprod"
#include "arm_neon.inc"

namespace tern::kernels::detail {
const KernelTable& neon_dotprod_table() {
    return neon_dotprod::table();
}
uint64_t neon_dotprod_mac_loop(uint64_t iterations) {
    return neon_dotprod::mac_loop(iterations);
}
} // namespace tern::kernels::detail
