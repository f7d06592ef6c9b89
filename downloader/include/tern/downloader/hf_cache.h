// Finding models the user already has in the Hugging Face cache, so they are offered instead of
// downloaded again. Layout (huggingface_hub):
//   <hub cache>/models--<owner>--<name>/refs/<branch>          holds a commit hash
//   <hub cache>/models--<owner>--<name>/snapshots/<commit>/... the files (usually symlinks to blobs/)
// The hub cache is $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
// ~/.cache/huggingface/hub. Read-only: Tern never writes into it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tern::downloader {

std::filesystem::path hf_home_dir();      // $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface
std::filesystem::path hf_hub_cache_dir(); // see above

struct CachedModel {
    std::string repo;            // "owner/name"
    std::string commit;          // the snapshot's commit hash
    std::filesystem::path snapshot_dir;
    std::vector<std::string> files; // relative paths of the complete files in the snapshot
};

// The snapshot of `repo` at `revision` (a branch or tag via refs/, or a commit hash) if it exists
// and every pattern in `required` matches at least one readable file (empty: any file at all).
// Patterns use file_pattern_matches.
std::optional<CachedModel> find_cached_model(const std::string& repo,
                                             const std::string& revision = "main",
                                             const std::vector<std::string>& required = {},
                                             const std::filesystem::path& cache_dir = hf_hub_cache_dir());

// Every model repository in the cache with its snapshot for "main" (or, without refs/main,
// the most recently modified snapshot).
std::vector<CachedModel> list_cached_models(const std::filesystem::path& cache_dir = hf_hub_cache_dir());

} // namespace tern::downloader
