#include "tern/downloader/safe_path.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace tern::downloader {
namespace {

bool is_windows_reserved(std::string_view component) {
    // Windows treats "CON", "con.txt", "COM1.gguf"... as devices, whatever the extension.
    std::string stem(component.substr(0, component.find('.')));
    std::transform(stem.begin(), stem.end(), stem.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    static constexpr std::array<std::string_view, 4> fixed = {"CON", "PRN", "AUX", "NUL"};
    if (std::find(fixed.begin(), fixed.end(), stem) != fixed.end()) {
        return true;
    }
    return stem.size() == 4 && (stem.starts_with("COM") || stem.starts_with("LPT")) &&
           stem[3] >= '0' && stem[3] <= '9';
}

} // namespace

std::optional<std::string> unsafe_relative_path_reason(std::string_view name) {
    if (name.empty()) {
        return "the file name is empty";
    }
    if (name.size() > 1024) {
        return "the file name is longer than 1024 bytes";
    }
    if (name.front() == '/') {
        return "the file name is an absolute path";
    }
    if (name.size() >= 2 && std::isalpha(static_cast<unsigned char>(name[0])) && name[1] == ':') {
        return "the file name starts with a drive letter";
    }
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return "the file name contains a control character";
        }
        if (c == '\\') {
            return "the file name contains a backslash";
        }
        if (c == ':' || c == '*' || c == '?' || c == '"' || c == '<' || c == '>' || c == '|') {
            return std::string("the file name contains the character '") + c + "'";
        }
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t end = std::min(name.find('/', start), name.size());
        const std::string_view component = name.substr(start, end - start);
        if (component.empty()) {
            return "the file name has an empty path component";
        }
        if (component == "." || component == "..") {
            return "the file name has a '.' or '..' component that could escape the model folder";
        }
        if (component.back() == '.' || component.back() == ' ') {
            return "a path component ends with a dot or a space";
        }
        if (is_windows_reserved(component)) {
            return "a path component is a name Windows reserves for devices";
        }
        start = end + 1;
    }
    return std::nullopt;
}

} // namespace tern::downloader
