// Downloading one file of a repository into its final place: .part file, resume with Range,
// SHA-256 (or size) verification, atomic rename. Internal to the downloader.
#pragma once

#include "hub_transport.h"
#include "progress_tracker.h"
#include "tern/downloader/hub_client.h"

#include <atomic>
#include <filesystem>

namespace tern::downloader::detail {

std::filesystem::path path_from_utf8(const std::string& text);

struct FileTarget {
    std::filesystem::path final_path;
    std::filesystem::path part_path; // final + ".part"
    std::filesystem::path meta_path; // final + ".part.meta": which remote object the bytes are of
    std::string identity;            // written to the meta file
};

// Throws HubError(UnsafeFileName) when file.path could escape `destination`.
FileTarget file_target(const RepoListing& listing, const RepoFile& file,
                       const std::filesystem::path& destination);

// Bytes of this file already on disk and usable: the size when complete, the .part size when it
// belongs to the same remote object, else 0.
std::uint64_t bytes_already_present(const FileTarget& target, const RepoFile& file);
bool is_complete(const FileTarget& target, const RepoFile& file);

void download_one_file(const HubTransport& transport, const RepoListing& listing,
                       const RepoFile& file, const FileTarget& target, const std::string& url,
                       DownloadControl& control, ProgressTracker& progress,
                       const std::atomic<bool>& sibling_failed);

} // namespace tern::downloader::detail
