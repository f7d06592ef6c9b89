#include "file_download.h"

#include "tern/downloader/git_blob_id.h"
#include "tern/downloader/safe_path.h"
#include "tern/downloader/sha256.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <system_error>
#include <vector>

#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

namespace tern::downloader::detail {
namespace {

namespace fs = std::filesystem;

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

FilePtr open_file(const fs::path& path, const char* mode) {
#ifdef _WIN32
    const std::wstring wide_mode(mode, mode + std::strlen(mode));
    return FilePtr(_wfopen(path.c_str(), wide_mode.c_str()));
#else
    return FilePtr(std::fopen(path.c_str(), mode));
#endif
}

// Flushes to the device, so a crash right after the rename cannot leave a final name pointing at
// data still in the page cache only.
bool flush_to_disk(std::FILE* file) {
    if (std::fflush(file) != 0) {
        return false;
    }
#ifdef _WIN32
    return _commit(_fileno(file)) == 0;
#else
    return fsync(fileno(file)) == 0;
#endif
}

std::string read_text_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::uint64_t file_size_or_zero(const fs::path& path) {
    std::error_code error;
    const auto size = fs::file_size(path, error);
    return error ? 0 : size;
}

std::string strip_etag(std::string etag) {
    if (etag.rfind("W/", 0) == 0) {
        etag = etag.substr(2);
    }
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
        etag = etag.substr(1, etag.size() - 2);
    }
    return etag;
}

bool is_sha256_hex(const std::string& text) {
    return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Parses "bytes START-END/TOTAL"; false when malformed.
bool parse_content_range(const std::string& value, std::uint64_t& start, std::uint64_t& total) {
    unsigned long long s = 0, e = 0, t = 0;
    if (std::sscanf(value.c_str(), "bytes %llu-%llu/%llu", &s, &e, &t) != 3) {
        return false;
    }
    start = s;
    total = t;
    return true;
}

HubError write_error(const fs::path& part, int error_number, std::uint64_t saved) {
    if (error_number == ENOSPC
#ifdef EDQUOT
        || error_number == EDQUOT
#endif
    ) {
        return HubError(HubErrorKind::WriteFailed,
                        "The disk is full: could not write '" + part.string() + "' (" +
                            std::strerror(error_number) + "). Free some space, then resume: the " +
                            describe_bytes(saved) + " already saved are kept.");
    }
    return HubError(HubErrorKind::WriteFailed,
                    "Could not write '" + part.string() + "' (" +
                        (error_number ? std::strerror(error_number) : "unknown error") +
                        "). Check that the folder is writable and the disk is healthy, then resume.");
}

} // namespace

fs::path path_from_utf8(const std::string& text) {
    return fs::path(std::u8string(reinterpret_cast<const char8_t*>(text.data()), text.size()));
}

FileTarget file_target(const RepoListing& listing, const RepoFile& file, const fs::path& destination) {
    if (const auto reason = unsafe_relative_path_reason(file.path)) {
        throw HubError(HubErrorKind::UnsafeFileName,
                       "The hub listed a file named '" + file.path + "' in " + listing.repo +
                           ", which Tern refuses to write: " + *reason +
                           ". Nothing was written; report this repository to its owner.");
    }
    FileTarget target;
    target.final_path = destination / path_from_utf8(file.path);
    // Belt and braces after the name check: the normalized path must stay inside the folder.
    const auto base = destination.lexically_normal();
    const auto rel = target.final_path.lexically_normal().lexically_relative(base);
    if (rel.empty() || *rel.begin() == "..") {
        throw HubError(HubErrorKind::UnsafeFileName,
                       "The file '" + file.path + "' of " + listing.repo +
                           " would land outside the model folder; Tern refuses to write it.");
    }
    target.part_path = target.final_path;
    target.part_path += ".part";
    target.meta_path = target.final_path;
    target.meta_path += ".part.meta";
    target.identity = file.sha256 ? "sha256 " + *file.sha256
                                  : "git " + listing.repo + "@" + listing.commit + ":" + file.path;
    target.identity += " size " + std::to_string(file.size) + "\n";
    return target;
}

bool is_complete(const FileTarget& target, const RepoFile& file) {
    std::error_code error;
    return fs::is_regular_file(target.final_path, error) &&
           file_size_or_zero(target.final_path) == file.size;
}

std::uint64_t bytes_already_present(const FileTarget& target, const RepoFile& file) {
    if (is_complete(target, file)) {
        return file.size;
    }
    if (read_text_file(target.meta_path) != target.identity) {
        return 0;
    }
    const std::uint64_t part = file_size_or_zero(target.part_path);
    return part <= file.size ? part : 0;
}

void download_one_file(const HubTransport& transport, const RepoListing& listing,
                       const RepoFile& file, const FileTarget& target, const std::string& url,
                       DownloadControl& control, ProgressTracker& progress,
                       const std::atomic<bool>& sibling_failed) {
    if (is_complete(target, file)) {
        progress.file_finished(file.path);
        return;
    }
    const RequestContext context{"'" + file.path + "' of " + listing.repo, listing.repo,
                                 listing.revision, file.path};
    const auto& hooks = transport.settings().filesystem;
    std::error_code error;
    fs::create_directories(target.final_path.parent_path(), error);
    if (error) {
        throw HubError(HubErrorKind::WriteFailed, "Could not create the folder '" +
                                                      target.final_path.parent_path().string() +
                                                      "' (" + error.message() +
                                                      "). Choose a folder you can write to.");
    }

    std::uint64_t offset = bytes_already_present(target, file);
    const bool resuming = offset > 0;
    if (!resuming) {
        fs::remove(target.part_path, error);
        std::ofstream meta(target.meta_path, std::ios::binary | std::ios::trunc);
        meta << target.identity;
        if (!meta.flush()) {
            throw write_error(target.meta_path, errno, 0);
        }
    }
    Sha256 hash;
    if (resuming && file.sha256) {
        sha256_update_from_file(hash, target.part_path, offset); // re-hash what is on disk
    }
    FilePtr out = open_file(target.part_path, resuming ? "ab" : "wb");
    if (!out) {
        throw write_error(target.part_path, errno, 0);
    }

    std::optional<std::string> linked_sha256; // from the hub's X-Linked-Etag
    std::optional<AttemptFailure> sink_failure;
    BodySink sink;
    sink.on_start = [&](long status, const HeaderMap& headers) {
        if (status == 206) {
            std::uint64_t start = 0, total = 0;
            const auto range = headers.find("content-range");
            if (range == headers.end() || !parse_content_range(range->second, start, total) ||
                start != offset || total != file.size) {
                sink_failure = AttemptFailure{
                    HubError(HubErrorKind::InvalidResponse,
                             "The server resumed '" + file.path + "' at the wrong place (" +
                                 (range == headers.end() ? "no Content-Range" : range->second) +
                                 ", expected byte " + std::to_string(offset) + " of " +
                                 std::to_string(file.size) + "); starting the file over."),
                    true, std::nullopt, false, false};
                return false;
            }
            return true;
        }
        // 200: the whole file from byte 0 (a server that ignores Range, or a fresh download).
        const auto length = headers.find("content-length");
        if (length != headers.end() && std::strtoull(length->second.c_str(), nullptr, 10) != file.size) {
            sink_failure = AttemptFailure{
                HubError(HubErrorKind::InvalidResponse,
                         "The hub sent '" + file.path + "' with " + length->second +
                             " bytes but listed it with " + std::to_string(file.size) +
                             ": the repository changed while downloading. Start the download again."),
                false, std::nullopt, false, false};
            return false;
        }
        if (offset > 0) {
            out = open_file(target.part_path, "wb");
            if (!out) {
                sink_failure = AttemptFailure{write_error(target.part_path, errno, 0), false,
                                              std::nullopt, false, false};
                return false;
            }
            progress.remove(offset);
            hash = Sha256();
            offset = 0;
        }
        return true;
    };
    sink.on_data = [&](const char* data, std::size_t size) {
        if (offset + size > file.size) {
            sink_failure = AttemptFailure{
                HubError(HubErrorKind::InvalidResponse,
                         "The server sent more bytes for '" + file.path + "' than the " +
                             std::to_string(file.size) + " it listed. Start the download again."),
                false, std::nullopt, false, false};
            return false;
        }
        errno = 0;
        const std::size_t written = hooks.write(data, size, out.get());
        if (written != size) {
            const int error_number = errno;
            std::fflush(out.get());
            sink_failure = AttemptFailure{write_error(target.part_path, error_number, offset + written),
                                          false, std::nullopt, false, false};
            return false;
        }
        if (file.sha256) {
            hash.update(data, size);
        }
        offset += size;
        progress.add_transferred(file.path, size);
        return true;
    };

    transport.run_with_retries(
        [&]() -> std::optional<AttemptFailure> {
            if (offset == file.size) {
                return std::nullopt; // complete (or an empty file): nothing to fetch
            }
            sink_failure.reset();
            const std::uint64_t offset_before = offset;
            const FetchResult result =
                transport.fetch(url, offset > 0 ? std::optional(offset) : std::nullopt, &sink,
                                &control, &sibling_failed, false, context);
            const auto linked = result.hub_headers.find("x-linked-etag");
            if (linked != result.hub_headers.end() && is_sha256_hex(strip_etag(linked->second))) {
                linked_sha256 = strip_etag(linked->second);
            }
            // Starts the file over (a bad resume); fails when the .part cannot be reopened.
            const auto restart_from_zero = [&]() -> std::optional<AttemptFailure> {
                out = open_file(target.part_path, "wb");
                if (!out) {
                    return AttemptFailure{write_error(target.part_path, errno, 0), false, std::nullopt, false, false};
                }
                progress.remove(offset);
                hash = Sha256();
                offset = 0;
                return std::nullopt;
            };
            if (sink_failure) {
                if (sink_failure->retryable) {
                    if (auto failed = restart_from_zero()) {
                        return failed;
                    }
                }
                return sink_failure;
            }
            if (result.response.status == 416) {
                // The server says our offset is past the end: the .part is not what we think.
                if (auto failed = restart_from_zero()) {
                    return failed;
                }
            }
            auto failure = transport.classify(result.response, context);
            if (failure) {
                failure->made_progress = failure->made_progress || offset > offset_before;
                return failure;
            }
            if (offset < file.size) {
                AttemptFailure short_body{
                    HubError(HubErrorKind::Network,
                             "The connection ended early while getting " + context.what +
                                 ". Resume to continue where it stopped."),
                    true, std::nullopt, offset > offset_before, false};
                return short_body;
            }
            return std::nullopt;
        },
        &control, context);

    if (!out || !flush_to_disk(out.get())) {
        throw write_error(target.part_path, errno, offset);
    }
    out.reset();

    std::optional<std::string> expected = file.sha256;
    if (linked_sha256 && expected && *linked_sha256 != *expected) {
        fs::remove(target.part_path, error);
        fs::remove(target.meta_path, error);
        throw HubError(HubErrorKind::InvalidResponse,
                       "The hub now reports a different content hash for '" + file.path +
                           "' than in its file list: the repository changed while downloading. "
                           "Start the download again.");
    }
    if (!expected) {
        expected = linked_sha256;
    }
    if (expected) {
        std::string actual;
        if (file.sha256) {
            actual = hash.hex_digest(); // hashed while streaming (and re-hashed on resume)
        } else {
            Sha256 whole;
            sha256_update_from_file(whole, target.part_path);
            actual = whole.hex_digest();
        }
        if (actual != *expected) {
            fs::remove(target.part_path, error);
            fs::remove(target.meta_path, error);
            throw HubError(HubErrorKind::ChecksumMismatch,
                           "The downloaded '" + file.path + "' of " + listing.repo +
                               " is corrupt: its SHA-256 is " + actual + " but the hub says " +
                               *expected +
                               ". The damaged data was deleted; download it again. If this "
                               "repeats, a proxy or the network is altering the data.");
        }
    }
    if (!expected && file.git_blob_id) {
        GitBlobId id(file.size);
        std::ifstream in(target.part_path, std::ios::binary);
        std::vector<char> buffer(1 << 16);
        while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
            id.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
        }
        const std::string actual = id.hex_digest();
        if (actual != *file.git_blob_id) {
            fs::remove(target.part_path, error);
            fs::remove(target.meta_path, error);
            throw HubError(HubErrorKind::ChecksumMismatch,
                           "The downloaded '" + file.path + "' of " + listing.repo +
                               " is corrupt: its git object id is " + actual + " but the hub says " +
                               *file.git_blob_id +
                               ". The damaged data was deleted; download it again. If this "
                               "repeats, a proxy or the network is altering the data.");
        }
    }
    fs::rename(target.part_path, target.final_path, error);
    if (error) {
        throw HubError(HubErrorKind::WriteFailed,
                       "Could not move the finished '" + target.part_path.string() + "' to '" +
                           target.final_path.string() + "' (" + error.message() +
                           "). Check the folder's permissions; the complete .part file is kept.");
    }
    fs::remove(target.meta_path, error);
    progress.file_finished(file.path);
}

} // namespace tern::downloader::detail
