#include "tern/downloader/hub_client.h"

#include "file_download.h"
#include "hub_transport.h"
#include "progress_tracker.h"
#include "tern/downloader/safe_path.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace tern::downloader {
namespace {

using detail::RequestContext;

bool is_hex(const std::string& text, std::size_t length) {
    return text.size() == length &&
           text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

RepoListing parse_listing(const std::string& body, const std::string& repo,
                          const std::string& revision) {
    const std::string where = "the file list of " + repo + " at revision " + revision;
    const auto bad = [&](const std::string& why) {
        return HubError(HubErrorKind::InvalidResponse,
                        "The hub's answer for " + where + " is not usable: " + why +
                            ". Check the hub address (Settings, HF_ENDPOINT); a mirror must "
                            "support the models API with ?blobs=true.");
    };
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception& e) {
        throw bad(std::string("not JSON (") + e.what() + ")");
    }
    if (!json.is_object() || !json.contains("siblings") || !json["siblings"].is_array()) {
        throw bad("no \"siblings\" array");
    }
    RepoListing listing;
    listing.repo = repo;
    listing.revision = revision;
    listing.commit = json.value("sha", std::string());
    if (!is_hex(listing.commit, 40)) {
        throw bad("no 40-digit commit hash in \"sha\"");
    }
    for (const auto& sibling : json["siblings"]) {
        if (!sibling.is_object() || !sibling.contains("rfilename") || !sibling["rfilename"].is_string()) {
            throw bad("a file entry without \"rfilename\"");
        }
        RepoFile file;
        file.path = sibling["rfilename"].get<std::string>();
        if (const auto reason = unsafe_relative_path_reason(file.path)) {
            throw HubError(HubErrorKind::UnsafeFileName,
                           "The hub listed a file named '" + file.path + "' in " + repo +
                               ", which Tern refuses to write: " + *reason +
                               ". Nothing was downloaded; report this repository to its owner.");
        }
        const auto lfs = sibling.find("lfs");
        if (lfs != sibling.end() && lfs->is_object()) {
            const std::string sha = lfs->value("sha256", std::string());
            if (!is_hex(sha, 64)) {
                throw bad("file '" + file.path + "' has no valid LFS sha256");
            }
            file.sha256 = sha;
            if (!lfs->contains("size") || !(*lfs)["size"].is_number_unsigned()) {
                throw bad("file '" + file.path + "' has no LFS size");
            }
            file.size = (*lfs)["size"].get<std::uint64_t>();
        } else if (sibling.contains("size") && sibling["size"].is_number_unsigned()) {
            file.size = sibling["size"].get<std::uint64_t>();
            const std::string blob = sibling.value("blobId", std::string());
            if (is_hex(blob, 40)) {
                file.git_blob_id = blob;
            }
        } else {
            throw bad("file '" + file.path + "' has no size");
        }
        listing.files.push_back(std::move(file));
    }
    return listing;
}

// Counts files downloading at once across every download running on one HubClient.
class DownloadSlots {
public:
    explicit DownloadSlots(int count) : free_(std::max(1, count)) {}
    void acquire() {
        std::unique_lock lock(mutex_);
        freed_.wait(lock, [this] { return free_ > 0; });
        --free_;
    }
    void release() {
        {
            std::lock_guard lock(mutex_);
            ++free_;
        }
        freed_.notify_one();
    }

private:
    std::mutex mutex_;
    std::condition_variable freed_;
    int free_;
};

void validate_revision(const std::string& revision) {
    if (revision.empty() || revision.size() > 256 ||
        std::any_of(revision.begin(), revision.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; }) ||
        revision.find("..") != std::string::npos) {
        throw HubError(HubErrorKind::InvalidArgument,
                       "'" + revision + "' is not a valid revision: use a branch, tag or commit "
                       "hash such as main.");
    }
}

} // namespace

const RepoFile* RepoListing::find(const std::string& path) const {
    for (const auto& file : files) {
        if (file.path == path) {
            return &file;
        }
    }
    return nullptr;
}

std::uint64_t RepoListing::total_size() const {
    std::uint64_t total = 0;
    for (const auto& file : files) {
        total += file.size;
    }
    return total;
}

std::optional<std::string> invalid_repo_id_reason(const std::string& repo) {
    const auto slash = repo.find('/');
    if (repo.empty()) {
        return "the repository id is empty";
    }
    if (slash != std::string::npos && repo.find('/', slash + 1) != std::string::npos) {
        return "a repository id has the form owner/name, with a single '/'";
    }
    const auto check_part = [](const std::string& part) -> std::optional<std::string> {
        if (part.empty() || part.size() > 96) {
            return "owner and name must each have 1 to 96 characters";
        }
        for (const char c : part) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
                return std::string("the character '") + c + "' is not allowed (letters, digits, '-', '_', '.')";
            }
        }
        if (part.find("--") != std::string::npos || part.find("..") != std::string::npos) {
            return "'--' and '..' are not allowed";
        }
        if (part.front() == '-' || part.front() == '.' || part.back() == '-' || part.back() == '.') {
            return "a name cannot start or end with '-' or '.'";
        }
        return std::nullopt;
    };
    if (slash == std::string::npos) {
        return check_part(repo);
    }
    if (auto reason = check_part(repo.substr(0, slash))) {
        return reason;
    }
    return check_part(repo.substr(slash + 1));
}

bool file_pattern_matches(const std::string& pattern, const std::string& path) {
    // Iterative glob with backtracking to the last '*'; '*' never crosses '/'.
    std::size_t p = 0, s = 0, star = std::string::npos, star_s = 0;
    while (s < path.size()) {
        if (p < pattern.size() && (pattern[p] == path[s] || (pattern[p] == '?' && path[s] != '/'))) {
            ++p;
            ++s;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_s = s;
        } else if (star != std::string::npos && path[star_s] != '/') {
            p = star + 1;
            s = ++star_s;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

struct HubClient::Impl {
    explicit Impl(const HubSettings& s) : transport(s), slots(s.max_concurrent_downloads) {}
    detail::HubTransport transport;
    DownloadSlots slots;
};

HubClient::HubClient(HubSettings settings) {
    if (!settings.filesystem.available_bytes || !settings.filesystem.write || settings.endpoint.empty()) {
        // Defaults for whatever the caller left out, without overriding what it set.
        HubSettings filled = settings.with_environment();
        settings.filesystem = filled.filesystem;
        if (settings.endpoint.empty()) {
            settings.endpoint = filled.endpoint;
        }
    }
    while (!settings.endpoint.empty() && settings.endpoint.back() == '/') {
        settings.endpoint.pop_back();
    }
    impl_ = std::make_unique<Impl>(settings);
}

HubClient::~HubClient() = default;

const HubSettings& HubClient::settings() const { return impl_->transport.settings(); }

RepoListing HubClient::list_files(const std::string& repo, const std::string& revision,
                                  DownloadControl* control) {
    if (const auto reason = invalid_repo_id_reason(repo)) {
        throw HubError(HubErrorKind::InvalidArgument,
                       "'" + repo + "' is not a valid Hugging Face repository id: " + *reason +
                           ". Copy the id from the model page, e.g. microsoft/BitNet-b1.58-2B-4T-gguf.");
    }
    validate_revision(revision);
    const RequestContext context{"the file list of " + repo + " at revision " + revision, repo,
                                 revision, ""};
    const auto& transport = impl_->transport;
    transport.require_online(context);
    const std::string url = settings().endpoint + "/api/models/" + repo + "/revision/" +
                            detail::url_encode_component(revision) + "?blobs=true";
    std::string body;
    transport.run_with_retries(
        [&]() -> std::optional<detail::AttemptFailure> {
            const auto result = transport.fetch(url, std::nullopt, nullptr, control, nullptr, true, context);
            auto failure = transport.classify(result.response, context);
            if (!failure) {
                body = result.response.body;
            }
            return failure;
        },
        control, context);
    return parse_listing(body, repo, revision);
}

std::string HubClient::resolve_url(const RepoListing& listing, const RepoFile& file) const {
    std::string encoded_path;
    std::size_t start = 0;
    while (start <= file.path.size()) {
        const auto end = std::min(file.path.find('/', start), file.path.size());
        if (!encoded_path.empty()) {
            encoded_path += '/';
        }
        encoded_path += detail::url_encode_component(file.path.substr(start, end - start));
        start = end + 1;
    }
    return settings().endpoint + "/" + listing.repo + "/resolve/" + listing.commit + "/" + encoded_path;
}

DownloadResult HubClient::download(const DownloadRequest& request, DownloadControl& control,
                                   const ProgressCallback& on_progress) {
    RepoListing listing = list_files(request.repo, request.revision, &control);
    if (!request.files.empty()) {
        std::vector<RepoFile> selected;
        for (const auto& file : listing.files) {
            if (std::any_of(request.files.begin(), request.files.end(),
                            [&](const std::string& p) { return file_pattern_matches(p, file.path); })) {
                selected.push_back(file);
            }
        }
        for (const auto& pattern : request.files) {
            if (std::none_of(selected.begin(), selected.end(),
                             [&](const RepoFile& f) { return file_pattern_matches(pattern, f.path); })) {
                throw HubError(HubErrorKind::NotFound,
                               "No file in " + request.repo + " at revision " + request.revision +
                                   " matches '" + pattern + "'. Check the file name on the model page.");
            }
        }
        listing.files = std::move(selected);
    }
    return download_files(listing, request.destination, control, on_progress);
}

DownloadResult HubClient::download_files(const RepoListing& listing,
                                         const std::filesystem::path& destination,
                                         DownloadControl& control,
                                         const ProgressCallback& on_progress) {
    const auto& transport = impl_->transport;
    const RequestContext context{listing.repo, listing.repo, listing.revision, ""};
    transport.require_online(context);
    if (destination.empty()) {
        throw HubError(HubErrorKind::InvalidArgument, "No destination folder was given for " + listing.repo + ".");
    }
    std::vector<detail::FileTarget> targets;
    std::uint64_t present = 0, needed = 0;
    for (const auto& file : listing.files) {
        targets.push_back(detail::file_target(listing, file, destination)); // validates every name first
        const std::uint64_t have = detail::bytes_already_present(targets.back(), file);
        present += have;
        needed += file.size - have;
    }
    const std::uintmax_t available = settings().filesystem.available_bytes(destination);
    if (needed > 0 && available < needed + settings().disk_space_margin) {
        throw HubError(HubErrorKind::NotEnoughSpace,
                       "Not enough free disk space for " + listing.repo + " in '" +
                           destination.string() + "': it needs " + detail::describe_bytes(needed) +
                           " more (plus " + detail::describe_bytes(settings().disk_space_margin) +
                           " to spare) but only " + detail::describe_bytes(available) +
                           " are free. Free some space or choose another folder.");
    }

    detail::ProgressTracker progress(on_progress, settings().progress_interval, listing.total_size(),
                                     static_cast<int>(listing.files.size()), &control);
    progress.add_existing(present);
    std::atomic<bool> failed{false};
    std::atomic<std::size_t> next{0};
    std::mutex error_mutex;
    std::exception_ptr first_error;
    const auto worker = [&] {
        for (;;) {
            const std::size_t index = next++;
            if (index >= listing.files.size() || failed) {
                return;
            }
            impl_->slots.acquire();
            try {
                detail::download_one_file(transport, listing, listing.files[index], targets[index],
                                          resolve_url(listing, listing.files[index]), control,
                                          progress, failed);
            } catch (const HubError& e) {
                std::lock_guard lock(error_mutex);
                // Keep the error that caused the stop, not the "stopped because another failed".
                if (!first_error && !(failed && e.kind() == HubErrorKind::Cancelled && !control.is_cancelled())) {
                    first_error = std::current_exception();
                }
                failed = true;
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!first_error) {
                    first_error = std::current_exception();
                }
                failed = true;
            }
            impl_->slots.release();
        }
    };
    const std::size_t thread_count = std::min<std::size_t>(
        listing.files.size(), static_cast<std::size_t>(std::max(1, settings().max_concurrent_downloads)));
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < thread_count; ++i) {
        threads.emplace_back(worker);
    }
    worker();
    for (auto& thread : threads) {
        thread.join();
    }
    if (first_error) {
        std::rethrow_exception(first_error);
    }
    progress.finish();

    DownloadResult result;
    result.listing = listing;
    result.destination = destination;
    for (const auto& target : targets) {
        result.files.push_back(target.final_path);
    }
    result.bytes_transferred = progress.bytes_transferred();
    return result;
}

} // namespace tern::downloader
