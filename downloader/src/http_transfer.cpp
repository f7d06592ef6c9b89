#include "http_transfer.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace tern::downloader::detail {
namespace {

constexpr std::size_t kMaxCapturedBody = 64u << 20; // JSON listings of huge repos stay well below
constexpr std::size_t kMaxCapturedErrorBody = 64u << 10;

void init_curl_once() {
    // curl_global_init is not thread-safe in every libcurl we support: do it exactly once.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct TransferState {
    const BodySink* sink = nullptr;
    DownloadControl* control = nullptr;
    const std::atomic<bool>* sibling_failed = nullptr;
    std::chrono::milliseconds stall_timeout{0};
    HttpResponse* response = nullptr;
    bool started = false;
    curl_off_t last_bytes = 0;
    std::chrono::steady_clock::time_point last_activity;
};

bool is_success(long status) { return status >= 200 && status < 300; }

size_t on_header(char* buffer, size_t size, size_t count, void* user) {
    auto* state = static_cast<TransferState*>(user);
    const size_t total = size * count;
    std::string line(buffer, total);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) {
        line.pop_back();
    }
    if (line.rfind("HTTP/", 0) == 0) {
        // A new response (e.g. after "100 Continue"): forget the previous one's headers.
        state->response->headers.clear();
        const auto space = line.find(' ');
        state->response->status = space == std::string::npos ? 0 : std::atol(line.c_str() + space + 1);
        return total;
    }
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        const auto first = value.find_first_not_of(" \t");
        value = first == std::string::npos ? "" : value.substr(first);
        state->response->headers[name] = value;
    }
    return total;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* state = static_cast<TransferState*>(user);
    const size_t total = size * count;
    HttpResponse& response = *state->response;
    if (state->sink && is_success(response.status)) {
        if (!state->started) {
            state->started = true;
            if (state->sink->on_start && !state->sink->on_start(response.status, response.headers)) {
                response.abort_reason = AbortReason::Refused;
                return 0;
            }
        }
        if (!state->sink->on_data(data, total)) {
            response.abort_reason = AbortReason::SinkFailed;
            return 0;
        }
        response.body_bytes += total;
        return total;
    }
    const size_t cap = is_success(response.status) ? kMaxCapturedBody : kMaxCapturedErrorBody;
    if (response.body.size() < cap) {
        response.body.append(data, std::min(total, cap - response.body.size()));
    }
    return total;
}

int on_progress(void* user, curl_off_t, curl_off_t now_bytes, curl_off_t, curl_off_t) {
    auto* state = static_cast<TransferState*>(user);
    HttpResponse& response = *state->response;
    if (state->control && state->control->is_cancelled()) {
        response.abort_reason = AbortReason::Cancelled;
        return 1;
    }
    if (state->control && state->control->is_paused()) {
        response.abort_reason = AbortReason::Paused;
        return 1;
    }
    if (state->sibling_failed && state->sibling_failed->load()) {
        response.abort_reason = AbortReason::SiblingFailed;
        return 1;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now_bytes != state->last_bytes) {
        state->last_bytes = now_bytes;
        state->last_activity = now;
    } else if (state->stall_timeout.count() > 0 && now - state->last_activity > state->stall_timeout) {
        response.abort_reason = AbortReason::Stalled;
        return 1;
    }
    return 0;
}

struct CurlDeleter {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

} // namespace

HttpResponse http_get(const HttpRequest& request, const TransferConfig& config, const BodySink* sink,
                      DownloadControl* control, const std::atomic<bool>* sibling_failed) {
    init_curl_once();
    HttpResponse response;
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) {
        response.curl_code = CURLE_FAILED_INIT;
        response.curl_error = "libcurl could not be initialised";
        return response;
    }
    TransferState state;
    state.sink = sink;
    state.control = control;
    state.sibling_failed = sibling_failed;
    state.stall_timeout = config.stall_timeout;
    state.response = &response;
    state.last_activity = std::chrono::steady_clock::now();

    std::unique_ptr<curl_slist, CurlDeleter> headers;
    for (const auto& header : request.headers) {
        headers.reset(curl_slist_append(headers.release(), header.c_str()));
    }
    if (request.range_from) {
        const std::string range = "Range: bytes=" + std::to_string(*request.range_from) + "-";
        headers.reset(curl_slist_append(headers.release(), range.c_str()));
    }
    char error_buffer[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); // we follow redirects ourselves
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);       // required with threads
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_USERAGENT, config.user_agent.c_str());
    // TLS verification is always on, against the system's certificate store.
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
#ifdef _WIN32
    curl_easy_setopt(c, CURLOPT_SSL_OPTIONS, static_cast<long>(CURLSSLOPT_NATIVE_CA));
#endif
    if (!config.proxy.empty()) {
        curl_easy_setopt(c, CURLOPT_PROXY, config.proxy.c_str());
    }
    if (!config.no_proxy.empty()) {
        curl_easy_setopt(c, CURLOPT_NOPROXY, config.no_proxy.c_str());
    }
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout.count()));
    if (config.total_timeout.count() > 0) {
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config.total_timeout.count()));
    }
    if (config.stall_timeout.count() > 0) {
        // Backstop for our own finer check in on_progress: below 1 byte/s for N whole seconds.
        const long seconds = std::max<long>(1, static_cast<long>((config.stall_timeout.count() + 999) / 1000));
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, seconds);
    }
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &state);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &state);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &state);

    const CURLcode code = curl_easy_perform(c);
    response.curl_code = static_cast<int>(code);
    if (code != CURLE_OK) {
        response.curl_error = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
    }
    if (code == CURLE_OK && sink && is_success(response.status) && !state.started) {
        state.started = true; // an empty body: still let the sink check the headers
        if (sink->on_start && !sink->on_start(response.status, response.headers)) {
            response.abort_reason = AbortReason::Refused;
        }
    }
    return response;
}

std::string resolve_redirect(const std::string& from_url, const std::string& location) {
    std::unique_ptr<CURLU, CurlDeleter> url(curl_url());
    if (!url || curl_url_set(url.get(), CURLUPART_URL, from_url.c_str(), 0) != CURLUE_OK ||
        curl_url_set(url.get(), CURLUPART_URL, location.c_str(), 0) != CURLUE_OK) {
        return {};
    }
    char* scheme = nullptr;
    char* full = nullptr;
    std::string result;
    if (curl_url_get(url.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        (std::string(scheme) == "http" || std::string(scheme) == "https") &&
        curl_url_get(url.get(), CURLUPART_URL, &full, 0) == CURLUE_OK) {
        result = full;
    }
    curl_free(scheme);
    curl_free(full);
    return result;
}

std::string url_origin(const std::string& text) {
    std::unique_ptr<CURLU, CurlDeleter> url(curl_url());
    if (!url || curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
        return {};
    }
    char* scheme = nullptr;
    char* host = nullptr;
    char* port = nullptr;
    std::string origin;
    if (curl_url_get(url.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(url.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(url.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        std::string lower_host = host;
        std::transform(lower_host.begin(), lower_host.end(), lower_host.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        origin = std::string(scheme) + "://" + lower_host + ":" + port;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    return origin;
}

std::string url_encode_component(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

} // namespace tern::downloader::detail
