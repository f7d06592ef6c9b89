// Hugging Face safetensors checkpoints, read through a read-only memory map: single files and
// sharded checkpoints listed by model.safetensors.index.json.
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON (tensor name -> dtype, shape,
// data_offsets relative to the data section), then the data section. Every malformed input is a
// tern::engine::Error whose message starts with the file's path and says what is wrong.
#pragma once

#include "tern/engine/engine.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tern::engine {

class MappedFile;

// The element types a BitNet checkpoint uses. Anything else (F64, I32, F8...) is rejected by name.
enum class SafetensorsDtype : std::uint8_t { F32, F16, BF16, U8, I8 };

const char* safetensors_dtype_name(SafetensorsDtype dtype);
std::size_t safetensors_dtype_size(SafetensorsDtype dtype);

struct SafetensorsTensor {
    std::string name;
    SafetensorsDtype dtype = SafetensorsDtype::F32;
    std::vector<std::uint64_t> shape; // as stored: slowest dimension first (row-major)
    std::uint64_t elements = 0;
    // Offsets from the start of the file (the header's data_offsets plus 8 + header length).
    std::uint64_t file_begin = 0;
    std::uint64_t file_end = 0;
    // The raw little-endian bytes inside the map; may be unaligned for their dtype (the format does
    // not promise alignment), so read elements with memcpy. Empty until the file is mapped.
    std::span<const std::uint8_t> bytes;
    std::string file; // path of the file that holds it, for error messages
};

// The parsed header of one safetensors file. Exposed separately from the mapping so that the
// validation can be tested on bytes in memory.
struct SafetensorsHeader {
    std::vector<SafetensorsTensor> tensors; // sorted by offset
    std::map<std::string, std::string> metadata; // the optional "__metadata__" string map
    std::uint64_t data_begin = 0;                // 8 + header length
};

// Validates `file_bytes` (a whole safetensors file) and returns its header; `path` only names the
// file in errors. Checks: the file holds the 8-byte length and the header, the JSON is an object
// of well-formed entries, every dtype is supported, each tensor's byte size equals its shape times
// the element size, no offsets run past the end of the file, and no two tensors overlap.
SafetensorsHeader parse_safetensors_header(std::span<const std::uint8_t> file_bytes,
                                           const std::string& path);

// One mapped .safetensors file.
class SafetensorsFile {
public:
    static std::unique_ptr<SafetensorsFile> open(const std::filesystem::path& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return path_; }
    std::uint64_t file_size() const;
    const std::vector<SafetensorsTensor>& tensors() const { return header_.tensors; }
    const std::map<std::string, std::string>& metadata() const { return header_.metadata; }
    const SafetensorsTensor* find(std::string_view name) const;

private:
    SafetensorsFile() = default;
    std::string path_;
    std::unique_ptr<MappedFile> map_;
    SafetensorsHeader header_;
    std::unordered_map<std::string, std::size_t> index_;
};

// A checkpoint folder: model.safetensors, or the shards listed in model.safetensors.index.json
// (or a single .safetensors file given directly).
class SafetensorsCheckpoint {
public:
    static SafetensorsCheckpoint open(const std::filesystem::path& dir_or_file);

    // Tensor names in a stable order: by file, then by offset inside the file (the order that
    // reads the disk sequentially).
    const std::vector<const SafetensorsTensor*>& tensors() const { return order_; }
    const SafetensorsTensor* find(std::string_view name) const;
    // Throws Error naming the checkpoint and the tensor when it is missing.
    const SafetensorsTensor& get(std::string_view name) const;
    const std::string& path() const { return path_; }
    std::uint64_t total_bytes() const; // of tensor data, for progress

    // Asks the OS to start reading a tensor's bytes (best effort).
    static void prefetch(const SafetensorsTensor& tensor);
    // Drops a tensor's pages from this process's resident set once it has been used (they stay
    // in the page cache); keeps a streaming conversion's memory bounded by the largest tensor
    // instead of the checkpoint size. Best effort.
    static void release(const SafetensorsTensor& tensor);

private:
    std::string path_;
    std::vector<std::unique_ptr<SafetensorsFile>> files_;
    std::unordered_map<std::string, const SafetensorsTensor*> by_name_;
    std::vector<const SafetensorsTensor*> order_;
};

// Reads element `i` of a F32/F16/BF16 tensor as float (test and tool convenience; bulk
// conversion uses the kernels' converters).
float safetensors_read_float(const SafetensorsTensor& tensor, std::uint64_t i);

} // namespace tern::engine
