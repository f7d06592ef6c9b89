#include "mock_http_server.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
using socklen_t = int;
#define TERN_POLL WSAPoll
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#define TERN_POLL poll
#endif

namespace tern::testing {
namespace {

void close_socket(socket_handle s) {
#ifdef _WIN32
    closesocket(s);
#else
    ::close(s);
#endif
}

int send_flags() {
#ifdef MSG_NOSIGNAL
    return MSG_NOSIGNAL; // a client that hung up must not kill the test with SIGPIPE
#else
    return 0;
#endif
}

bool parse_request(const std::string& head, MockRequest& request) {
    const auto line_end = head.find("\r\n");
    const std::string line = head.substr(0, line_end);
    const auto sp1 = line.find(' ');
    const auto sp2 = line.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) {
        return false;
    }
    request.method = line.substr(0, sp1);
    request.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string rest = request.target;
    if (rest.rfind("http://", 0) == 0) {
        request.absolute_form = true;
        const auto slash = rest.find('/', 7);
        rest = slash == std::string::npos ? "/" : rest.substr(slash);
    }
    const auto q = rest.find('?');
    request.path = rest.substr(0, q);
    request.query = q == std::string::npos ? "" : rest.substr(q + 1);
    std::size_t pos = line_end + 2;
    while (pos < head.size()) {
        const auto end = head.find("\r\n", pos);
        const std::string header = head.substr(pos, end - pos);
        pos = end == std::string::npos ? head.size() : end + 2;
        const auto colon = header.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        std::string name = header.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = header.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        request.headers[name] = value;
    }
    return true;
}

const char* reason_phrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 302: return "Found";
    case 307: return "Temporary Redirect";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

} // namespace

bool MockResponder::send_head(int status, const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
    for (const auto& [name, value] : headers) {
        head += name + ": " + value + "\r\n";
    }
    head += "Connection: close\r\n\r\n";
    return send_body(head);
}

bool MockResponder::send_body(std::string_view data) {
    while (!data.empty()) {
        const auto sent = ::send(socket_, data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20)),
                                 send_flags());
        if (sent <= 0) {
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
}

void MockResponder::respond(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                            std::string_view body) {
    auto all = headers;
    all.emplace_back("Content-Length", std::to_string(body.size()));
    if (send_head(status, all)) {
        send_body(body);
    }
}

bool MockResponder::stall(std::chrono::milliseconds duration) {
    std::unique_lock lock(server_.mutex_);
    server_.stopped_.wait_for(lock, duration, [this] { return server_.stopping_.load(); });
    return !server_.stopping_;
}

void MockResponder::drop() {
#ifdef _WIN32
    shutdown(socket_, SD_BOTH);
#else
    shutdown(socket_, SHUT_RDWR);
#endif
}

MockHttpServer::MockHttpServer(Handler handler) : handler_(std::move(handler)) {
#ifdef _WIN32
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
#endif
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0; // the OS picks a free port
    socklen_t length = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 64) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        close_socket(listener_);
        throw std::runtime_error("mock server: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

MockHttpServer::~MockHttpServer() { stop(); }

void MockHttpServer::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_.exchange(true)) {
            return;
        }
        for (const auto s : open_sockets_) {
#ifdef _WIN32
            shutdown(s, SD_BOTH);
#else
            shutdown(s, SHUT_RDWR);
#endif
        }
    }
    stopped_.notify_all();
    acceptor_.join();
    std::vector<std::thread> connections;
    {
        std::lock_guard lock(mutex_);
        connections.swap(connections_);
    }
    for (auto& thread : connections) {
        thread.join();
    }
    close_socket(listener_);
}

void MockHttpServer::accept_loop() {
    while (!stopping_) {
        // Poll with a short timeout so stop() never waits on a blocking accept().
        pollfd fd{};
        fd.fd = listener_;
        fd.events = POLLIN;
        if (TERN_POLL(&fd, 1, 20) <= 0) {
            continue;
        }
        const socket_handle client = ::accept(listener_, nullptr, nullptr);
#ifdef _WIN32
        if (client == INVALID_SOCKET) {
            continue;
        }
#else
        if (client < 0) {
            continue;
        }
#endif
#ifdef SO_NOSIGPIPE
        const int one = 1; // macOS has no MSG_NOSIGNAL: ask for no SIGPIPE per socket instead
        setsockopt(client, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
        std::lock_guard lock(mutex_);
        if (stopping_) {
            close_socket(client);
            break;
        }
        open_sockets_.push_back(client);
        connections_.emplace_back([this, client] { serve(client); });
    }
}

void MockHttpServer::serve(socket_handle client) {
    std::string head;
    char buffer[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
        const auto got = ::recv(client, buffer, sizeof buffer, 0);
        if (got <= 0) {
            break;
        }
        head.append(buffer, static_cast<std::size_t>(got));
        if (!std::isupper(static_cast<unsigned char>(head[0]))) {
            // Not HTTP (e.g. a TLS ClientHello): answer like a plain HTTP server would.
            MockResponder(*this, client).send_body("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
            break;
        }
    }
    MockRequest request;
    if (head.find("\r\n\r\n") != std::string::npos && parse_request(head, request)) {
        MockResponder responder(*this, client);
        handler_(request, responder);
    }
    std::lock_guard lock(mutex_);
    open_sockets_.erase(std::remove(open_sockets_.begin(), open_sockets_.end(), client), open_sockets_.end());
    close_socket(client);
}

} // namespace tern::testing
