// Validation of file names that come from a server before they touch the disk.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern::downloader {

// Returns why `name` may not be used as a path relative to a model's folder, or nullopt when it
// is safe: non-empty, relative, '/'-separated, no "." or ".." components, no backslashes, drive
// letters, control characters or NUL, no component that Windows reserves (CON, NUL, COM1...).
std::optional<std::string> unsafe_relative_path_reason(std::string_view name);

inline bool is_safe_relative_path(std::string_view name) {
    return !unsafe_relative_path_reason(name).has_value();
}

} // namespace tern::downloader
