#include "tern/downloader/hf_cache.h"

#include "tern/downloader/hub_client.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <system_error>

namespace tern::downloader {
namespace {

namespace fs = std::filesystem;

fs::path env_path(const char* name) {
    const char* value = std::getenv(name);
    return value && *value ? fs::path(value) : fs::path();
}

fs::path home_dir() {
#ifdef _WIN32
    if (auto profile = env_path("USERPROFILE"); !profile.empty()) {
        return profile;
    }
#endif
    return env_path("HOME");
}

std::string read_first_line(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) {
        line.pop_back();
    }
    return line;
}

bool is_commit_hash(const std::string& text) {
    return text.size() == 40 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Relative paths of the files in a snapshot that can be opened (symlinks into blobs/ that
// resolve to a regular file; a dangling link means an incomplete or pruned download).
std::vector<std::string> snapshot_files(const fs::path& snapshot) {
    std::vector<std::string> files;
    std::error_code error;
    for (fs::recursive_directory_iterator it(snapshot, error), end; !error && it != end; it.increment(error)) {
        std::error_code status_error;
        if (fs::is_regular_file(it->path(), status_error)) { // follows symlinks
            const auto rel = it->path().lexically_relative(snapshot).generic_u8string();
            files.emplace_back(rel.begin(), rel.end());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::optional<std::string> repo_from_folder(const std::string& folder) {
    // models--owner--name; owner and name never contain "--" (the hub forbids it).
    const std::string prefix = "models--";
    if (folder.rfind(prefix, 0) != 0) {
        return std::nullopt;
    }
    std::string rest = folder.substr(prefix.size());
    const auto sep = rest.find("--");
    if (sep != std::string::npos) {
        rest = rest.substr(0, sep) + "/" + rest.substr(sep + 2);
    }
    return rest.empty() ? std::nullopt : std::optional(rest);
}

std::optional<CachedModel> snapshot_model(const std::string& repo, const fs::path& repo_dir,
                                          const std::string& commit,
                                          const std::vector<std::string>& required) {
    const fs::path snapshot = repo_dir / "snapshots" / commit;
    std::error_code error;
    if (!fs::is_directory(snapshot, error)) {
        return std::nullopt;
    }
    CachedModel model{repo, commit, snapshot, snapshot_files(snapshot)};
    if (model.files.empty()) {
        return std::nullopt;
    }
    for (const auto& pattern : required) {
        if (std::none_of(model.files.begin(), model.files.end(),
                         [&](const std::string& f) { return file_pattern_matches(pattern, f); })) {
            return std::nullopt;
        }
    }
    return model;
}

} // namespace

fs::path hf_home_dir() {
    if (auto home = env_path("HF_HOME"); !home.empty()) {
        return home;
    }
    if (auto xdg = env_path("XDG_CACHE_HOME"); !xdg.empty()) {
        return xdg / "huggingface";
    }
    return home_dir() / ".cache" / "huggingface";
}

fs::path hf_hub_cache_dir() {
    if (auto cache = env_path("HF_HUB_CACHE"); !cache.empty()) {
        return cache;
    }
    if (auto cache = env_path("HUGGINGFACE_HUB_CACHE"); !cache.empty()) {
        return cache; // the older name, still honoured by huggingface_hub
    }
    return hf_home_dir() / "hub";
}

std::optional<CachedModel> find_cached_model(const std::string& repo, const std::string& revision,
                                             const std::vector<std::string>& required,
                                             const fs::path& cache_dir) {
    if (invalid_repo_id_reason(repo) || revision.empty() || revision.find("..") != std::string::npos) {
        return std::nullopt;
    }
    std::string folder = "models--" + repo;
    if (const auto slash = folder.find('/'); slash != std::string::npos) {
        folder.replace(slash, 1, "--");
    }
    const fs::path repo_dir = cache_dir / folder;
    std::string commit = is_commit_hash(revision) ? revision
                                                  : read_first_line(repo_dir / "refs" / fs::path(revision));
    if (!is_commit_hash(commit)) {
        return std::nullopt;
    }
    return snapshot_model(repo, repo_dir, commit, required);
}

std::vector<CachedModel> list_cached_models(const fs::path& cache_dir) {
    std::vector<CachedModel> models;
    std::error_code error;
    for (fs::directory_iterator it(cache_dir, error), end; !error && it != end; it.increment(error)) {
        const auto repo = repo_from_folder(it->path().filename().string());
        if (!repo) {
            continue;
        }
        std::string commit = read_first_line(it->path() / "refs" / "main");
        if (!is_commit_hash(commit)) {
            // No refs/main (downloaded by commit): take the newest snapshot.
            fs::file_time_type newest{};
            std::error_code snap_error;
            for (fs::directory_iterator s(it->path() / "snapshots", snap_error), send;
                 !snap_error && s != send; s.increment(snap_error)) {
                std::error_code time_error;
                const auto time = fs::last_write_time(s->path(), time_error);
                if (!time_error && (commit.empty() || time > newest)) {
                    newest = time;
                    commit = s->path().filename().string();
                }
            }
        }
        if (auto model = snapshot_model(*repo, it->path(), commit, {})) {
            models.push_back(std::move(*model));
        }
    }
    std::sort(models.begin(), models.end(),
              [](const CachedModel& a, const CachedModel& b) { return a.repo < b.repo; });
    return models;
}

} // namespace tern::downloader
