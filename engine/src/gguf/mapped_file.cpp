// Read-only whole-file memory map, one implementation per platform family.
#include "tern/engine/mapped_file.h"

#include "tern/engine/engine.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tern::engine {

#ifdef _WIN32

namespace {
std::string last_error_text() {
    const DWORD code = GetLastError();
    char buffer[256] = {};
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, code, 0,
                   buffer, sizeof buffer, nullptr);
    std::string text = buffer;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    return text.empty() ? "error " + std::to_string(code) : text;
}
} // namespace

MappedFile::MappedFile(const std::string& path, bool populate) : path_(path) {
    const std::filesystem::path fs_path(
        std::u8string(reinterpret_cast<const char8_t*>(path.data()), path.size()));
    (void)populate; // Windows maps lazily; PrefetchVirtualMemory could be added here
    HANDLE file = CreateFileW(fs_path.c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE) {
        throw Error(path + ": cannot open: " + last_error_text());
    }
    LARGE_INTEGER size{};
    if (!GetFileSizeEx(file, &size)) {
        const std::string why = last_error_text();
        CloseHandle(file);
        throw Error(path + ": cannot read the file size: " + why);
    }
    file_handle_ = file;
    size_ = static_cast<std::size_t>(size.QuadPart);
    if (size_ == 0) {
        return; // nothing to map; callers see an empty span
    }
    HANDLE mapping = CreateFileMappingW(file, nullptr, PAGE_READONLY, 0, 0, nullptr);
    if (mapping == nullptr) {
        const std::string why = last_error_text();
        CloseHandle(file);
        throw Error(path + ": cannot map the file: " + why);
    }
    mapping_handle_ = mapping;
    const void* view = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
    if (view == nullptr) {
        const std::string why = last_error_text();
        CloseHandle(mapping);
        CloseHandle(file);
        throw Error(path + ": cannot map the file: " + why);
    }
    data_ = static_cast<const std::uint8_t*>(view);
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) {
        UnmapViewOfFile(data_);
    }
    if (mapping_handle_ != nullptr) {
        CloseHandle(mapping_handle_);
    }
    if (file_handle_ != nullptr) {
        CloseHandle(file_handle_);
    }
}

void MappedFile::prefetch(std::uint64_t, std::uint64_t) const {}

#else

MappedFile::MappedFile(const std::string& path, bool populate) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) {
        throw Error(path + ": cannot open: " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw Error(path + ": cannot read the file size: " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(path + ": not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) {
        ::close(fd);
        return;
    }
    int flags = MAP_SHARED;
#ifdef MAP_POPULATE
    if (populate) {
        flags |= MAP_POPULATE;
    }
#endif
    void* view = ::mmap(nullptr, size_, PROT_READ, flags, fd, 0);
    const int err = errno;
    ::close(fd); // the mapping keeps the file referenced
    if (view == MAP_FAILED) {
        throw Error(path + ": cannot map the file: " + std::strerror(err));
    }
    data_ = static_cast<const std::uint8_t*>(view);
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) {
        ::munmap(const_cast<std::uint8_t*>(data_), size_);
    }
}

void MappedFile::prefetch(std::uint64_t offset, std::uint64_t length) const {
    if (data_ == nullptr || offset >= size_) {
        return;
    }
    const long page = ::sysconf(_SC_PAGESIZE);
    const std::uint64_t page_size = page > 0 ? static_cast<std::uint64_t>(page) : 4096;
    const std::uint64_t start = offset / page_size * page_size;
    const std::uint64_t end = std::min<std::uint64_t>(size_, offset + length);
    ::madvise(const_cast<std::uint8_t*>(data_ + start), end - start, MADV_WILLNEED);
}

#endif

} // namespace tern::engine
