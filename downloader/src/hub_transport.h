// What listing and file downloads share: following redirects with the token kept to the hub's
// own origin, turning HTTP/libcurl outcomes into actionable HubErrors, and retrying with
// exponential backoff. Internal to the downloader.
#pragma once

#include "http_transfer.h"
#include "tern/downloader/hub_errors.h"
#include "tern/downloader/hub_settings.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace tern::downloader::detail {

// What a request is for, to write errors a user can act on.
struct RequestContext {
    std::string what;     // "the file list of microsoft/x at revision main"
    std::string repo;
    std::string revision;
    std::string file;     // empty for API calls
};

struct FetchResult {
    HttpResponse response;  // of the last hop
    HeaderMap hub_headers;  // of the first hop, answered by the hub itself (X-Linked-Etag, ...)
    std::string final_url;
};

struct AttemptFailure {
    HubError error;
    bool retryable = false;
    std::optional<std::chrono::milliseconds> retry_after;
    bool made_progress = false; // bytes arrived: restart the attempt count
    bool paused = false;        // not a failure: wait for resume, then try again
};

class HubTransport {
public:
    explicit HubTransport(const HubSettings& settings);

    const HubSettings& settings() const { return settings_; }
    void require_online(const RequestContext& context) const;

    // GET `url`, following up to max_redirects redirects. The Authorization header goes only to
    // URLs with the same origin as the endpoint; an https -> http redirect is refused.
    FetchResult fetch(const std::string& url, std::optional<std::uint64_t> range_from,
                      const BodySink* sink, DownloadControl* control,
                      const std::atomic<bool>* sibling_failed, bool api_call,
                      const RequestContext& context) const;

    // nullopt when the response is a usable 2xx; else what went wrong and whether to retry.
    std::optional<AttemptFailure> classify(const HttpResponse& response,
                                           const RequestContext& context) const;

    // Calls attempt() until it returns nullopt. Retryable failures wait (Retry-After or
    // backoff_base * 2^n, capped) up to max_attempts in a row without progress; a pause waits
    // for resume. Throws the last HubError, or HubError(Cancelled).
    void run_with_retries(const std::function<std::optional<AttemptFailure>()>& attempt,
                          DownloadControl* control, const RequestContext& context) const;

    std::chrono::milliseconds backoff_delay(int failed_attempts) const;

private:
    HubSettings settings_;
    TransferConfig config_;
    std::string endpoint_origin_;
};

HubError cancelled_error(const RequestContext& context);
std::string describe_bytes(std::uint64_t bytes); // "1.2 GB", "512 KB"

} // namespace tern::downloader::detail
