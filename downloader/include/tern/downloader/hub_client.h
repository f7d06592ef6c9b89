// Hugging Face Hub client on libcurl: list a repository revision's files, download them with
// resume, retries and SHA-256 verification.
//
// Threading: every call blocks until done, so run it on a worker thread (the app uses a QThread),
// never on the GUI thread. One HubClient may be used from several threads at once; it limits the
// number of files downloading at the same time across all of them (max_concurrent_downloads).
// Control a running download from any thread through its DownloadControl. The progress callback
// runs on a downloading thread, never concurrently with itself, at most once per
// progress_interval plus once at the end; keep it short (post the numbers to your GUI thread).
//
// Errors: every failure throws HubError whose message says what happened and what to do.
//
// Files on disk: a file is written to "<name>.part" (next to it "<name>.part.meta" records which
// remote object the bytes belong to), verified against the LFS SHA-256 (or, for small files the
// hub keeps in git, their git object id), then renamed into place in one step. A final name therefore only
// ever holds a complete, verified file. Interrupted downloads (pause, cancel, crash, network
// failure, app restart) resume from the .part file's size.
#pragma once

#include "tern/downloader/download_control.h"
#include "tern/downloader/hub_errors.h"
#include "tern/downloader/hub_settings.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tern::downloader {

struct RepoFile {
    std::string path;                  // relative, '/'-separated, validated as safe
    std::uint64_t size = 0;            // bytes of the real file (the LFS object for LFS files)
    std::optional<std::string> sha256; // LFS object hash (lowercase hex); absent for git files
    std::optional<std::string> git_blob_id; // git object id of a non-LFS file ("blobId")
};

struct RepoListing {
    std::string repo;     // "owner/name"
    std::string revision; // as asked: a branch, tag or commit
    std::string commit;   // the commit it resolved to; downloads use it so files never mix
    std::vector<RepoFile> files;

    const RepoFile* find(const std::string& path) const;
    std::uint64_t total_size() const;
};

struct DownloadProgress {
    std::string current_file;      // the file that advanced most recently
    std::uint64_t bytes_done = 0;  // over all files of this download, including resumed bytes
    std::uint64_t bytes_total = 0;
    double bytes_per_second = 0;   // over the last few seconds
    double eta_seconds = -1;       // -1 while unknown
    int files_done = 0;
    int files_total = 0;
    bool paused = false;
};
using ProgressCallback = std::function<void(const DownloadProgress&)>;

struct DownloadRequest {
    std::string repo;
    std::string revision = "main";
    std::filesystem::path destination; // the model's folder; created if missing
    // Files to fetch, as names or '*'/'?' patterns ('*' stays within one folder). Empty: all.
    std::vector<std::string> files;
};

struct DownloadResult {
    RepoListing listing;                          // the files that were selected
    std::filesystem::path destination;
    std::vector<std::filesystem::path> files;     // final paths, in listing order
    std::uint64_t bytes_transferred = 0;          // received over the network this time
};

// Is `repo` a plausible "owner/name" (or legacy "name") Hub repository id? Returns why not.
std::optional<std::string> invalid_repo_id_reason(const std::string& repo);

// '*' matches within one path component, '?' one character.
bool file_pattern_matches(const std::string& pattern, const std::string& path);

class HubClient {
public:
    // Call settings.with_environment() first to honour HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE.
    explicit HubClient(HubSettings settings);
    ~HubClient();
    HubClient(const HubClient&) = delete;
    HubClient& operator=(const HubClient&) = delete;

    const HubSettings& settings() const;

    // GET {endpoint}/api/models/{repo}/revision/{revision}?blobs=true
    RepoListing list_files(const std::string& repo, const std::string& revision = "main",
                           DownloadControl* control = nullptr);

    // Lists, selects, checks free space, then downloads the selected files (up to
    // max_concurrent_downloads at once). Files already complete on disk are kept.
    DownloadResult download(const DownloadRequest& request, DownloadControl& control,
                            const ProgressCallback& on_progress = {});

    // Downloads the given files of a listing into `destination` (for callers that list first).
    DownloadResult download_files(const RepoListing& listing,
                                  const std::filesystem::path& destination,
                                  DownloadControl& control,
                                  const ProgressCallback& on_progress = {});

    // The resolve URL of a file at the listing's commit (for messages and tests).
    std::string resolve_url(const RepoListing& listing, const RepoFile& file) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace tern::downloader
