// A whole file mapped read-only into memory (mmap on POSIX, MapViewOfFile on Windows).
// Model weights are used straight from the map: no copy, and the page cache is shared between
// runs, which is what makes a warm load fast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace tern::engine {

class MappedFile {
public:
    // Throws tern::engine::Error naming the file when it cannot be opened or mapped.
    // `populate`: map every page up front (Linux), for files that will be read whole right away:
    // one pass in the kernel is far cheaper than a page fault per 4 KiB on first use.
    explicit MappedFile(const std::string& path, bool populate = false);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::string& path() const { return path_; }
    std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
    const std::uint8_t* data() const { return data_; }
    std::uint64_t size() const { return size_; }

    // Hints the OS to read [offset, offset + length) ahead (best effort, no error when unsupported).
    void prefetch(std::uint64_t offset, std::uint64_t length) const;

private:
    std::string path_;
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
#ifdef _WIN32
    void* file_handle_ = nullptr;
    void* mapping_handle_ = nullptr;
#endif
};

} // namespace tern::engine
