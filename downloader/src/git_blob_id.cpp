#include "tern/downloader/git_blob_id.h"

#include <algorithm>

namespace tern::downloader {
namespace {
constexpr std::uint32_t rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }
} // namespace

GitBlobId::GitBlobId(std::uint64_t size) {
    const std::string header = "blob " + std::to_string(size);
    update(header.data(), header.size() + 1); // including the terminating NUL
}

void GitBlobId::compress(const std::uint8_t* block) {
    std::uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
        w[i] = static_cast<std::uint32_t>(block[4 * i]) << 24 | static_cast<std::uint32_t>(block[4 * i + 1]) << 16 |
               static_cast<std::uint32_t>(block[4 * i + 2]) << 8 | static_cast<std::uint32_t>(block[4 * i + 3]);
    }
    for (int i = 16; i < 80; ++i) {
        w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4];
    for (int i = 0; i < 80; ++i) {
        std::uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        const std::uint32_t t = rotl(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = t;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
}

void GitBlobId::update(const void* data, std::size_t size) {
    blocks_.update(data, size, [this](const std::uint8_t* block) { compress(block); });
}

std::string GitBlobId::hex_digest() {
    blocks_.finish([this](const std::uint8_t* block) { compress(block); });
    return detail::hex_words(state_);
}

std::string git_blob_id(std::string_view content) {
    GitBlobId id(content.size());
    id.update(content.data(), content.size());
    return id.hex_digest();
}

} // namespace tern::downloader
