// The "avx2" variant (AVX2 + FMA + F16C, no VNNI). Compiled with -mavx2 -mfma -mf16c.
#define TERN_NS avx2
#define TERN_VNNI 0
#define TERN_VARIANT_NAME "avx2"
#include "x86_avx2.inc"

namespace tern::kernels::detail {
const KernelTable& avx2_table() {
    return avx2::table();
}
uint64_t avx2_mac_loop(uint64_t iterations) {
    return avx2::mac_loop(iterations);
}
} // namespace tern::kernels::detail
