#include "tern/downloader/hub_errors.h"

namespace tern::downloader {

const char* to_string(HubErrorKind kind) {
    switch (kind) {
    case HubErrorKind::Offline: return "offline";
    case HubErrorKind::InvalidArgument: return "invalid argument";
    case HubErrorKind::Unauthorized: return "unauthorized";
    case HubErrorKind::Gated: return "gated repository";
    case HubErrorKind::NotFound: return "not found";
    case HubErrorKind::Tls: return "TLS failure";
    case HubErrorKind::Network: return "network failure";
    case HubErrorKind::Timeout: return "timeout";
    case HubErrorKind::RateLimited: return "rate limited";
    case HubErrorKind::Server: return "server error";
    case HubErrorKind::TooManyRedirects: return "too many redirects";
    case HubErrorKind::InvalidResponse: return "invalid response";
    case HubErrorKind::UnsafeFileName: return "unsafe file name";
    case HubErrorKind::ChecksumMismatch: return "checksum mismatch";
    case HubErrorKind::NotEnoughSpace: return "not enough disk space";
    case HubErrorKind::WriteFailed: return "write failed";
    case HubErrorKind::Cancelled: return "cancelled";
    }
    return "unknown";
}

} // namespace tern::downloader
