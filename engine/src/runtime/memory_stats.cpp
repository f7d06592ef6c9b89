#include "memory_stats.h"

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#include <psapi.h>
#elif defined(__APPLE__)
#include <mach/mach.h>
#include <sys/resource.h>
#else
#include <cstdio>
#include <cstring>
#endif

namespace tern::engine {

#if defined(_WIN32)

std::uint64_t peak_resident_bytes() {
    PROCESS_MEMORY_COUNTERS pmc{};
    if (GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof pmc)) {
        return pmc.PeakWorkingSetSize;
    }
    return 0;
}

bool reset_peak_resident_bytes() { return false; }

std::uint64_t current_resident_bytes() {
    PROCESS_MEMORY_COUNTERS pmc{};
    if (GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof pmc)) {
        return pmc.WorkingSetSize;
    }
    return 0;
}

#elif defined(__APPLE__)

std::uint64_t peak_resident_bytes() {
    struct rusage usage {};
    if (getrusage(RUSAGE_SELF, &usage) == 0) {
        return static_cast<std::uint64_t>(usage.ru_maxrss); // bytes on macOS
    }
    return 0;
}

bool reset_peak_resident_bytes() { return false; }

std::uint64_t current_resident_bytes() {
    mach_task_basic_info info{};
    mach_msg_type_number_t count = MACH_TASK_BASIC_INFO_COUNT;
    if (task_info(mach_task_self(), MACH_TASK_BASIC_INFO, reinterpret_cast<task_info_t>(&info), &count) ==
        KERN_SUCCESS) {
        return info.resident_size;
    }
    return 0;
}

#else

namespace {
// Reads a "Key:   123 kB" line of /proc/self/status.
std::uint64_t proc_status_kib(const char* key) {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr) {
        return 0;
    }
    char line[256];
    std::uint64_t value = 0;
    const std::size_t key_len = std::strlen(key);
    while (std::fgets(line, sizeof line, f) != nullptr) {
        if (std::strncmp(line, key, key_len) == 0 && line[key_len] == ':') {
            unsigned long long kib = 0;
            if (std::sscanf(line + key_len + 1, "%llu", &kib) == 1) {
                value = kib * 1024;
            }
            break;
        }
    }
    std::fclose(f);
    return value;
}
} // namespace

std::uint64_t peak_resident_bytes() { return proc_status_kib("VmHWM"); }

bool reset_peak_resident_bytes() {
    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0 and later).
    std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
    if (f == nullptr) {
        return false;
    }
    const bool ok = std::fputs("5", f) >= 0;
    return std::fclose(f) == 0 && ok;
}
std::uint64_t current_resident_bytes() { return proc_status_kib("VmRSS"); }

#endif

} // namespace tern::engine
