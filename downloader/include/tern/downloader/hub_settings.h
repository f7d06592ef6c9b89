// Everything that configures the Hub client: where the hub is, who we are, how patient to be.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

namespace tern::downloader {

// Seams for the file system, so tests can simulate a full disk without root or special mounts.
struct FileSystemHooks {
    // Bytes available to us on the volume holding `dir`. Default: std::filesystem::space.
    std::function<std::uintmax_t(const std::filesystem::path& dir)> available_bytes;
    // Writes like std::fwrite; a short count is a failure and errno says why (ENOSPC: disk full).
    std::function<std::size_t(const void* data, std::size_t size, std::FILE* file)> write;
};

struct HubSettings {
    // Base URL of the hub or a mirror, without a trailing slash. Empty: HF_ENDPOINT, else
    // https://huggingface.co (see with_environment).
    std::string endpoint;
    // Hugging Face access token, sent as "Authorization: Bearer" to the endpoint's host only.
    // Empty: HF_TOKEN, else the token file huggingface-cli login writes ($HF_HOME/token).
    std::string token;
    // Proxy URL (e.g. http://proxy:3128). Empty: libcurl reads https_proxy, http_proxy,
    // all_proxy and no_proxy from the environment.
    std::string proxy;
    std::string no_proxy; // hosts that bypass the proxy; empty: the environment's no_proxy
    // Never touch the network (HF_HUB_OFFLINE=1 sets it). Listing and downloads fail with
    // HubErrorKind::Offline; the Hugging Face cache can still be used.
    bool offline = false;
    std::string user_agent = "tern-downloader/0.1";

    int max_concurrent_downloads = 3; // per HubClient, across all downloads running on it
    int max_redirects = 10;
    // Attempts per request that make no progress; an attempt that received bytes resets the count.
    int max_attempts = 6;
    std::chrono::milliseconds backoff_base{1000}; // delay before retry n is base * 2^(n-1) ...
    std::chrono::milliseconds backoff_max{60000}; // ... capped here
    std::chrono::milliseconds retry_after_max{600000}; // cap on a server's Retry-After
    std::chrono::milliseconds connect_timeout{20000};
    // A transfer that receives no byte for this long is aborted and retried (libcurl's
    // low-speed limit works in whole seconds; this is checked more finely as well).
    std::chrono::milliseconds stall_timeout{30000};
    std::chrono::milliseconds api_timeout{60000}; // whole-request limit for JSON API calls
    std::chrono::milliseconds progress_interval{200}; // at most one progress callback per this
    // Extra free space to keep on the disk after the download completes.
    std::uintmax_t disk_space_margin = 64ull << 20;

    FileSystemHooks filesystem;

    // Fills what is empty from the environment (HF_ENDPOINT, HF_TOKEN, $HF_HOME/token,
    // HF_HUB_OFFLINE) and sets the defaults of the file-system hooks.
    HubSettings with_environment() const;
};

// "1", "true", "yes", "on" (any case) are true, like huggingface_hub's own parsing.
bool env_flag_is_true(const char* value);

} // namespace tern::downloader
