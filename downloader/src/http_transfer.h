// One HTTP GET on libcurl, without following redirects (HubClient follows them itself so it can
// decide per hop whether the token may be sent). Internal to the downloader.
#pragma once

#include "tern/downloader/download_control.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tern::downloader::detail {

using HeaderMap = std::map<std::string, std::string>; // names lowercased; last value wins

struct TransferConfig {
    std::string proxy;
    std::string no_proxy;
    std::string user_agent;
    std::chrono::milliseconds connect_timeout{20000};
    std::chrono::milliseconds stall_timeout{30000};
    std::chrono::milliseconds total_timeout{0}; // 0: none (downloads); set for API calls
};

struct HttpRequest {
    std::string url;
    std::vector<std::string> headers; // "Name: value"
    std::optional<std::uint64_t> range_from;
};

// Receives the body of a 2xx response. on_start runs once before the first byte (or at the end
// for an empty body) and may refuse the response; on_data returns false to stop (write failure).
struct BodySink {
    std::function<bool(long status, const HeaderMap& headers)> on_start;
    std::function<bool(const char* data, std::size_t size)> on_data;
};

enum class AbortReason { None, Paused, Cancelled, Stalled, Refused, SinkFailed, SiblingFailed };

struct HttpResponse {
    long status = 0; // 0 when no response arrived
    HeaderMap headers;
    std::string body;     // 2xx body without a sink (capped), or the start of an error body
    int curl_code = 0;    // CURLcode
    std::string curl_error;
    AbortReason abort_reason = AbortReason::None;
    std::uint64_t body_bytes = 0; // bytes handed to the sink
};

// Performs the request. `control` and `sibling_failed` (both optional) are polled during the
// transfer to stop it early; the reason is reported in abort_reason.
HttpResponse http_get(const HttpRequest& request, const TransferConfig& config,
                      const BodySink* sink, DownloadControl* control,
                      const std::atomic<bool>* sibling_failed);

// Resolves a Location header against the URL it came from. Empty when it is not a valid
// http(s) URL.
std::string resolve_redirect(const std::string& from_url, const std::string& location);

// "scheme://host:port" with the default port filled in; empty for an unparsable URL.
std::string url_origin(const std::string& url);

std::string url_encode_component(const std::string& text);

} // namespace tern::downloader::detail
