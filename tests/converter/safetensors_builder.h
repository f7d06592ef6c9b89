// Builds safetensors files byte by byte for tests, including deliberately broken ones.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace tern::test {

struct RawTensor {
    std::string name;
    std::string dtype;
    std::vector<std::uint64_t> shape;
    std::vector<std::uint8_t> data;
};

inline std::string shape_json(const std::vector<std::uint64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) text += ',';
        text += std::to_string(shape[i]);
    }
    text += ']';
    return text;
}

// A well-formed file: tensors laid out back to back in the given order.
inline std::vector<std::uint8_t> build_safetensors(const std::vector<RawTensor>& tensors) {
    std::string header = "{";
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& t = tensors[i];
        if (i) header += ',';
        header += '"';
        header += t.name;
        header += "\":{\"dtype\":\"";
        header += t.dtype;
        header += "\",\"shape\":";
        header += shape_json(t.shape);
        header += ",\"data_offsets\":[";
        header += std::to_string(offset);
        header += ',';
        header += std::to_string(offset + t.data.size());
        header += "]}";
        offset += t.data.size();
    }
    header += "}";
    while (header.size() % 8 != 0) header += ' ';
    std::size_t total = 8 + header.size();
    for (const auto& t : tensors) total += t.data.size();
    std::vector<std::uint8_t> bytes(total);
    const std::uint64_t length = header.size();
    std::memcpy(bytes.data(), &length, 8);
    std::memcpy(bytes.data() + 8, header.data(), header.size());
    std::size_t at = 8 + header.size();
    for (const auto& t : tensors) {
        if (!t.data.empty()) std::memcpy(bytes.data() + at, t.data.data(), t.data.size());
        at += t.data.size();
    }
    return bytes;
}

// A file from a header text and a data section given verbatim.
inline std::vector<std::uint8_t> build_raw(const std::string& header, std::size_t data_bytes) {
    std::vector<std::uint8_t> bytes(8 + header.size() + data_bytes, 0);
    const std::uint64_t length = header.size();
    std::memcpy(bytes.data(), &length, 8);
    std::memcpy(bytes.data() + 8, header.data(), header.size());
    return bytes;
}

template <class T> std::vector<std::uint8_t> as_bytes(const std::vector<T>& values) {
    std::vector<std::uint8_t> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

inline void write_file(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// A fresh empty folder under the system temp folder, removed by the destructor.
class TempDir {
public:
    explicit TempDir(const std::string& name) {
        path_ = std::filesystem::temp_directory_path() /
                ("tern-" + name + "-" + std::to_string(std::random_device{}()));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

} // namespace tern::test
