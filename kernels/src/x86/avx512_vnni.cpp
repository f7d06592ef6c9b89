// The "avx512-vnni" variant (AVX-512 F + BW + VNNI). Compiled with -mavx512vnni (+ F, BW, AVX2).
#define TERN_NS avx512_vnni
#define TERN_VNNI 1
#define TERN_VARIANT_NAME "avx512-vnni"
#include "x86_avx512.inc"

namespace tern::kernels::detail {
const KernelTable& avx512_vnni_table() {
    return avx512_vnni::table();
}
} // namespace tern::kernels::detail
