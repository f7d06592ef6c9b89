#include "tern/downloader/hub_settings.h"

#include "tern/downloader/hf_cache.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <string>
#include <system_error>

namespace tern::downloader {
namespace {

std::string env_or_empty(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

std::string trim(std::string text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::uintmax_t default_available_bytes(const std::filesystem::path& dir) {
    std::error_code error;
    // The folder may not exist yet: ask about the nearest existing parent.
    std::filesystem::path probe = dir;
    while (!probe.empty() && !std::filesystem::exists(probe, error)) {
        const auto parent = probe.parent_path();
        if (parent == probe) {
            break;
        }
        probe = parent;
    }
    const auto info = std::filesystem::space(probe.empty() ? "." : probe, error);
    return error ? static_cast<std::uintmax_t>(-1) : info.available;
}

} // namespace

bool env_flag_is_true(const char* value) {
    if (!value) {
        return false;
    }
    std::string text = trim(value);
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text == "1" || text == "true" || text == "yes" || text == "on";
}

HubSettings HubSettings::with_environment() const {
    HubSettings out = *this;
    if (out.endpoint.empty()) {
        out.endpoint = trim(env_or_empty("HF_ENDPOINT"));
    }
    if (out.endpoint.empty()) {
        out.endpoint = "https://huggingface.co";
    }
    while (!out.endpoint.empty() && out.endpoint.back() == '/') {
        out.endpoint.pop_back();
    }
    if (out.token.empty()) {
        out.token = trim(env_or_empty("HF_TOKEN"));
    }
    if (out.token.empty()) {
        // Where `huggingface-cli login` stores the token: $HF_TOKEN_PATH or $HF_HOME/token.
        std::filesystem::path token_file = env_or_empty("HF_TOKEN_PATH");
        if (token_file.empty()) {
            token_file = hf_home_dir() / "token";
        }
        std::ifstream in(token_file);
        std::string line;
        if (in && std::getline(in, line)) {
            out.token = trim(line);
        }
    }
    if (env_flag_is_true(std::getenv("HF_HUB_OFFLINE"))) {
        out.offline = true;
    }
    if (!out.filesystem.available_bytes) {
        out.filesystem.available_bytes = default_available_bytes;
    }
    if (!out.filesystem.write) {
        out.filesystem.write = [](const void* data, std::size_t size, std::FILE* file) {
            return std::fwrite(data, 1, size, file);
        };
    }
    return out;
}

} // namespace tern::downloader
