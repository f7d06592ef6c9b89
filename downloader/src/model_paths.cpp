#include "tern/downloader/model_paths.h"

#include <cstdlib>

namespace tern::downloader {
namespace {

std::filesystem::path env_path(const char* name) {
    const char* value = std::getenv(name);
    return value && *value ? std::filesystem::path(value) : std::filesystem::path();
}

} // namespace

std::filesystem::path default_models_dir() {
    if (auto dir = env_path("TERN_MODELS_DIR"); !dir.empty()) {
        return dir;
    }
#if defined(_WIN32)
    auto base = env_path("LOCALAPPDATA");
    return (base.empty() ? env_path("USERPROFILE") : base) / "Tern" / "models";
#elif defined(__APPLE__)
    return env_path("HOME") / "Library" / "Application Support" / "Tern" / "models";
#else
    if (auto xdg = env_path("XDG_DATA_HOME"); !xdg.empty()) {
        return xdg / "tern" / "models";
    }
    return env_path("HOME") / ".local" / "share" / "tern" / "models";
#endif
}

std::string model_folder_name(const std::string& repo) {
    std::string name = repo;
    if (const auto slash = name.find('/'); slash != std::string::npos) {
        name.replace(slash, 1, "--");
    }
    return name;
}

} // namespace tern::downloader
