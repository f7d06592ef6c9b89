#include "tern/engine/data_paths.h"

#include "tern/engine/engine.h"

#include <cstdlib>
#include <system_error>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#define NOMINMAX
#include <windows.h>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>
#include <cstdint>
#endif

namespace tern::engine {

std::filesystem::path executable_path() {
    std::error_code ec;
#if defined(_WIN32)
    std::wstring buffer(MAX_PATH, L'\0');
    for (;;) {
        const DWORD n = GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
        if (n == 0) return {};
        if (n < buffer.size()) {
            buffer.resize(n);
            return std::filesystem::path(buffer);
        }
        buffer.resize(buffer.size() * 2); // truncated: try again with more room
    }
#elif defined(__APPLE__)
    std::uint32_t size = 0;
    _NSGetExecutablePath(nullptr, &size);
    std::string buffer(size, '\0');
    if (_NSGetExecutablePath(buffer.data(), &size) != 0) return {};
    buffer.resize(buffer.find('\0') == std::string::npos ? buffer.size() : buffer.find('\0'));
    auto resolved = std::filesystem::weakly_canonical(buffer, ec);
    return ec ? std::filesystem::path(buffer) : resolved;
#elif defined(__linux__)
    auto resolved = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path() : resolved;
#else
    return {};
#endif
}

DataSearchInputs current_data_search_inputs() {
    DataSearchInputs in;
    // getenv is fine here: read once, on the calling thread, and copied at once.
#if defined(_MSC_VER)
    char* value = nullptr;
    std::size_t length = 0;
    if (_dupenv_s(&value, &length, "TERN_DATA_DIR") == 0 && value != nullptr) {
        in.env_data_dir = value;
        std::free(value);
    }
#else
    if (const char* value = std::getenv("TERN_DATA_DIR")) in.env_data_dir = value;
#endif
    in.executable = executable_path();
#if defined(TERN_SOURCE_RESOURCES_DIR)
    in.source_resources = std::filesystem::path(TERN_SOURCE_RESOURCES_DIR);
#endif
    return in;
}

std::vector<std::filesystem::path> data_search_dirs(const DataSearchInputs& inputs) {
    std::vector<std::filesystem::path> dirs;
    if (!inputs.env_data_dir.empty()) dirs.emplace_back(inputs.env_data_dir);
    if (!inputs.executable.empty()) {
        const auto exe_dir = inputs.executable.parent_path();
#if defined(_WIN32)
        dirs.push_back(exe_dir / "data");
#else
#if defined(__APPLE__)
        dirs.push_back((exe_dir / ".." / "Resources").lexically_normal());
#endif
        dirs.push_back((exe_dir / ".." / "share" / "tern").lexically_normal());
#endif
    }
    if (!inputs.source_resources.empty()) dirs.push_back(inputs.source_resources);
    return dirs;
}

std::optional<std::filesystem::path> find_data_file(std::string_view name, const DataSearchInputs& inputs) {
    for (const auto& dir : data_search_dirs(inputs)) {
        std::error_code ec;
        const auto candidate = dir / std::filesystem::path(std::string(name));
        if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    }
    return std::nullopt;
}

std::optional<std::filesystem::path> find_data_file(std::string_view name) {
    return find_data_file(name, current_data_search_inputs());
}

std::filesystem::path default_model_path() {
    return default_model_path(current_data_search_inputs());
}

std::filesystem::path default_model_path(const DataSearchInputs& inputs) {
    if (auto found = find_data_file(kDemoModelFile, inputs)) return *found;
    std::string searched;
    for (const auto& dir : data_search_dirs(inputs)) {
        searched += (searched.empty() ? "" : ", ") + dir.string();
    }
    throw Error("the built-in demo model " + std::string(kDemoModelFile) + " was not found (searched: " +
                (searched.empty() ? std::string("nothing") : searched) +
                "); set TERN_DATA_DIR to the folder that holds it, or choose a model");
}

} // namespace tern::engine
