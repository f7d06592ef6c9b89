// Git object ids of files the hub keeps in git rather than LFS (config.json, tokenizer files):
// the models API lists them as "blobId", SHA-1 of "blob <size>\0" followed by the content.
// SHA-1 is broken for collision resistance, but here it only guards against transfer damage and
// truncation; files that matter for safety (the weights) are LFS files checked with SHA-256.
#pragma once

#include "tern/downloader/detail/md_blocks.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern::downloader {

class GitBlobId {
public:
    explicit GitBlobId(std::uint64_t size); // the blob header needs the size up front
    void update(const void* data, std::size_t size);
    std::string hex_digest(); // 40 lowercase hex digits

private:
    void compress(const std::uint8_t* block);
    std::array<std::uint32_t, 5> state_{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    detail::MdBlocks blocks_;
};

std::string git_blob_id(std::string_view content);

} // namespace tern::downloader
