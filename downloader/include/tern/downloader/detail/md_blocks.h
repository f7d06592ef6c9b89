// The framing SHA-1 and SHA-256 share (FIPS 180-4): the message is fed in 64-byte blocks, then
// ends with a 0x80 byte, zeros up to 56 bytes into a block, and its bit length big-endian. Each
// hash supplies only its compression function and its state words.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace tern::downloader::detail {

class MdBlocks {
public:
    // Feeds bytes, calling compress(block) for every complete 64-byte block (straight from the
    // input when nothing is buffered, so large updates are not copied).
    template <typename Compress>
    void update(const void* data, std::size_t size, Compress&& compress) {
        const auto* bytes = static_cast<const std::uint8_t*>(data);
        total_bytes_ += size;
        if (buffered_ > 0) {
            const std::size_t take = std::min(size, buffer_.size() - buffered_);
            std::copy(bytes, bytes + take, buffer_.begin() + static_cast<std::ptrdiff_t>(buffered_));
            buffered_ += take;
            bytes += take;
            size -= take;
            if (buffered_ < buffer_.size()) {
                return;
            }
            compress(buffer_.data());
            buffered_ = 0;
        }
        for (; size >= buffer_.size(); bytes += buffer_.size(), size -= buffer_.size()) {
            compress(bytes);
        }
        std::copy(bytes, bytes + size, buffer_.begin());
        buffered_ = size;
    }

    // Appends the padding and the length; the last compress() call leaves the final state.
    template <typename Compress>
    void finish(Compress&& compress) {
        const std::uint64_t bit_length = total_bytes_ * 8;
        std::array<std::uint8_t, 72> tail{}; // 0x80, zeros, 8 length bytes: at most 72 bytes
        tail[0] = 0x80;
        const std::size_t zeros = (buffered_ + 1 <= 56 ? 56 : 120) - (buffered_ + 1);
        const std::size_t length_at = 1 + zeros;
        for (int i = 0; i < 8; ++i) {
            tail[length_at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(bit_length >> (56 - 8 * i));
        }
        update(tail.data(), length_at + 8, compress);
    }

private:
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
};

// State words as lowercase hex, most significant digit first.
template <std::size_t N>
std::string hex_words(const std::array<std::uint32_t, N>& words) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(8 * N);
    for (const std::uint32_t word : words) {
        for (int shift = 28; shift >= 0; shift -= 4) {
            out += kHex[(word >> shift) & 0xf];
        }
    }
    return out;
}

} // namespace tern::downloader::detail
