// GGUF reader: parses the header, metadata and tensor infos of a memory-mapped file and checks
// every offset and size against the file before anything is used.
#include "tern/engine/gguf.h"

#include <bit>
#include <cstring>
#include <limits>
#include <string>

namespace tern::engine {

static_assert(std::endian::native == std::endian::little,
              "GGUF files are little-endian; a big-endian host would need byte swapping");

namespace {

constexpr std::uint32_t kMagic = 0x46554747; // "GGUF" read as a little-endian u32
constexpr std::uint32_t kMaxDims = 4;
constexpr int kMaxArrayNesting = 4;

// Bounds-checked sequential reads over the mapped bytes.
class Cursor {
public:
    Cursor(const GgufFile& file, std::span<const std::uint8_t> bytes) : file_(file), bytes_(bytes) {}

    std::uint64_t position() const { return pos_; }
    std::uint64_t remaining() const { return bytes_.size() - pos_; }
    const std::uint8_t* here() const { return bytes_.data() + pos_; }

    void need(std::uint64_t n, const char* what) const {
        if (n > remaining()) {
            file_.fail("truncated: " + std::string(what) + " at byte " + std::to_string(pos_) +
                       " needs " + std::to_string(n) + " bytes but the file ends " +
                       std::to_string(remaining()) + " bytes later");
        }
    }
    template <class T> T read(const char* what) {
        need(sizeof(T), what);
        T value;
        std::memcpy(&value, here(), sizeof(T));
        pos_ += sizeof(T);
        return value;
    }
    std::string_view read_string(const char* what) {
        const auto length = read<std::uint64_t>(what);
        need(length, what);
        std::string_view s(reinterpret_cast<const char*>(here()), static_cast<std::size_t>(length));
        pos_ += length;
        return s;
    }
    void skip(std::uint64_t n, const char* what) {
        need(n, what);
        pos_ += n;
    }

private:
    const GgufFile& file_;
    std::span<const std::uint8_t> bytes_;
    std::uint64_t pos_ = 0;
};

std::uint64_t scalar_size(GgufValueType type) {
    switch (type) {
    case GgufValueType::UInt8:
    case GgufValueType::Int8:
    case GgufValueType::Bool: return 1;
    case GgufValueType::UInt16:
    case GgufValueType::Int16: return 2;
    case GgufValueType::UInt32:
    case GgufValueType::Int32:
    case GgufValueType::Float32: return 4;
    case GgufValueType::UInt64:
    case GgufValueType::Int64:
    case GgufValueType::Float64: return 8;
    default: return 0;
    }
}

bool known_value_type(std::uint32_t t) { return t <= static_cast<std::uint32_t>(GgufValueType::Float64); }

// Reads one scalar of `type` at `p` into the widened fields of `v`.
void decode_scalar(GgufValueType type, const std::uint8_t* p, GgufValue& v) {
    auto load = [p](auto zero) {
        decltype(zero) x;
        std::memcpy(&x, p, sizeof x);
        return x;
    };
    switch (type) {
    case GgufValueType::UInt8: v.u = load(std::uint8_t{}); v.i = static_cast<std::int64_t>(v.u); break;
    case GgufValueType::Bool: v.u = load(std::uint8_t{}) != 0; v.i = static_cast<std::int64_t>(v.u); break;
    case GgufValueType::UInt16: v.u = load(std::uint16_t{}); v.i = static_cast<std::int64_t>(v.u); break;
    case GgufValueType::UInt32: v.u = load(std::uint32_t{}); v.i = static_cast<std::int64_t>(v.u); break;
    case GgufValueType::UInt64: v.u = load(std::uint64_t{}); v.i = static_cast<std::int64_t>(v.u); break;
    case GgufValueType::Int8: v.i = load(std::int8_t{}); v.u = static_cast<std::uint64_t>(v.i); break;
    case GgufValueType::Int16: v.i = load(std::int16_t{}); v.u = static_cast<std::uint64_t>(v.i); break;
    case GgufValueType::Int32: v.i = load(std::int32_t{}); v.u = static_cast<std::uint64_t>(v.i); break;
    case GgufValueType::Int64: v.i = load(std::int64_t{}); v.u = static_cast<std::uint64_t>(v.i); break;
    case GgufValueType::Float32: v.f = load(float{}); break;
    case GgufValueType::Float64: v.f = load(double{}); break;
    default: break;
    }
}

bool is_signed(GgufValueType t) {
    return t == GgufValueType::Int8 || t == GgufValueType::Int16 || t == GgufValueType::Int32 ||
           t == GgufValueType::Int64;
}

bool is_integer_type(GgufValueType t) {
    return t == GgufValueType::UInt8 || t == GgufValueType::UInt16 || t == GgufValueType::UInt32 ||
           t == GgufValueType::UInt64 || is_signed(t);
}

} // namespace

bool GgufValue::is_integer() const { return is_integer_type(type); }
bool GgufValue::is_float() const { return type == GgufValueType::Float32 || type == GgufValueType::Float64; }

std::unique_ptr<GgufFile> GgufFile::open(const std::string& path, bool populate_map) {
    std::unique_ptr<GgufFile> file(new GgufFile());
    file->map_ = std::make_unique<MappedFile>(path, populate_map);
    file->parse();
    return file;
}

const std::string& GgufFile::path() const { return map_->path(); }
std::uint64_t GgufFile::file_size() const { return map_->size(); }

void GgufFile::fail(const std::string& what) const { throw Error(path() + ": " + what); }

namespace {

// Skips (and validates) an array body of `count` elements of `type`, recursing into nested arrays.
void skip_array(const GgufFile& file, Cursor& in, GgufValueType type, std::uint64_t count, int depth,
                std::vector<std::string_view>* strings) {
    if (type == GgufValueType::String) {
        // Each string needs at least its 8-byte length: reject absurd counts before reserving.
        if (count > in.remaining() / 8) {
            file.fail("truncated or corrupt: a string array of " + std::to_string(count) +
                      " elements at byte " + std::to_string(in.position()) +
                      " cannot fit in the rest of the file");
        }
        if (strings != nullptr) {
            strings->reserve(static_cast<std::size_t>(count));
        }
        for (std::uint64_t k = 0; k < count; ++k) {
            const auto s = in.read_string("a string array element");
            if (strings != nullptr) {
                strings->push_back(s);
            }
        }
        return;
    }
    if (type == GgufValueType::Array) {
        if (depth >= kMaxArrayNesting) {
            file.fail("arrays nested more than " + std::to_string(kMaxArrayNesting) + " deep");
        }
        if (count > in.remaining() / 12) {
            file.fail("truncated or corrupt: a nested array of " + std::to_string(count) +
                      " elements at byte " + std::to_string(in.position()) +
                      " cannot fit in the rest of the file");
        }
        for (std::uint64_t k = 0; k < count; ++k) {
            const auto inner = in.read<std::uint32_t>("a nested array's element type");
            if (!known_value_type(inner)) {
                file.fail("unknown metadata value type " + std::to_string(inner) + " in a nested array");
            }
            const auto inner_count = in.read<std::uint64_t>("a nested array's length");
            skip_array(file, in, static_cast<GgufValueType>(inner), inner_count, depth + 1, nullptr);
        }
        return;
    }
    const std::uint64_t size = scalar_size(type);
    if (count > in.remaining() / size) {
        file.fail("truncated: an array of " + std::to_string(count) + " " + value_type_name(type) +
                  " values at byte " + std::to_string(in.position()) + " runs past the end of the file");
    }
    in.skip(count * size, "an array");
}

} // namespace

void GgufFile::parse() {
    Cursor in(*this, map_->bytes());
    if (map_->size() < 4) {
        fail("not a GGUF file: it is only " + std::to_string(map_->size()) + " bytes long");
    }
    const auto magic = in.read<std::uint32_t>("the magic");
    if (magic != kMagic) {
        fail("not a GGUF file: it does not start with the magic bytes 'GGUF'");
    }
    version_ = in.read<std::uint32_t>("the version");
    if (version_ == 1) {
        fail("GGUF version 1 is not supported (versions 2 and 3 are); re-convert the model");
    }
    if (version_ != 2 && version_ != 3) {
        if ((version_ & 0xFFFF) == 0 && (version_ >> 16) != 0) {
            fail("big-endian GGUF files are not supported");
        }
        fail("unsupported GGUF version " + std::to_string(version_) + " (versions 2 and 3 are read)");
    }
    const auto tensor_count = in.read<std::uint64_t>("the tensor count");
    const auto kv_count = in.read<std::uint64_t>("the metadata count");
    // Every KV needs at least a key length and a type; every tensor info at least 24 bytes.
    if (kv_count > in.remaining() / 12) {
        fail("truncated or corrupt: the header claims " + std::to_string(kv_count) +
             " metadata entries, more than the file can hold");
    }
    if (tensor_count > in.remaining() / 24) {
        fail("truncated or corrupt: the header claims " + std::to_string(tensor_count) +
             " tensors, more than the file can hold");
    }

    kv_.reserve(static_cast<std::size_t>(kv_count));
    for (std::uint64_t n = 0; n < kv_count; ++n) {
        std::string key(in.read_string("a metadata key"));
        const auto type_id = in.read<std::uint32_t>("a metadata value type");
        if (!known_value_type(type_id)) {
            fail("metadata key '" + key + "' has unknown value type " + std::to_string(type_id));
        }
        GgufValue v;
        v.type = static_cast<GgufValueType>(type_id);
        const std::uint8_t* start = in.here();
        if (v.type == GgufValueType::String) {
            v.str = in.read_string("a metadata string");
        } else if (v.type == GgufValueType::Array) {
            const auto elem = in.read<std::uint32_t>("an array's element type");
            if (!known_value_type(elem)) {
                fail("metadata key '" + key + "' is an array of unknown value type " + std::to_string(elem));
            }
            v.element_type = static_cast<GgufValueType>(elem);
            v.count = in.read<std::uint64_t>("an array's length");
            const std::uint8_t* elements = in.here();
            skip_array(*this, in, v.element_type, v.count, 1,
                       v.element_type == GgufValueType::String ? &v.strings : nullptr);
            v.elements = {elements, static_cast<std::size_t>(in.here() - elements)};
        } else {
            const auto size = scalar_size(v.type);
            in.need(size, "a metadata value");
            decode_scalar(v.type, in.here(), v);
            in.skip(size, "a metadata value");
        }
        v.raw = {start, static_cast<std::size_t>(in.here() - start)};
        if (kv_index_.count(key) != 0) {
            fail("metadata key '" + key + "' appears twice");
        }
        kv_index_.emplace(key, kv_.size());
        kv_.emplace_back(std::move(key), std::move(v));
    }

    if (const GgufValue* a = find("general.alignment")) {
        if (!a->is_integer() || a->u == 0 || a->u > (1u << 30) || (a->u & (a->u - 1)) != 0) {
            fail("general.alignment must be a power of two, not " +
                 (a->is_integer() ? std::to_string(a->u) : std::string(value_type_name(a->type))));
        }
        alignment_ = a->u;
    }

    tensors_.reserve(static_cast<std::size_t>(tensor_count));
    for (std::uint64_t n = 0; n < tensor_count; ++n) {
        GgufTensorInfo t;
        t.name = std::string(in.read_string("a tensor name"));
        const auto n_dims = in.read<std::uint32_t>("a tensor's dimension count");
        if (n_dims == 0 || n_dims > kMaxDims) {
            fail("tensor '" + t.name + "' has " + std::to_string(n_dims) + " dimensions (1 to " +
                 std::to_string(kMaxDims) + " allowed)");
        }
        for (std::uint32_t d = 0; d < n_dims; ++d) {
            t.ne.push_back(in.read<std::uint64_t>("a tensor dimension"));
        }
        const auto type_id = in.read<std::uint32_t>("a tensor type");
        t.type = static_cast<TensorType>(type_id);
        if (tensor_type_name(t.type) == nullptr) {
            std::string hint;
            if (type_id == 39) {
                hint = " (TL2 in bitnet.cpp, MXFP4 in llama.cpp)";
            } else if (type_id == 37 || type_id == 38) {
                hint = " (bitnet.cpp's TL1/TL2 lookup-table formats; convert to I2_S)";
            }
            fail("tensor '" + t.name + "' has unsupported type id " + std::to_string(type_id) + hint);
        }
        t.offset = in.read<std::uint64_t>("a tensor offset");
        std::string why;
        const auto size = tensor_size_bytes(t.type, t.ne, &why);
        if (!size) {
            fail("tensor '" + t.name + "' (" + tensor_type_name(t.type) + "): " + why);
        }
        t.size = *size;
        t.elements = 1;
        for (auto d : t.ne) {
            t.elements *= d; // cannot overflow: tensor_size_bytes checked the product
        }
        if (t.offset % alignment_ != 0) {
            fail("tensor '" + t.name + "' data offset " + std::to_string(t.offset) +
                 " is not a multiple of the alignment " + std::to_string(alignment_));
        }
        if (tensor_index_.count(t.name) != 0) {
            fail("tensor '" + t.name + "' appears twice");
        }
        tensor_index_.emplace(t.name, tensors_.size());
        tensors_.push_back(std::move(t));
    }

    // The data section starts at the next multiple of the alignment.
    const std::uint64_t end_of_infos = in.position();
    data_offset_ = (end_of_infos + alignment_ - 1) / alignment_ * alignment_;
    const std::uint64_t file_size = map_->size();
    if (data_offset_ > file_size && !tensors_.empty()) {
        fail("truncated: the tensor data section would start at byte " + std::to_string(data_offset_) +
             " but the file is " + std::to_string(file_size) + " bytes");
    }
    for (auto& t : tensors_) {
        const std::uint64_t available = file_size > data_offset_ ? file_size - data_offset_ : 0;
        if (t.offset > available || t.size > available - t.offset) {
            fail("tensor '" + t.name + "' (" + std::to_string(t.size) + " bytes at data offset " +
                 std::to_string(t.offset) + ") runs past the end of the file (" +
                 std::to_string(file_size) + " bytes); the file is truncated or corrupt");
        }
        t.data = {map_->data() + data_offset_ + t.offset, static_cast<std::size_t>(t.size)};
    }
}

const GgufValue* GgufFile::find(std::string_view key) const {
    const auto it = kv_index_.find(std::string(key));
    return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

const GgufValue& GgufFile::require(std::string_view key) const {
    const GgufValue* v = find(key);
    if (v == nullptr) {
        fail("missing metadata key '" + std::string(key) + "'");
    }
    return *v;
}

void GgufFile::wrong_type(std::string_view key, const GgufValue& v, const char* want) const {
    std::string have = value_type_name(v.type);
    if (v.type == GgufValueType::Array) {
        have = std::string("array of ") + value_type_name(v.element_type);
    }
    fail("metadata key '" + std::string(key) + "' is " + have + ", expected " + want);
}

namespace {

template <class T> bool fits(const GgufValue& v) {
    if (is_signed(v.type)) {
        return v.i >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
               (v.i < 0 || static_cast<std::uint64_t>(v.i) <= std::numeric_limits<T>::max());
    }
    return v.u <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
}

} // namespace

std::string GgufFile::get_string(std::string_view key) const {
    const auto& v = require(key);
    if (v.type != GgufValueType::String) {
        wrong_type(key, v, "string");
    }
    return std::string(v.str);
}

std::uint32_t GgufFile::get_u32(std::string_view key) const {
    const auto& v = require(key);
    if (!v.is_integer()) {
        wrong_type(key, v, "an unsigned integer");
    }
    if (!fits<std::uint32_t>(v)) {
        fail("metadata key '" + std::string(key) + "' value " +
             (is_signed(v.type) ? std::to_string(v.i) : std::to_string(v.u)) + " does not fit uint32");
    }
    return static_cast<std::uint32_t>(v.u);
}

std::int32_t GgufFile::get_i32(std::string_view key) const {
    const auto& v = require(key);
    if (!v.is_integer()) {
        wrong_type(key, v, "an integer");
    }
    if (!fits<std::int32_t>(v)) {
        fail("metadata key '" + std::string(key) + "' value " +
             (is_signed(v.type) ? std::to_string(v.i) : std::to_string(v.u)) + " does not fit int32");
    }
    return static_cast<std::int32_t>(v.i);
}

std::uint64_t GgufFile::get_u64(std::string_view key) const {
    const auto& v = require(key);
    if (!v.is_integer()) {
        wrong_type(key, v, "an unsigned integer");
    }
    if (is_signed(v.type) && v.i < 0) {
        fail("metadata key '" + std::string(key) + "' is negative (" + std::to_string(v.i) + ")");
    }
    return v.u;
}

float GgufFile::get_f32(std::string_view key) const {
    const auto& v = require(key);
    if (!v.is_float()) {
        wrong_type(key, v, "float32");
    }
    return static_cast<float>(v.f);
}

bool GgufFile::get_bool(std::string_view key) const {
    const auto& v = require(key);
    if (v.type != GgufValueType::Bool) {
        wrong_type(key, v, "bool");
    }
    return v.u != 0;
}

const std::vector<std::string_view>& GgufFile::get_string_array_view(std::string_view key) const {
    const auto& v = require(key);
    if (v.type != GgufValueType::Array || v.element_type != GgufValueType::String) {
        wrong_type(key, v, "array of string");
    }
    return v.strings;
}

std::vector<std::string> GgufFile::get_string_array(std::string_view key) const {
    const auto& views = get_string_array_view(key);
    return {views.begin(), views.end()};
}

std::vector<float> GgufFile::get_f32_array(std::string_view key) const {
    const auto& v = require(key);
    if (v.type != GgufValueType::Array || (v.element_type != GgufValueType::Float32 &&
                                           v.element_type != GgufValueType::Float64)) {
        wrong_type(key, v, "array of float32");
    }
    std::vector<float> out(static_cast<std::size_t>(v.count));
    const std::uint64_t size = scalar_size(v.element_type);
    for (std::size_t k = 0; k < out.size(); ++k) {
        GgufValue e;
        decode_scalar(v.element_type, v.elements.data() + k * size, e);
        out[k] = static_cast<float>(e.f);
    }
    return out;
}

std::vector<std::int32_t> GgufFile::get_i32_array(std::string_view key) const {
    const auto& v = require(key);
    if (v.type != GgufValueType::Array || !is_integer_type(v.element_type)) {
        wrong_type(key, v, "array of int32");
    }
    std::vector<std::int32_t> out(static_cast<std::size_t>(v.count));
    const std::uint64_t size = scalar_size(v.element_type);
    for (std::size_t k = 0; k < out.size(); ++k) {
        GgufValue e;
        e.type = v.element_type;
        decode_scalar(v.element_type, v.elements.data() + k * size, e);
        if (!fits<std::int32_t>(e)) {
            fail("metadata key '" + std::string(key) + "' element " + std::to_string(k) +
                 " does not fit int32");
        }
        out[k] = static_cast<std::int32_t>(e.i);
    }
    return out;
}

#define TERN_GGUF_FIND(Type, name, getter)                                                        \
    std::optional<Type> GgufFile::name(std::string_view key) const {                              \
        if (!has(key)) {                                                                           \
            return std::nullopt;                                                                   \
        }                                                                                          \
        return getter(key);                                                                        \
    }
TERN_GGUF_FIND(std::string, find_string, get_string)
TERN_GGUF_FIND(std::uint32_t, find_u32, get_u32)
TERN_GGUF_FIND(std::int32_t, find_i32, get_i32)
TERN_GGUF_FIND(std::uint64_t, find_u64, get_u64)
TERN_GGUF_FIND(float, find_f32, get_f32)
TERN_GGUF_FIND(bool, find_bool, get_bool)
TERN_GGUF_FIND(std::vector<std::string>, find_string_array, get_string_array)
TERN_GGUF_FIND(std::vector<float>, find_f32_array, get_f32_array)
TERN_GGUF_FIND(std::vector<std::int32_t>, find_i32_array, get_i32_array)
#undef TERN_GGUF_FIND

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
    const auto it = tensor_index_.find(std::string(name));
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const GgufTensorInfo& GgufFile::tensor(std::string_view name) const {
    const auto* t = find_tensor(name);
    if (t == nullptr) {
        fail("missing tensor '" + std::string(name) + "'");
    }
    return *t;
}

} // namespace tern::engine
