// CPU features relevant to Tern's kernels, detected once at start-up.
#pragma once

#include <string>
#include <vector>

namespace tern::kernels {

struct CpuFeatures {
    // x86-64
    bool sse42 = false;
    bool avx = false;
    bool avx2 = false;
    bool fma = false;
    bool f16c = false;
    bool avx_vnni = false;    // VEX-encoded vpdpbusd (Alder Lake and later)
    bool avx512f = false;     // only true when the OS also saves the ZMM/opmask state
    bool avx512bw = false;
    bool avx512vl = false;
    bool avx512_vnni = false;
    // aarch64
    bool neon = false;
    bool dotprod = false;     // SDOT/UDOT (ARMv8.2 dot-product extension)

    std::string cpu_name;     // brand string, or "unknown"
    int logical_cores = 0;
    int physical_cores = 0;   // best effort; falls back to logical_cores

    // Names of the present features, in a fixed order, for `tern-cli sysinfo`.
    std::vector<std::string> names() const;
};

// Detects the features of the running CPU. Cheap after the first call (cached).
const CpuFeatures& cpu_features();

// Total physical memory in bytes, or 0 when it cannot be read.
unsigned long long total_memory_bytes();

} // namespace tern::kernels
