// The one exception type the Hub client throws. Its message is written for the person using the
// app: what happened, then what to do about it. `kind` lets the UI react (e.g. open the token
// setting on Unauthorized/Gated, offer "Resume" on Network/Timeout).
#pragma once

#include <stdexcept>
#include <string>

namespace tern::downloader {

enum class HubErrorKind {
    Offline,          // HF_HUB_OFFLINE or the offline setting forbids network access
    InvalidArgument,  // a bad repository id, revision or destination
    Unauthorized,     // 401: private repository without a (valid) token
    Gated,            // 401/403 on a gated repository: accept its terms, then use a token
    NotFound,         // 404: repository, revision or file does not exist
    Tls,              // TLS handshake or certificate verification failed
    Network,          // connection refused/reset/dropped, DNS failure, proxy failure
    Timeout,          // stalled or timed-out transfer
    RateLimited,      // 429 after all retries
    Server,           // 5xx after all retries
    TooManyRedirects, // a redirect loop or an unsafe redirect
    InvalidResponse,  // the server answered something we cannot use
    UnsafeFileName,   // the server listed a file name that would escape the model folder
    ChecksumMismatch, // downloaded bytes do not hash to the LFS sha256
    NotEnoughSpace,   // free-space check before starting failed
    WriteFailed,      // writing to disk failed (disk full, permissions, ...)
    Cancelled,        // DownloadControl::cancel()
};

const char* to_string(HubErrorKind kind);

class HubError : public std::runtime_error {
public:
    HubError(HubErrorKind kind, const std::string& message, int http_status = 0)
        : std::runtime_error(message), kind_(kind), http_status_(http_status) {}
    HubErrorKind kind() const noexcept { return kind_; }
    int http_status() const noexcept { return http_status_; } // 0 when not an HTTP status error
    // True for failures a later "Resume" may fix without the user changing anything.
    bool is_transient() const noexcept {
        return kind_ == HubErrorKind::Network || kind_ == HubErrorKind::Timeout ||
               kind_ == HubErrorKind::RateLimited || kind_ == HubErrorKind::Server;
    }

private:
    HubErrorKind kind_;
    int http_status_;
};

} // namespace tern::downloader
