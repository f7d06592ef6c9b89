// The "avx512" variant (AVX-512 F + BW, no VNNI). Compiled with -mavx512f -mavx512bw (+ AVX2).
#define TERN_NS avx512
#define TERN_VNNI 0
#define TERN_VARIANT_NAME "avx512"
#include "x86_avx512.inc"

namespace tern::kernels::detail {
const KernelTable& avx512_table() {
    return avx512::table();
}
uint64_t avx512_mac_loop(uint64_t iterations) {
    return avx512::mac_loop(iterations);
}
} // namespace tern::kernels::detail
