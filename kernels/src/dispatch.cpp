// Chooses the kernel variant once, from the CPU's features or TERN_CPU.
#include "tern/kernels/kernels.h"

#include "scalar/scalar_kernels.h"
#include "tern/kernels/cpu_features.h"
#include "variants.h"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

namespace tern::kernels {
namespace {

struct Variant {
    const char* name;
    bool supported;
    const KernelTable* (*table)();
};

const KernelTable* scalar_table_ptr() {
    return &scalar_kernels();
}

// Every variant of this build's architecture, worst to best.
std::vector<Variant> all_variants() {
    [[maybe_unused]] const CpuFeatures& f = cpu_features();
    std::vector<Variant> v;
    v.push_back({"scalar", true, scalar_table_ptr});
#if defined(TERN_HAVE_X86_KERNELS)
    const bool avx2 = f.avx2 && f.fma && f.f16c;
    const bool avx512 = avx2 && f.avx512f && f.avx512bw;
    v.push_back({"avx2", avx2, [] { return &detail::avx2_table(); }});
    v.push_back({"avx2-vnni", avx2 && f.avx_vnni, [] { return &detail::avx2_vnni_table(); }});
    v.push_back({"avx512", avx512, [] { return &detail::avx512_table(); }});
    v.push_back(
        {"avx512-vnni", avx512 && f.avx512_vnni, [] { return &detail::avx512_vnni_table(); }});
#endif
#if defined(TERN_HAVE_ARM_KERNELS)
    v.push_back({"neon", f.neon, [] { return &detail::neon_table(); }});
    v.push_back(
        {"neon-dotprod", f.neon && f.dotprod, [] { return &detail::neon_dotprod_table(); }});
#endif
    return v;
}

const Variant* find(const std::vector<Variant>& all, std::string_view name) {
    for (const auto& v : all) {
        if (name == v.name) {
            return &v;
        }
    }
    return nullptr;
}

std::string supported_list(const std::vector<Variant>& all) {
    std::string out;
    for (const auto& v : all) {
        if (v.supported) {
            if (!out.empty()) {
                out += ", ";
            }
            out += v.name;
        }
    }
    return out;
}

std::string tern_cpu_env() {
#if defined(_MSC_VER)
    char* value = nullptr;
    std::size_t length = 0;
    std::string out;
    if (_dupenv_s(&value, &length, "TERN_CPU") == 0 && value != nullptr) {
        out = value;
        std::free(value);
    }
    return out;
#else
    const char* value = std::getenv("TERN_CPU");
    return value != nullptr ? std::string(value) : std::string();
#endif
}

} // namespace

const KernelTable& scalar_kernels() {
    static const KernelTable table = scalar::make_table("scalar");
    return table;
}

const KernelTable& select_kernels(std::string_view request) {
    const auto all = all_variants();
    if (request.empty() || request == "auto") {
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            if (it->supported) {
                return *it->table();
            }
        }
    }
    // The family names pick the best member of the family this CPU runs.
    const Variant* chosen = nullptr;
    if (request == "avx2" || request == "avx512") {
        const std::string vnni = std::string(request) + "-vnni";
        const Variant* with_vnni = find(all, vnni);
        chosen = with_vnni != nullptr && with_vnni->supported ? with_vnni : find(all, request);
    } else {
        chosen = find(all, request);
    }
    const bool known = request == "scalar" || request == "avx2" || request == "avx512" ||
                       request == "avx2-vnni" || request == "avx512-vnni" || request == "neon" ||
                       request == "neon-dotprod";
    if (chosen == nullptr && known) {
        throw KernelSelectionError(
            "TERN_CPU=" + std::string(request) + ": this CPU cannot run the '" +
            std::string(request) +
            "' kernels (another architecture; supported here: " + supported_list(all) + ")");
    }
    if (chosen == nullptr) {
        throw KernelSelectionError("TERN_CPU=" + std::string(request) +
                                   ": unknown kernel variant; this build knows: scalar, avx2, "
                                   "avx512, neon, neon-dotprod (supported here: " +
                                   supported_list(all) + ")");
    }
    if (!chosen->supported) {
        throw KernelSelectionError("TERN_CPU=" + std::string(request) +
                                   ": this CPU cannot run the '" + chosen->name +
                                   "' kernels (supported here: " + supported_list(all) + ")");
    }
    return *chosen->table();
}

const KernelTable& kernels() {
    // Chosen once; a failed choice is retried (and fails again) so every caller sees the error.
    static std::atomic<const KernelTable*> chosen{nullptr};
    static std::mutex mutex;
    if (const KernelTable* t = chosen.load(std::memory_order_acquire)) {
        return *t;
    }
    std::lock_guard<std::mutex> lock(mutex);
    if (chosen.load(std::memory_order_relaxed) == nullptr) {
        chosen.store(&select_kernels(tern_cpu_env()), std::memory_order_release);
    }
    return *chosen.load(std::memory_order_relaxed);
}

const char* kernel_variant_name() {
    return kernels().name;
}

std::vector<const KernelTable*> supported_kernel_tables() {
    std::vector<const KernelTable*> out;
    for (const auto& v : all_variants()) {
        if (v.supported) {
            out.push_back(v.table());
        }
    }
    return out;
}

} // namespace tern::kernels
