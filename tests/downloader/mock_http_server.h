// A small HTTP/1.1 server on 127.0.0.1 with an OS-assigned port, one thread per connection,
// "Connection: close" after every response. Tests drive it through a handler and can make it
// misbehave (drop the connection, stall). stop() (also run by the destructor) wakes every
// stalled handler, closes every socket and joins every thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tern::testing {

#ifdef _WIN32
using socket_handle = unsigned long long;
#else
using socket_handle = int;
#endif

struct MockRequest {
    std::string method;
    std::string target;       // as sent: "/path?query" or, through a proxy, "http://host/path"
    std::string path;         // without scheme/host/query, still percent-encoded
    std::string query;
    bool absolute_form = false; // the request came as to a proxy
    std::map<std::string, std::string> headers; // lowercase names
    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

class MockHttpServer;

class MockResponder {
public:
    MockResponder(MockHttpServer& server, socket_handle socket) : server_(server), socket_(socket) {}
    // Status line plus headers; Content-Length is not added automatically.
    bool send_head(int status, const std::vector<std::pair<std::string, std::string>>& headers);
    bool send_body(std::string_view data);
    void respond(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                 std::string_view body);
    // Sleeps `duration` or until the server stops; false when the server stopped.
    bool stall(std::chrono::milliseconds duration);
    void drop(); // closes the connection at once (after whatever was sent)

private:
    MockHttpServer& server_;
    socket_handle socket_;
};

class MockHttpServer {
public:
    using Handler = std::function<void(const MockRequest&, MockResponder&)>;
    explicit MockHttpServer(Handler handler);
    ~MockHttpServer();
    MockHttpServer(const MockHttpServer&) = delete;
    MockHttpServer& operator=(const MockHttpServer&) = delete;

    int port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    void stop();

private:
    friend class MockResponder;
    void accept_loop();
    void serve(socket_handle client);

    Handler handler_;
    socket_handle listener_;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable stopped_;
    std::vector<std::thread> connections_;
    std::vector<socket_handle> open_sockets_;
    std::thread acceptor_;
};

} // namespace tern::testing
