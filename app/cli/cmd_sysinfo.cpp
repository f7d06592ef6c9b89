// tern-cli sysinfo: what the engine sees of this machine.
#include "command.h"

#include "tern/kernels/cpu_features.h"
#include "tern/kernels/kernels.h"

#include <cstdio>
#include <string>
#include <string_view>

namespace tern::cli {

int run_sysinfo(std::span<char* const> args) {
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "-h" || arg == "--help") {
            std::printf("Usage: tern-cli sysinfo\n\n"
                        "Shows the CPU model, its cores, the memory, the instruction-set features\n"
                        "the kernels use, and the kernel variant chosen at start-up.\n");
            return kExitOk;
        }
        std::fprintf(stderr, "tern-cli sysinfo: unknown option '%s'\n", args[i]);
        return kExitUsage;
    }
    const auto& cpu = kernels::cpu_features();
    std::string features;
    for (const auto& name : cpu.names()) {
        features += (features.empty() ? "" : " ") + name;
    }
    const double gib = static_cast<double>(kernels::total_memory_bytes()) / (1024.0 * 1024 * 1024);
    std::printf("CPU:            %s\n", cpu.cpu_name.c_str());
    std::printf("Cores:          %d physical, %d logical\n", cpu.physical_cores, cpu.logical_cores);
    std::printf("Memory:         %.1f GiB\n", gib);
    std::printf("Features:       %s\n", features.empty() ? "(none detected)" : features.c_str());
    try {
        std::printf("Kernels:        %s\n", kernels::kernel_variant_name());
    } catch (const kernels::KernelSelectionError& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "tern-cli sysinfo: %s\n", e.what());
        return kExitFailure;
    }
    return kExitOk;
}

} // namespace tern::cli
