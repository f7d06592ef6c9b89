// A fake Hugging Face Hub for tests: the models API (/api/models/{repo}/revision/{rev}?blobs=true),
// resolve URLs (/{repo}/resolve/{rev}/{file}) that redirect LFS files to a second server
// ("storage", another port = another origin) with the Hub's headers (ETag, X-Linked-Etag,
// X-Linked-Size, X-Repo-Commit), Range with 206/416, and faults on demand.
#pragma once

#include "mock_http_server.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tern::testing {

struct MockFile {
    std::string content;
    bool lfs = true; // LFS files are served from storage after a redirect, with a sha256
};

enum class MockFault {
    None,
    DropAfterBytes,  // close the connection once the file's byte `bytes` has been sent
    StallAfterBytes, // stop sending at byte `bytes` for `stall` (or until the server stops)
    ServerError,     // HTTP 500
    RateLimited,     // HTTP 429 with Retry-After: retry_after_seconds
    WrongBytes,      // flip one byte of the content (checksum mismatch), every time
    Unauthorized,    // HTTP 401 from resolve
    NotFound,        // HTTP 404 (EntryNotFound) from resolve
    RedirectLoop,    // resolve redirects to itself forever
    IgnoreRange,     // answer 200 with the whole file to Range requests
    WrongRangeStart, // answer 206 with a Content-Range that does not start where asked
};

struct FaultSpec {
    MockFault kind = MockFault::None;
    std::uint64_t bytes = 0;
    int times = 1; // requests it applies to, then the file is served normally (-1: always)
    int retry_after_seconds = 0;
    std::chrono::milliseconds stall{60000};
};

struct LoggedRequest {
    std::string server; // "hub", "storage" or "proxy"
    std::string target;
    std::string range;
    std::string authorization;
};

class MockHub {
public:
    MockHub();
    ~MockHub();

    std::string endpoint() const { return hub_->base_url(); }
    std::string storage_url() const { return storage_->base_url(); }
    // Starts a third server that acts as an HTTP proxy for both (absolute-form requests).
    std::string start_proxy();

    // Adds or replaces a repository at a commit; "main" points at it.
    void add_repo(const std::string& repo, const std::map<std::string, MockFile>& files,
                  const std::string& commit = "0123456789abcdef0123456789abcdef01234567");
    void set_required_token(const std::string& repo, const std::string& token, bool gated);
    void set_fault(const std::string& file, const FaultSpec& fault);
    void set_listing_fault(const FaultSpec& fault); // ServerError / RateLimited / Unauthorized ...
    void set_chunk_delay(std::chrono::milliseconds delay); // per 16 KiB sent, to slow transfers

    std::vector<LoggedRequest> requests() const;
    std::vector<LoggedRequest> requests_to(const std::string& server) const;
    int max_concurrent_transfers() const { return max_active_.load(); }
    void stop();

private:
    struct Repo {
        std::string commit;
        std::map<std::string, MockFile> files;
        // file -> {sha256, git object id}, computed once in add_repo: hashing a large file on
        // every request made the hub itself slow (seconds of CPU for a 50 MB benchmark file).
        std::map<std::string, std::pair<std::string, std::string>> digests;
        std::string token;
        bool gated = false;
    };
    void handle(const std::string& server, const MockRequest& request, MockResponder& out);
    void handle_listing(const std::string& repo, const MockRequest& request, MockResponder& out);
    void handle_resolve(const std::string& repo, const std::string& file, const MockRequest& request,
                        MockResponder& out);
    void serve_content(const std::string& file, const std::string& content, const MockRequest& request,
                       MockResponder& out, std::vector<std::pair<std::string, std::string>> headers);
    bool take_fault(const std::string& key, MockFault kind, FaultSpec* spec = nullptr);

    mutable std::mutex mutex_;
    std::map<std::string, Repo> repos_;
    std::map<std::string, FaultSpec> faults_; // by file path; "" for the listing
    std::vector<LoggedRequest> log_;
    std::chrono::milliseconds chunk_delay_{0};
    std::atomic<int> active_{0};
    std::atomic<int> max_active_{0};
    std::unique_ptr<MockHttpServer> hub_;
    std::unique_ptr<MockHttpServer> storage_;
    std::unique_ptr<MockHttpServer> proxy_;
};

} // namespace tern::testing
