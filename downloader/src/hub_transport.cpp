#include "hub_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <thread>

namespace tern::downloader::detail {
namespace {

constexpr const char* kTokenHint =
    "create a read token at https://huggingface.co/settings/tokens and enter it under "
    "Settings > Hugging Face token (or set the HF_TOKEN environment variable)";

std::string header_or_empty(const HeaderMap& headers, const std::string& name) {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

std::string host_of(const std::string& url) {
    const auto scheme_end = url.find("://");
    const auto start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    const auto end = url.find_first_of("/?#", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string with_server_message(std::string message, const HttpResponse& response) {
    const std::string server = header_or_empty(response.headers, "x-error-message");
    if (!server.empty()) {
        message += " The hub said: \"" + server + "\"";
    }
    return message;
}

std::optional<std::chrono::milliseconds> parse_retry_after(const HeaderMap& headers,
                                                           std::chrono::milliseconds cap) {
    const std::string value = header_or_empty(headers, "retry-after");
    if (value.empty() || !std::all_of(value.begin(), value.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; })) {
        return std::nullopt; // an HTTP-date or nothing: fall back to our own backoff
    }
    const auto seconds = std::chrono::seconds(std::stoll(value.substr(0, 9)));
    return std::min<std::chrono::milliseconds>(seconds, cap);
}

std::string seconds_text(std::chrono::milliseconds duration) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(duration.count()) / 1000.0);
    return text;
}

AttemptFailure fatal(HubErrorKind kind, const std::string& message, int status = 0) {
    return AttemptFailure{HubError(kind, message, status), false, std::nullopt, false, false};
}

AttemptFailure transient(HubErrorKind kind, const std::string& message, int status = 0) {
    return AttemptFailure{HubError(kind, message, status), true, std::nullopt, false, false};
}

} // namespace

std::string describe_bytes(std::uint64_t bytes) {
    const char* units[] = {"bytes", "KB", "MB", "GB", "TB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1000 && unit < 4) {
        value /= 1000;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    return text;
}

HubError cancelled_error(const RequestContext& context) {
    return HubError(HubErrorKind::Cancelled,
                    "Download cancelled: " + context.what +
                        ". What was already downloaded is kept and a new download continues from it.");
}

HubTransport::HubTransport(const HubSettings& settings)
    : settings_(settings), endpoint_origin_(url_origin(settings.endpoint)) {
    config_.proxy = settings.proxy;
    config_.no_proxy = settings.no_proxy;
    config_.user_agent = settings.user_agent;
    config_.connect_timeout = settings.connect_timeout;
    config_.stall_timeout = settings.stall_timeout;
}

void HubTransport::require_online(const RequestContext& context) const {
    if (settings_.offline) {
        throw HubError(HubErrorKind::Offline,
                       "Offline mode is on (HF_HUB_OFFLINE or the offline setting), so Tern did not "
                       "contact the hub for " + context.what +
                           ". Use a model that is already downloaded or in the Hugging Face cache, "
                           "or turn offline mode off (unset HF_HUB_OFFLINE).");
    }
}

FetchResult HubTransport::fetch(const std::string& url, std::optional<std::uint64_t> range_from,
                                const BodySink* sink, DownloadControl* control,
                                const std::atomic<bool>* sibling_failed, bool api_call,
                                const RequestContext& context) const {
    TransferConfig config = config_;
    if (api_call) {
        config.total_timeout = settings_.api_timeout;
    }
    FetchResult result;
    std::string current = url;
    for (int hop = 0;; ++hop) {
        HttpRequest request;
        request.url = current;
        request.range_from = range_from;
        // The token belongs to the hub: a redirect to a storage host (a CDN, S3) must not see it.
        if (!settings_.token.empty() && url_origin(current) == endpoint_origin_) {
            request.headers.push_back("Authorization: Bearer " + settings_.token);
        }
        result.response = http_get(request, config, sink, control, sibling_failed);
        result.final_url = current;
        if (hop == 0) {
            result.hub_headers = result.response.headers;
        }
        const long status = result.response.status;
        const bool is_redirect = status == 301 || status == 302 || status == 303 ||
                                 status == 307 || status == 308;
        if (result.response.curl_code != CURLE_OK || !is_redirect) {
            return result;
        }
        const std::string location = header_or_empty(result.response.headers, "location");
        const std::string next = location.empty() ? std::string() : resolve_redirect(current, location);
        if (next.empty()) {
            throw HubError(HubErrorKind::InvalidResponse,
                           "The server redirected " + context.what + " to an invalid address ('" +
                               location + "'). Try again later; if it persists the hub address "
                               "(Settings, HF_ENDPOINT) may point to the wrong server.");
        }
        if (current.rfind("https:", 0) == 0 && next.rfind("http:", 0) == 0) {
            throw HubError(HubErrorKind::TooManyRedirects,
                           "The server redirected " + context.what + " from HTTPS to unencrypted "
                           "HTTP (" + host_of(next) + "); Tern refuses such downgrades. Check the hub "
                           "address (Settings, HF_ENDPOINT) and any proxy in between.");
        }
        if (hop + 1 > settings_.max_redirects) {
            throw HubError(HubErrorKind::TooManyRedirects,
                           "Too many redirects (more than " + std::to_string(settings_.max_redirects) +
                               ") for " + context.what + ", last to " + host_of(next) +
                               ": the server is in a redirect loop. Try again later; if it persists "
                               "check the hub address (Settings, HF_ENDPOINT).");
        }
        current = next;
    }
}

std::optional<AttemptFailure> HubTransport::classify(const HttpResponse& response,
                                                     const RequestContext& context) const {
    const std::string& what = context.what;
    const bool has_token = !settings_.token.empty();
    const std::string host = host_of(settings_.endpoint);
    switch (response.abort_reason) {
    case AbortReason::Cancelled:
        return AttemptFailure{cancelled_error(context), false, std::nullopt, false, false};
    case AbortReason::SiblingFailed:
        return fatal(HubErrorKind::Cancelled, "Stopped " + what + " because another file failed.");
    case AbortReason::Paused: {
        AttemptFailure paused = fatal(HubErrorKind::Cancelled, "paused");
        paused.paused = true;
        paused.made_progress = response.body_bytes > 0;
        return paused;
    }
    case AbortReason::Stalled: {
        AttemptFailure stalled = transient(
            HubErrorKind::Timeout,
            "The transfer of " + what + " stalled: no data arrived for " + seconds_text(settings_.stall_timeout) +
                ". Check the internet connection, then resume: the download continues where it stopped.");
        stalled.made_progress = response.body_bytes > 0;
        return stalled;
    }
    case AbortReason::Refused:
    case AbortReason::SinkFailed:
        // The sink recorded the real reason; callers check those cases first.
        return fatal(HubErrorKind::InvalidResponse, "The download of " + what + " was refused.");
    case AbortReason::None:
        break;
    }
    const auto code = static_cast<CURLcode>(response.curl_code);
    if (code != CURLE_OK) {
        const std::string detail = " (" + response.curl_error + ")";
        AttemptFailure failure = transient(HubErrorKind::Network, "");
        failure.made_progress = response.body_bytes > 0;
        switch (code) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
            return fatal(HubErrorKind::Tls,
                         "The secure (TLS) connection for " + what + " failed" + detail +
                             ". The server's certificate could not be verified or the handshake "
                             "failed: check the computer's date and time, that the system "
                             "certificates are installed (ca-certificates), and whether a proxy or "
                             "antivirus intercepts HTTPS. Tern never turns certificate checks off.");
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_PROXY:
            failure.error = HubError(HubErrorKind::Network,
                                     "Could not use the proxy for " + what + detail +
                                         ". Check the proxy setting (Settings, or the https_proxy "
                                         "/ http_proxy environment variables).");
            return failure;
        case CURLE_COULDNT_RESOLVE_HOST:
            failure.error = HubError(HubErrorKind::Network,
                                     "Could not find the server for " + what + detail +
                                         ". Check the internet connection and the hub address (" +
                                         host + "; Settings or HF_ENDPOINT).");
            return failure;
        case CURLE_OPERATION_TIMEDOUT:
            failure.error = HubError(HubErrorKind::Timeout,
                                     "The transfer of " + what + " timed out" + detail +
                                         ". Check the internet connection, then resume: the "
                                         "download continues where it stopped.");
            return failure;
        default:
            failure.error = HubError(HubErrorKind::Network,
                                     "The connection failed while getting " + what + detail +
                                         ". Check the internet connection, then resume: the "
                                         "download continues where it stopped.");
            return failure;
        }
    }
    const long status = response.status;
    const int status_int = static_cast<int>(status);
    if (status >= 200 && status < 300) {
        return std::nullopt;
    }
    const std::string status_text = " (HTTP " + std::to_string(status) + ")";
    const std::string error_code = header_or_empty(response.headers, "x-error-code");
    const std::string server_message = header_or_empty(response.headers, "x-error-message");
    const bool gated = error_code == "GatedRepo" ||
                       server_message.find("gated") != std::string::npos;
    if ((status == 401 || status == 403) && gated) {
        return fatal(HubErrorKind::Gated,
                     with_server_message(
                         context.repo + " is a gated repository" + status_text +
                             ": its authors ask you to accept their terms first. Open " +
                             settings_.endpoint + "/" + context.repo +
                             " while logged in and accept them, then " +
                             (has_token ? "make sure the token in Settings > Hugging Face token "
                                          "belongs to that account."
                                        : std::string(kTokenHint) + "."),
                         response),
                     status_int);
    }
    if (status == 401) {
        if (has_token && error_code != "RepoNotFound") {
            return fatal(HubErrorKind::Unauthorized,
                         with_server_message("The hub rejected the Hugging Face token" + status_text +
                                                 " for " + what +
                                                 ": it may be mistyped, expired or revoked. " +
                                                 "To fix it, " + kTokenHint + ".",
                                             response),
                         status_int);
        }
        return fatal(HubErrorKind::Unauthorized,
                     with_server_message(
                         "The hub did not allow access to " + what + status_text +
                             ": the repository '" + context.repo +
                             "' is private, gated, or does not exist. Check the id (owner/name as "
                             "on its model page); if it is private and yours, " +
                             kTokenHint + ".",
                         response),
                     status_int);
    }
    if (status == 403) {
        return fatal(HubErrorKind::Unauthorized,
                     with_server_message("Access to " + what + " was refused" + status_text +
                                             ". If the repository is private, the token in "
                                             "Settings > Hugging Face token must belong to an "
                                             "account with access and have read permission.",
                                         response),
                     status_int);
    }
    if (status == 404) {
        std::string message;
        if (error_code == "EntryNotFound" || (!context.file.empty() && error_code.empty())) {
            message = "The file '" + context.file + "' does not exist in " + context.repo +
                      " at revision " + context.revision + status_text +
                      ". The repository may have changed since its file list was read: start the "
                      "download again to refresh it.";
        } else if (error_code == "RevisionNotFound") {
            message = "The revision '" + context.revision + "' does not exist in " + context.repo +
                      status_text + ". Check the branch, tag or commit name.";
        } else {
            message = "The repository '" + context.repo + "' was not found on " + host +
                      status_text + ". Check the id (owner/name as on its model page); if it is "
                      "private, " + kTokenHint + ".";
        }
        return fatal(HubErrorKind::NotFound, with_server_message(message, response), status_int);
    }
    if (status == 429) {
        AttemptFailure failure = transient(
            HubErrorKind::RateLimited,
            "The hub is limiting how fast we may download" + status_text + " for " + what +
                ". Wait a few minutes and resume; with a token (Settings > Hugging Face token) the "
                "limit is higher.",
            status_int);
        failure.retry_after = parse_retry_after(response.headers, settings_.retry_after_max);
        return failure;
    }
    if (status >= 500 || status == 408) {
        AttemptFailure failure = transient(
            HubErrorKind::Server,
            with_server_message("The hub had a server problem" + status_text + " with " + what +
                                    ". This is usually temporary: resume later and the download "
                                    "continues where it stopped.",
                                response),
            status_int);
        failure.retry_after = parse_retry_after(response.headers, settings_.retry_after_max);
        return failure;
    }
    if (status == 416) {
        return transient(HubErrorKind::InvalidResponse,
                         "The server refused to resume " + what + status_text +
                             "; the partial file was discarded and the download starts over.",
                         status_int);
    }
    return fatal(HubErrorKind::InvalidResponse,
                 with_server_message("Unexpected answer" + status_text + " from the hub for " + what +
                                         ". Check the hub address (Settings, HF_ENDPOINT).",
                                     response),
                 status_int);
}

std::chrono::milliseconds HubTransport::backoff_delay(int failed_attempts) const {
    auto delay = settings_.backoff_base;
    for (int i = 1; i < failed_attempts && delay < settings_.backoff_max; ++i) {
        delay *= 2;
    }
    return std::min(delay, settings_.backoff_max);
}

void HubTransport::run_with_retries(const std::function<std::optional<AttemptFailure>()>& attempt,
                                    DownloadControl* control, const RequestContext& context) const {
    int failures_in_a_row = 0;
    for (;;) {
        if (control && control->is_cancelled()) {
            throw cancelled_error(context);
        }
        std::optional<AttemptFailure> failure = attempt();
        if (!failure) {
            return;
        }
        if (failure->paused) {
            if (!control || !control->wait_while_paused()) {
                throw cancelled_error(context);
            }
            if (failure->made_progress) {
                failures_in_a_row = 0;
            }
            continue;
        }
        if (!failure->retryable) {
            throw failure->error;
        }
        failures_in_a_row = failure->made_progress ? 1 : failures_in_a_row + 1;
        if (failures_in_a_row >= settings_.max_attempts) {
            throw HubError(failure->error.kind(),
                           std::string(failure->error.what()) + " (Gave up after " +
                               std::to_string(failures_in_a_row) + " attempts.)",
                           failure->error.http_status());
        }
        const auto delay = failure->retry_after.value_or(backoff_delay(failures_in_a_row));
        if (control ? !control->sleep_unless_cancelled(delay)
                    : (std::this_thread::sleep_for(delay), false)) {
            throw cancelled_error(context);
        }
    }
}

} // namespace tern::downloader::detail
