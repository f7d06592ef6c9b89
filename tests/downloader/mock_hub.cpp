#include "mock_hub.h"

#include "tern/downloader/git_blob_id.h"
#include "tern/downloader/sha256.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace tern::testing {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string percent_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

void error_response(MockResponder& out, int status, const std::string& code, const std::string& message) {
    Headers headers = {{"Content-Type", "application/json"}, {"X-Error-Message", message}};
    if (!code.empty()) {
        headers.emplace_back("X-Error-Code", code);
    }
    out.respond(status, headers, nlohmann::json{{"error", message}}.dump());
}

// The git object id, as the hub lists it in "blobId" and sends it as the ETag of git files.
std::string git_oid(const std::string& content) { return tern::downloader::git_blob_id(content); }

} // namespace

MockHub::MockHub() {
    hub_ = std::make_unique<MockHttpServer>(
        [this](const MockRequest& r, MockResponder& o) { handle("hub", r, o); });
    storage_ = std::make_unique<MockHttpServer>(
        [this](const MockRequest& r, MockResponder& o) { handle("storage", r, o); });
}

MockHub::~MockHub() { stop(); }

void MockHub::stop() {
    if (proxy_) {
        proxy_->stop();
    }
    hub_->stop();
    storage_->stop();
}

std::string MockHub::start_proxy() {
    proxy_ = std::make_unique<MockHttpServer>(
        [this](const MockRequest& r, MockResponder& o) { handle("proxy", r, o); });
    return proxy_->base_url();
}

void MockHub::add_repo(const std::string& repo, const std::map<std::string, MockFile>& files,
                       const std::string& commit) {
    std::lock_guard lock(mutex_);
    auto& entry = repos_[repo];
    entry.commit = commit;
    entry.files = files;
    entry.digests.clear();
    for (const auto& [name, file] : files) {
        entry.digests[name] = {file.lfs ? tern::downloader::sha256_hex(file.content) : std::string(),
                               git_oid(file.content)};
    }
}

void MockHub::set_required_token(const std::string& repo, const std::string& token, bool gated) {
    std::lock_guard lock(mutex_);
    repos_[repo].token = token;
    repos_[repo].gated = gated;
}

void MockHub::set_fault(const std::string& file, const FaultSpec& fault) {
    std::lock_guard lock(mutex_);
    faults_[file] = fault;
}

void MockHub::set_listing_fault(const FaultSpec& fault) { set_fault("", fault); }

void MockHub::set_chunk_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    chunk_delay_ = delay;
}

std::vector<LoggedRequest> MockHub::requests() const {
    std::lock_guard lock(mutex_);
    return log_;
}

std::vector<LoggedRequest> MockHub::requests_to(const std::string& server) const {
    std::vector<LoggedRequest> out;
    for (const auto& r : requests()) {
        if (r.server == server) {
            out.push_back(r);
        }
    }
    return out;
}

bool MockHub::take_fault(const std::string& key, MockFault kind, FaultSpec* spec) {
    std::lock_guard lock(mutex_);
    const auto it = faults_.find(key);
    if (it == faults_.end() || it->second.kind != kind || it->second.times == 0) {
        return false;
    }
    if (spec) {
        *spec = it->second;
    }
    if (it->second.times > 0) {
        --it->second.times;
    }
    return true;
}

void MockHub::handle(const std::string& server, const MockRequest& request, MockResponder& out) {
    {
        std::lock_guard lock(mutex_);
        log_.push_back({server, request.target, request.header("range"), request.header("authorization")});
    }
    const std::string path = request.path;
    if (path.rfind("/api/models/", 0) == 0) {
        const auto rev = path.find("/revision/");
        if (rev == std::string::npos) {
            error_response(out, 404, "", "no such endpoint");
            return;
        }
        handle_listing(path.substr(12, rev - 12), request, out);
        return;
    }
    if (path.rfind("/storage/", 0) == 0) {
        const std::string sha = path.substr(9);
        std::string file, content;
        {
            std::lock_guard lock(mutex_);
            for (const auto& [name, repo] : repos_) {
                for (const auto& [file_name, f] : repo.files) {
                    if (f.lfs && repo.digests.at(file_name).first == sha) {
                        file = file_name;
                        content = f.content;
                    }
                }
            }
        }
        if (file.empty()) {
            error_response(out, 404, "", "no such object");
            return;
        }
        serve_content(file, content, request, out, {{"ETag", "\"" + sha + "\""}});
        return;
    }
    const auto resolve = path.find("/resolve/");
    if (resolve != std::string::npos) {
        const std::string repo = path.substr(1, resolve - 1);
        const std::string rest = path.substr(resolve + 9);
        const auto slash = rest.find('/');
        handle_resolve(repo, percent_decode(rest.substr(slash + 1)), request, out);
        return;
    }
    error_response(out, 404, "", "no such endpoint");
}

void MockHub::handle_listing(const std::string& repo_id, const MockRequest& request, MockResponder& out) {
    FaultSpec fault;
    if (take_fault("", MockFault::ServerError)) {
        error_response(out, 500, "", "Internal Error");
        return;
    }
    if (take_fault("", MockFault::RateLimited, &fault)) {
        out.respond(429, {{"Retry-After", std::to_string(fault.retry_after_seconds)}}, "slow down");
        return;
    }
    if (take_fault("", MockFault::StallAfterBytes, &fault)) {
        out.stall(fault.stall);
        return;
    }
    Repo repo;
    {
        std::lock_guard lock(mutex_);
        const auto it = repos_.find(repo_id);
        if (it == repos_.end()) {
            error_response(out, 401, "RepoNotFound", "Repository not found");
            return;
        }
        repo = it->second;
    }
    if (!repo.token.empty() && request.header("authorization") != "Bearer " + repo.token) {
        if (repo.gated) {
            error_response(out, 401, "GatedRepo",
                           "Access to model " + repo_id + " is restricted. You must have access to it and be authenticated to access it. Please log in.");
        } else {
            error_response(out, 401, "RepoNotFound", "Repository not found");
        }
        return;
    }
    nlohmann::json siblings = nlohmann::json::array();
    for (const auto& [name, file] : repo.files) {
        nlohmann::json entry = {{"rfilename", name}, {"size", file.content.size()},
                                {"blobId", repo.digests.at(name).second}};
        if (file.lfs) {
            entry["lfs"] = {{"sha256", repo.digests.at(name).first},
                            {"size", file.content.size()},
                            {"pointerSize", 134}};
        }
        siblings.push_back(entry);
    }
    const nlohmann::json body = {{"id", repo_id}, {"modelId", repo_id}, {"sha", repo.commit},
                                 {"private", !repo.token.empty()}, {"siblings", siblings}};
    out.respond(200, {{"Content-Type", "application/json"}}, body.dump());
}

void MockHub::handle_resolve(const std::string& repo_id, const std::string& file_name,
                             const MockRequest& request, MockResponder& out) {
    Repo repo;
    {
        std::lock_guard lock(mutex_);
        const auto it = repos_.find(repo_id);
        if (it == repos_.end()) {
            error_response(out, 404, "RepoNotFound", "Repository not found");
            return;
        }
        repo = it->second;
    }
    if (!repo.token.empty() && request.header("authorization") != "Bearer " + repo.token) {
        error_response(out, 401, repo.gated ? "GatedRepo" : "RepoNotFound", "Access restricted");
        return;
    }
    if (take_fault(file_name, MockFault::Unauthorized)) {
        error_response(out, 401, "", "Invalid credentials in Authorization header");
        return;
    }
    if (take_fault(file_name, MockFault::NotFound)) {
        error_response(out, 404, "EntryNotFound", "Entry not found");
        return;
    }
    if (take_fault(file_name, MockFault::RedirectLoop)) {
        set_fault(file_name, FaultSpec{MockFault::RedirectLoop, 0, -1}); // keep looping
        out.respond(302, {{"Location", request.path + "?again"}}, "");
        return;
    }
    const auto it = repo.files.find(file_name);
    if (it == repo.files.end()) {
        error_response(out, 404, "EntryNotFound", "Entry not found");
        return;
    }
    const MockFile& file = it->second;
    Headers headers = {{"X-Repo-Commit", repo.commit}};
    if (file.lfs) {
        const std::string sha = repo.digests.at(file_name).first;
        headers.emplace_back("ETag", "\"" + sha + "\"");
        headers.emplace_back("X-Linked-Etag", "\"" + sha + "\"");
        headers.emplace_back("X-Linked-Size", std::to_string(file.content.size()));
        headers.emplace_back("Location", storage_->base_url() + "/storage/" + sha);
        out.respond(302, headers, "");
        return;
    }
    std::string etag = repo.digests.at(file_name).second;
    etag.insert(etag.begin(), '"');
    etag.push_back('"'); // built in place: GCC 12 warns (-Wrestrict) on "\"" + s + "\"" here
    headers.emplace_back("ETag", etag);
    serve_content(file_name, file.content, request, out, headers);
}

void MockHub::serve_content(const std::string& file, const std::string& original, const MockRequest& request,
                            MockResponder& out, Headers headers) {
    FaultSpec fault;
    if (take_fault(file, MockFault::ServerError)) {
        error_response(out, 500, "", "Internal Error");
        return;
    }
    if (take_fault(file, MockFault::RateLimited, &fault)) {
        out.respond(429, {{"Retry-After", std::to_string(fault.retry_after_seconds)}}, "slow down");
        return;
    }
    std::string content = original;
    if (take_fault(file, MockFault::WrongBytes) && !content.empty()) {
        content[content.size() / 2] = static_cast<char>(content[content.size() / 2] ^ 0x5a);
    }
    std::uint64_t start = 0;
    const std::string range = request.header("range");
    const bool ignore_range = take_fault(file, MockFault::IgnoreRange);
    int status = 200;
    if (!range.empty() && !ignore_range) {
        start = std::stoull(range.substr(range.find('=') + 1));
        if (start >= content.size()) {
            out.respond(416, {{"Content-Range", "bytes */" + std::to_string(content.size())}}, "");
            return;
        }
        status = 206;
        std::uint64_t claimed = start;
        if (take_fault(file, MockFault::WrongRangeStart)) {
            claimed = start > 0 ? start - 1 : start + 1;
        }
        headers.emplace_back("Content-Range", "bytes " + std::to_string(claimed) + "-" +
                                                  std::to_string(content.size() - 1) + "/" +
                                                  std::to_string(content.size()));
    }
    headers.emplace_back("Accept-Ranges", "bytes");
    headers.emplace_back("Content-Length", std::to_string(content.size() - start));
    if (!out.send_head(status, headers)) {
        return;
    }
    FaultSpec cut;
    const bool drop = take_fault(file, MockFault::DropAfterBytes, &cut);
    const bool stall = !drop && take_fault(file, MockFault::StallAfterBytes, &cut);
    std::uint64_t end = content.size();
    if ((drop || stall) && cut.bytes > start) {
        end = std::min<std::uint64_t>(end, cut.bytes);
    } else if (drop || stall) {
        end = start;
    }
    const int now_active = ++active_;
    for (int seen = max_active_; now_active > seen && !max_active_.compare_exchange_weak(seen, now_active);) {
    }
    std::chrono::milliseconds delay;
    {
        std::lock_guard lock(mutex_);
        delay = chunk_delay_;
    }
    bool ok = true;
    bool counted = true;
    for (std::uint64_t pos = start; ok && pos < end; pos += 16384) {
        const bool last = pos + 16384 >= end;
        if (last && !drop && !stall) {
            // Leave the count before the final bytes: the client cannot finish this file (and
            // start another) before it has them, so the count never includes a finished transfer.
            --active_;
            counted = false;
        }
        ok = out.send_body(std::string_view(content).substr(pos, std::min<std::uint64_t>(16384, end - pos)));
        if (ok && delay.count() > 0 && !last) {
            ok = out.stall(delay);
        }
    }
    if (ok && stall) {
        out.stall(cut.stall);
    }
    if (counted) {
        --active_;
    }
    if (drop || stall) {
        out.drop();
    }
}

} // namespace tern::testing
