// GGUF model files: a reader over a read-only memory map (versions 2 and 3) and a streaming writer.
// Layout facts: ../shared/docs/FORMATS.md. Every malformed input is a tern::engine::Error whose
// message starts with the file name and says what is wrong.
#pragma once

#include "tern/engine/engine.h"
#include "tern/engine/mapped_file.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace tern::engine {

// Metadata value types (the GGUF spec's numbering).
enum class GgufValueType : std::uint32_t {
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
};
const char* value_type_name(GgufValueType type);

// Tensor element types (ggml type ids). Only ids the engine can size are accepted by the reader.
enum class TensorType : std::uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    I2_S = 36, // bitnet.cpp's ternary format: M*K/4 code bytes + one f32 scale + 28 bytes padding
};

// "F32", "I2_S"...; nullptr for ids the engine does not know.
const char* tensor_type_name(TensorType type);
// Elements per block and bytes per block (I2_S: 4 elements per byte, plus its 32-byte tail).
struct TensorTypeTraits {
    std::uint64_t block_elements;
    std::uint64_t block_bytes;
};
std::optional<TensorTypeTraits> tensor_type_traits(TensorType type);

// Bytes a tensor of this type and shape occupies (the I2_S rule included). Returns nullopt when
// the type is unknown, a row length is not a whole number of blocks, or the size overflows.
// `why` (optional) receives the reason.
std::optional<std::uint64_t> tensor_size_bytes(TensorType type, std::span<const std::uint64_t> ne,
                                               std::string* why = nullptr);

struct GgufValue {
    GgufValueType type = GgufValueType::UInt8;
    // The encoded value inside the file (for scalars: the raw bytes; for arrays: element type,
    // count and elements). Lets a writer copy a value unchanged.
    std::span<const std::uint8_t> raw;
    // Scalars: integers and bools widened; floats in `f`.
    std::uint64_t u = 0;
    std::int64_t i = 0;
    double f = 0;
    std::string_view str; // String: points into the mapped file
    // Array: element type, count, and (for non-string elements) the packed elements.
    GgufValueType element_type = GgufValueType::UInt8;
    std::uint64_t count = 0;
    std::span<const std::uint8_t> elements;
    std::vector<std::string_view> strings; // Array of String, pointing into the mapped file

    bool is_integer() const;
    bool is_float() const;
};

struct GgufTensorInfo {
    std::string name;
    TensorType type = TensorType::F32;
    std::vector<std::uint64_t> ne; // dimensions, fastest first: a weight [K, M] has M rows of K
    std::uint64_t offset = 0;      // from the start of the data section
    std::uint64_t size = 0;        // bytes, the I2_S rule included
    std::uint64_t elements = 0;
    std::span<const std::uint8_t> data; // inside the mapped file
};

class GgufFile {
public:
    // Maps and parses `path`. Throws Error naming the file on any malformed content.
    // `populate_map`: see MappedFile (for loading a model whose tensors are all used at once).
    static std::unique_ptr<GgufFile> open(const std::string& path, bool populate_map = false);

    const std::string& path() const;
    std::uint32_t version() const { return version_; }
    std::uint64_t alignment() const { return alignment_; }
    std::uint64_t data_offset() const { return data_offset_; }
    std::uint64_t file_size() const;
    const MappedFile& mapped() const { return *map_; }

    // Metadata in file order.
    const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return kv_; }
    const GgufValue* find(std::string_view key) const;
    bool has(std::string_view key) const { return find(key) != nullptr; }

    // Typed getters: throw Error naming the file and the key when the key is missing or its type
    // does not fit. Integer getters accept any integer type whose value fits the result.
    std::string get_string(std::string_view key) const;
    std::uint32_t get_u32(std::string_view key) const;
    std::int32_t get_i32(std::string_view key) const;
    std::uint64_t get_u64(std::string_view key) const;
    float get_f32(std::string_view key) const; // Float32 or Float64
    bool get_bool(std::string_view key) const;
    std::vector<std::string> get_string_array(std::string_view key) const;
    // Zero-copy view of a string array (valid while this GgufFile lives).
    const std::vector<std::string_view>& get_string_array_view(std::string_view key) const;
    std::vector<float> get_f32_array(std::string_view key) const;   // Float32/Float64 elements
    std::vector<std::int32_t> get_i32_array(std::string_view key) const; // any fitting integer

    // Optional variants: nullopt when the key is missing; still throw when present but mistyped.
    std::optional<std::string> find_string(std::string_view key) const;
    std::optional<std::uint32_t> find_u32(std::string_view key) const;
    std::optional<std::int32_t> find_i32(std::string_view key) const;
    std::optional<std::uint64_t> find_u64(std::string_view key) const;
    std::optional<float> find_f32(std::string_view key) const;
    std::optional<bool> find_bool(std::string_view key) const;
    std::optional<std::vector<std::string>> find_string_array(std::string_view key) const;
    std::optional<std::vector<float>> find_f32_array(std::string_view key) const;
    std::optional<std::vector<std::int32_t>> find_i32_array(std::string_view key) const;

    const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
    const GgufTensorInfo* find_tensor(std::string_view name) const;
    // Throws Error naming the file and the tensor when it is missing.
    const GgufTensorInfo& tensor(std::string_view name) const;

    // An Error whose message starts with this file's name.
    [[noreturn]] void fail(const std::string& what) const;

private:
    GgufFile() = default;
    void parse();
    const GgufValue& require(std::string_view key) const;
    [[noreturn]] void wrong_type(std::string_view key, const GgufValue& v, const char* want) const;

    std::unique_ptr<MappedFile> map_;
    std::uint32_t version_ = 0;
    std::uint64_t alignment_ = 32;
    std::uint64_t data_offset_ = 0;
    std::vector<std::pair<std::string, GgufValue>> kv_;
    std::unordered_map<std::string, std::size_t> kv_index_;
    std::vector<GgufTensorInfo> tensors_;
    std::unordered_map<std::string, std::size_t> tensor_index_;
};

// Writes a GGUF v3 file with bounded memory: set the metadata, declare every tensor, then stream
// each tensor's bytes in declaration order (in as many chunks as convenient), then finish().
// The file is written under `<path>.part` and renamed into place by finish(), so an interrupted
// conversion never leaves a file that looks complete.
class GgufWriter {
public:
    explicit GgufWriter(std::string path, std::uint32_t alignment = 32);
    ~GgufWriter(); // removes the .part file when finish() was not reached
    GgufWriter(const GgufWriter&) = delete;
    GgufWriter& operator=(const GgufWriter&) = delete;

    void set_string(std::string_view key, std::string_view value);
    void set_u8(std::string_view key, std::uint8_t value);
    void set_i8(std::string_view key, std::int8_t value);
    void set_u16(std::string_view key, std::uint16_t value);
    void set_i16(std::string_view key, std::int16_t value);
    void set_u32(std::string_view key, std::uint32_t value);
    void set_i32(std::string_view key, std::int32_t value);
    void set_u64(std::string_view key, std::uint64_t value);
    void set_i64(std::string_view key, std::int64_t value);
    void set_f32(std::string_view key, float value);
    void set_f64(std::string_view key, double value);
    void set_bool(std::string_view key, bool value);
    void set_string_array(std::string_view key, std::span<const std::string> values);
    void set_f32_array(std::string_view key, std::span<const float> values);
    void set_i32_array(std::string_view key, std::span<const std::int32_t> values);
    // Copies a value unchanged from another file (e.g. a tokenizer's metadata).
    void copy_value(std::string_view key, const GgufValue& value);

    // Declares a tensor; its size follows from type and shape (the I2_S rule included).
    void add_tensor(std::string_view name, TensorType type, std::span<const std::uint64_t> ne);
    void add_tensor(std::string_view name, TensorType type, std::initializer_list<std::uint64_t> ne) {
        add_tensor(name, type, std::span<const std::uint64_t>(ne.begin(), ne.size()));
    }

    // Appends bytes to the current tensor (declaration order); the header is written on the first
    // call. A tensor is complete when exactly its size has been written.
    void write_tensor_data(std::span<const std::uint8_t> bytes);
    template <class T> void write_tensor_data(std::span<const T> values) {
        write_tensor_data(std::span<const std::uint8_t>(
            reinterpret_cast<const std::uint8_t*>(values.data()), values.size_bytes()));
    }
    // Checks every tensor was fully written, flushes, and renames the file into place.
    void finish();

    const std::string& path() const { return path_; }

private:
    struct PendingTensor {
        std::string name;
        TensorType type;
        std::vector<std::uint64_t> ne;
        std::uint64_t size;
        std::uint64_t offset;
    };
    void begin_value(std::string_view key, GgufValueType type);
    void write_header();
    void write_raw(const void* data, std::size_t size);
    void pad_to_alignment();
    [[noreturn]] void fail(const std::string& what) const;

    std::string path_;
    std::string part_path_;
    std::uint32_t alignment_;
    std::vector<std::uint8_t> metadata_;
    std::uint64_t kv_count_ = 0;
    std::unordered_set<std::string> keys_;
    std::vector<PendingTensor> tensors_;
    std::unordered_set<std::string> tensor_names_;
    std::uint64_t data_size_ = 0;
    std::FILE* file_ = nullptr;
    std::uint64_t written_ = 0; // bytes written to the file so far
    std::size_t current_ = 0;   // the tensor being streamed
    std::uint64_t current_written_ = 0;
    bool header_written_ = false;
    bool finished_ = false;
};

} // namespace tern::engine
