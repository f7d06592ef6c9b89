// The "avx512-vnni" variant (AVX-512 F + BW + VNNI). Compiled with -mavx512vnni (+ F, BW, AVX2).
#define TERN_NS avx512_vnni
#define TERN_VNNI 1
#define TERN_VARIANT_NAME "avx512-vnni"
#include "x86_avx512.inc"

namespace tern::kernels::detail {
const KernelTable& avx512_vnni_table() {
    return avx512_vnni::table();
}
uint64_t avx512_vnni_mac_loop(uint64_t iterations) {
    return avx512_vnni::mac_loop(iterations);
}
} // namespace tern::kernels::detail
