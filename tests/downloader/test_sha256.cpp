#include "tern/downloader/git_blob_id.h"
#include "tern/downloader/sha256.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

using tern::downloader::Sha256;
using tern::downloader::sha256_hex;

TEST(Sha256, MatchesFips180Vectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PaddingBoundariesMatchTheOneShotHashInAnyChunking) {
    // 55, 56 and 64 bytes are where the length field does or does not fit the last block.
    for (const std::size_t size : {55u, 56u, 63u, 64u, 65u, 119u, 1000u}) {
        std::string data(size, '\0');
        for (std::size_t i = 0; i < size; ++i) {
            data[i] = static_cast<char>(i * 7 + 3);
        }
        const std::string expected = sha256_hex(data);
        for (const std::size_t chunk : {1u, 3u, 64u, 100u}) {
            Sha256 hash;
            for (std::size_t pos = 0; pos < size; pos += chunk) {
                hash.update(data.data() + pos, std::min(chunk, size - pos));
            }
            EXPECT_EQ(hash.hex_digest(), expected) << "size " << size << " chunk " << chunk;
        }
    }
}

TEST(Sha256, HashesAFilePrefixAndReportsShortFiles) {
    const auto path = std::filesystem::temp_directory_path() / "tern-sha256-prefix.bin";
    {
        std::ofstream out(path, std::ios::binary);
        out << "abcdef";
    }
    Sha256 prefix;
    tern::downloader::sha256_update_from_file(prefix, path, 3);
    EXPECT_EQ(prefix.hex_digest(), sha256_hex("abc"));
    Sha256 whole;
    tern::downloader::sha256_update_from_file(whole, path);
    EXPECT_EQ(whole.hex_digest(), sha256_hex("abcdef"));
    Sha256 too_long;
    EXPECT_THROW(tern::downloader::sha256_update_from_file(too_long, path, 10), std::runtime_error);
    std::filesystem::remove(path);
}

TEST(GitBlobId, MatchesGitHashObject) {
    // printf 'hello\n' | git hash-object --stdin ; and the empty blob
    EXPECT_EQ(tern::downloader::git_blob_id("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
    EXPECT_EQ(tern::downloader::git_blob_id(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    const std::string long_text(1000, 'q');
    tern::downloader::GitBlobId chunked(long_text.size());
    for (std::size_t pos = 0; pos < long_text.size(); pos += 7) {
        chunked.update(long_text.data() + pos, std::min<std::size_t>(7, long_text.size() - pos));
    }
    EXPECT_EQ(chunked.hex_digest(), tern::downloader::git_blob_id(long_text));
}
