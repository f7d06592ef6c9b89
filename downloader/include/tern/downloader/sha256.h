// SHA-256 (FIPS 180-4), incremental, so a download can be hashed while it streams to disk and a
// resumed download can re-hash the bytes already on disk before appending more.
// Written here rather than taken from OpenSSL to keep the downloader free of a crypto dependency
// whose headers differ across Windows/macOS/Linux; a few hundred MB/s is far above home bandwidth.
#pragma once

#include "tern/downloader/detail/md_blocks.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace tern::downloader {

class Sha256 {
public:
    Sha256();
    void update(const void* data, std::size_t size);
    void update(std::string_view text) { update(text.data(), text.size()); }
    // Finishes the hash and returns it as 64 lowercase hex digits. The object is reset after.
    std::string hex_digest();

private:
    void compress(const std::uint8_t* block);
    std::array<std::uint32_t, 8> state_{};
    detail::MdBlocks blocks_;
};

std::string sha256_hex(std::string_view data);

// Hashes the first `bytes` bytes of `file` into `hash` (the whole file when bytes is -1).
// Throws std::runtime_error naming the file when it cannot be read or is shorter.
void sha256_update_from_file(Sha256& hash, const std::filesystem::path& file,
                             std::uintmax_t bytes = static_cast<std::uintmax_t>(-1));

} // namespace tern::downloader
