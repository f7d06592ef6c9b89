#include "tern/kernels/cpu_features.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#endif

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#define TERN_X86 1
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

#if defined(__aarch64__) || defined(_M_ARM64)
#define TERN_ARM64 1
#if defined(__linux__)
#include <sys/auxv.h>
#endif
#endif

#if defined(__APPLE__)
#include <sys/sysctl.h>
#include <sys/types.h>
#endif

#if defined(__linux__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace tern::kernels {
namespace {

#if defined(TERN_X86)
struct Regs {
    uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

Regs cpuid(uint32_t leaf, uint32_t subleaf) {
    Regs r;
#if defined(_MSC_VER)
    int out[4];
    __cpuidex(out, static_cast<int>(leaf), static_cast<int>(subleaf));
    r.eax = static_cast<uint32_t>(out[0]);
    r.ebx = static_cast<uint32_t>(out[1]);
    r.ecx = static_cast<uint32_t>(out[2]);
    r.edx = static_cast<uint32_t>(out[3]);
#else
    __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
#endif
    return r;
}

// XCR0 tells which register states the OS saves on a context switch; a CPU may support AVX-512
// while the OS (or a hypervisor) does not enable it, and then using ZMM registers faults.
uint64_t xgetbv0() {
#if defined(_MSC_VER)
    return _xgetbv(0);
#else
    uint32_t lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<uint64_t>(hi) << 32) | lo;
#endif
}

void detect_x86(CpuFeatures& f) {
    const Regs l0 = cpuid(0, 0);
    const uint32_t max_leaf = l0.eax;
    if (max_leaf < 1) {
        return;
    }
    const Regs l1 = cpuid(1, 0);
    f.sse42 = (l1.ecx >> 20) & 1;
    f.fma = (l1.ecx >> 12) & 1;
    f.f16c = (l1.ecx >> 29) & 1;
    const bool osxsave = (l1.ecx >> 27) & 1;
    const bool cpu_avx = (l1.ecx >> 28) & 1;

    uint64_t xcr0 = 0;
    if (osxsave) {
        xcr0 = xgetbv0();
    }
    const bool os_ymm = (xcr0 & 0x6) == 0x6;            // XMM + YMM
    const bool os_zmm = (xcr0 & 0xE6) == 0xE6;          // + opmask, ZMM_Hi256, Hi16_ZMM

    f.avx = cpu_avx && os_ymm;
    if (!f.avx) {
        f.fma = false;
        f.f16c = false;
    }
    if (max_leaf >= 7) {
        const Regs l7 = cpuid(7, 0);
        f.avx2 = f.avx && ((l7.ebx >> 5) & 1);
        f.avx512f = os_zmm && ((l7.ebx >> 16) & 1);
        f.avx512bw = f.avx512f && ((l7.ebx >> 30) & 1);
        f.avx512vl = f.avx512f && ((l7.ebx >> 31) & 1);
        f.avx512_vnni = f.avx512f && ((l7.ecx >> 11) & 1);
        if (l7.eax >= 1) {
            const Regs l71 = cpuid(7, 1);
            f.avx_vnni = f.avx2 && ((l71.eax >> 4) & 1);
        }
    }

    const Regs ext = cpuid(0x80000000u, 0);
    if (ext.eax >= 0x80000004u) {
        char brand[49] = {};
        for (uint32_t i = 0; i < 3; ++i) {
            const Regs r = cpuid(0x80000002u + i, 0);
            std::memcpy(brand + 16 * i + 0, &r.eax, 4);
            std::memcpy(brand + 16 * i + 4, &r.ebx, 4);
            std::memcpy(brand + 16 * i + 8, &r.ecx, 4);
            std::memcpy(brand + 16 * i + 12, &r.edx, 4);
        }
        f.cpu_name = brand;
    }
}
#endif

#if defined(TERN_ARM64)
void detect_arm64(CpuFeatures& f) {
    f.neon = true; // Advanced SIMD is mandatory on AArch64.
#if defined(__linux__)
    const unsigned long hwcap = getauxval(AT_HWCAP);
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1UL << 20)
#endif
    f.dotprod = (hwcap & HWCAP_ASIMDDP) != 0;
#elif defined(__APPLE__)
    int value = 0;
    size_t size = sizeof(value);
    if (sysctlbyname("hw.optional.arm.FEAT_DotProd", &value, &size, nullptr, 0) == 0) {
        f.dotprod = value != 0;
    }
    char brand[128] = {};
    size_t bsize = sizeof(brand) - 1;
    if (sysctlbyname("machdep.cpu.brand_string", brand, &bsize, nullptr, 0) == 0) {
        f.cpu_name = brand;
    }
#elif defined(_WIN32)
#ifdef PF_ARM_V82_DP_INSTRUCTIONS_AVAILABLE
    f.dotprod = IsProcessorFeaturePresent(PF_ARM_V82_DP_INSTRUCTIONS_AVAILABLE) != 0;
#endif
#endif
}
#endif

std::string trim(std::string s) {
    const auto not_space = [](unsigned char c) { return c != ' ' && c != '\t' && c != '\n'; };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
    s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
    return s;
}

// Physical cores: on Linux, distinct (package, core id) pairs in /proc/cpuinfo.
int detect_physical_cores(int logical) {
#if defined(__linux__)
    std::ifstream in("/proc/cpuinfo");
    std::set<std::pair<std::string, std::string>> cores;
    std::string line, physical_id = "0";
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        const std::string key = trim(line.substr(0, colon));
        const std::string value = trim(line.substr(colon + 1));
        if (key == "physical id") {
            physical_id = value;
        } else if (key == "core id") {
            cores.emplace(physical_id, value);
        }
    }
    if (!cores.empty()) {
        return static_cast<int>(cores.size());
    }
#elif defined(__APPLE__)
    int value = 0;
    size_t size = sizeof(value);
    if (sysctlbyname("hw.physicalcpu", &value, &size, nullptr, 0) == 0 && value > 0) {
        return value;
    }
#elif defined(_WIN32)
    DWORD length = 0;
    GetLogicalProcessorInformationEx(RelationProcessorCore, nullptr, &length);
    if (length > 0) {
        std::string buffer(length, '\0');
        auto* info = reinterpret_cast<SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX*>(buffer.data());
        if (GetLogicalProcessorInformationEx(RelationProcessorCore, info, &length)) {
            int count = 0;
            for (DWORD offset = 0; offset < length;) {
                auto* item =
                    reinterpret_cast<SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX*>(buffer.data() + offset);
                ++count;
                offset += item->Size;
            }
            return count;
        }
    }
#endif
    return logical;
}

std::string linux_cpu_name() {
#if defined(__linux__)
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        const std::string key = trim(line.substr(0, colon));
        if (key == "model name" || key == "Model" || key == "Hardware") {
            return trim(line.substr(colon + 1));
        }
    }
#endif
    return {};
}

CpuFeatures detect() {
    CpuFeatures f;
#if defined(TERN_X86)
    detect_x86(f);
#endif
#if defined(TERN_ARM64)
    detect_arm64(f);
#endif
    if (f.cpu_name.empty()) {
        f.cpu_name = linux_cpu_name();
    }
    f.cpu_name = trim(f.cpu_name);
    if (f.cpu_name.empty()) {
        f.cpu_name = "unknown";
    }
    f.logical_cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    f.physical_cores = std::clamp(detect_physical_cores(f.logical_cores), 1, f.logical_cores);
    return f;
}

} // namespace

std::vector<std::string> CpuFeatures::names() const {
    std::vector<std::string> out;
    const std::pair<bool, const char*> all[] = {
        {sse42, "SSE4.2"},           {avx, "AVX"},           {avx2, "AVX2"},
        {fma, "FMA"},                {f16c, "F16C"},         {avx_vnni, "AVX-VNNI"},
        {avx512f, "AVX-512F"},       {avx512bw, "AVX-512BW"}, {avx512vl, "AVX-512VL"},
        {avx512_vnni, "AVX-512-VNNI"}, {neon, "NEON"},       {dotprod, "DOTPROD"},
    };
    for (const auto& [present, name] : all) {
        if (present) {
            out.emplace_back(name);
        }
    }
    return out;
}

const CpuFeatures& cpu_features() {
    static const CpuFeatures features = detect();
    return features;
}

unsigned long long total_memory_bytes() {
#if defined(_WIN32)
    MEMORYSTATUSEX status{};
    status.dwLength = sizeof(status);
    if (GlobalMemoryStatusEx(&status)) {
        return status.ullTotalPhys;
    }
    return 0;
#elif defined(__APPLE__)
    uint64_t mem = 0;
    size_t size = sizeof(mem);
    if (sysctlbyname("hw.memsize", &mem, &size, nullptr, 0) == 0) {
        return mem;
    }
    return 0;
#elif defined(__linux__)
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page_size > 0) {
        return static_cast<unsigned long long>(pages) * static_cast<unsigned long long>(page_size);
    }
    return 0;
#else
    return 0;
#endif
}

} // namespace tern::kernels
