// The "avx2-vnni" variant (AVX2 + AVX-VNNI). Compiled with -mavx2 -mfma -mf16c -mavxvnni.
#define TERN_NS avx2_vnni
#define TERN_VNNI 1
#define TERN_VARIANT_NAME "avx2-vnni"
#include "x86_avx2.inc"

namespace tern::kernels::detail {
const KernelTable& avx2_vnni_table() {
    return avx2_vnni::table();
}
uint64_t avx2_vnni_mac_loop(uint64_t iterations) {
    return avx2_vnni::mac_loop(iterations);
}
} // namespace tern::kernels::detail
