// GGUF v3 writer: metadata and tensor infos are buffered (small), tensor data is streamed.
#include "tern/engine/gguf.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace tern::engine {

namespace {

constexpr std::uint32_t kMagic = 0x46554747;
constexpr std::uint32_t kVersion = 3;

template <class T> void append(std::vector<std::uint8_t>& out, const T& value) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
    out.insert(out.end(), p, p + sizeof(T));
}

void append_string(std::vector<std::uint8_t>& out, std::string_view s) {
    append(out, static_cast<std::uint64_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
}

std::filesystem::path to_fs_path(const std::string& utf8) {
    return std::filesystem::path(std::u8string(reinterpret_cast<const char8_t*>(utf8.data()), utf8.size()));
}

} // namespace

GgufWriter::GgufWriter(std::string path, std::uint32_t alignment)
    : path_(std::move(path)), part_path_(path_ + ".part"), alignment_(alignment) {
    if (alignment_ == 0 || (alignment_ & (alignment_ - 1)) != 0) {
        fail("the alignment must be a power of two, not " + std::to_string(alignment_));
    }
    if (alignment_ != 32) {
        set_u32("general.alignment", alignment_);
    }
}

GgufWriter::~GgufWriter() {
    if (file_ != nullptr) {
        std::fclose(file_);
    }
    if (!finished_ && header_written_) {
        std::error_code ignored;
        std::filesystem::remove(to_fs_path(part_path_), ignored);
    }
}

void GgufWriter::fail(const std::string& what) const { throw Error(path_ + ": " + what); }

void GgufWriter::begin_value(std::string_view key, GgufValueType type) {
    if (header_written_) {
        fail("metadata key '" + std::string(key) + "' set after tensor data started");
    }
    if (!keys_.insert(std::string(key)).second) {
        fail("metadata key '" + std::string(key) + "' set twice");
    }
    append_string(metadata_, key);
    append(metadata_, static_cast<std::uint32_t>(type));
    ++kv_count_;
}

void GgufWriter::set_string(std::string_view key, std::string_view value) {
    begin_value(key, GgufValueType::String);
    append_string(metadata_, value);
}

#define TERN_GGUF_SET(name, CType, Tag)                                                            \
    void GgufWriter::name(std::string_view key, CType value) {                                     \
        begin_value(key, GgufValueType::Tag);                                                      \
        append(metadata_, value);                                                                  \
    }
TERN_GGUF_SET(set_u8, std::uint8_t, UInt8)
TERN_GGUF_SET(set_i8, std::int8_t, Int8)
TERN_GGUF_SET(set_u16, std::uint16_t, UInt16)
TERN_GGUF_SET(set_i16, std::int16_t, Int16)
TERN_GGUF_SET(set_u32, std::uint32_t, UInt32)
TERN_GGUF_SET(set_i32, std::int32_t, Int32)
TERN_GGUF_SET(set_u64, std::uint64_t, UInt64)
TERN_GGUF_SET(set_i64, std::int64_t, Int64)
TERN_GGUF_SET(set_f32, float, Float32)
TERN_GGUF_SET(set_f64, double, Float64)
#undef TERN_GGUF_SET

void GgufWriter::set_bool(std::string_view key, bool value) {
    begin_value(key, GgufValueType::Bool);
    append(metadata_, static_cast<std::uint8_t>(value ? 1 : 0));
}

void GgufWriter::set_string_array(std::string_view key, std::span<const std::string> values) {
    begin_value(key, GgufValueType::Array);
    append(metadata_, static_cast<std::uint32_t>(GgufValueType::String));
    append(metadata_, static_cast<std::uint64_t>(values.size()));
    for (const auto& s : values) {
        append_string(metadata_, s);
    }
}

void GgufWriter::set_f32_array(std::string_view key, std::span<const float> values) {
    begin_value(key, GgufValueType::Array);
    append(metadata_, static_cast<std::uint32_t>(GgufValueType::Float32));
    append(metadata_, static_cast<std::uint64_t>(values.size()));
    for (float f : values) {
        append(metadata_, f);
    }
}

void GgufWriter::set_i32_array(std::string_view key, std::span<const std::int32_t> values) {
    begin_value(key, GgufValueType::Array);
    append(metadata_, static_cast<std::uint32_t>(GgufValueType::Int32));
    append(metadata_, static_cast<std::uint64_t>(values.size()));
    for (std::int32_t v : values) {
        append(metadata_, v);
    }
}

void GgufWriter::copy_value(std::string_view key, const GgufValue& value) {
    if (value.raw.empty()) {
        fail("metadata key '" + std::string(key) + "': the value to copy has no encoded bytes");
    }
    begin_value(key, value.type);
    metadata_.insert(metadata_.end(), value.raw.begin(), value.raw.end());
}

void GgufWriter::add_tensor(std::string_view name, TensorType type, std::span<const std::uint64_t> ne) {
    const std::string n(name);
    if (header_written_) {
        fail("tensor '" + n + "' declared after tensor data started");
    }
    if (ne.empty() || ne.size() > 4) {
        fail("tensor '" + n + "' needs 1 to 4 dimensions, not " + std::to_string(ne.size()));
    }
    std::string why;
    const auto size = tensor_size_bytes(type, ne, &why);
    if (!size) {
        fail("tensor '" + n + "': " + why);
    }
    if (!tensor_names_.insert(n).second) {
        fail("tensor '" + n + "' declared twice");
    }
    const std::uint64_t offset = data_size_;
    const std::uint64_t padded = (*size + alignment_ - 1) / alignment_ * alignment_;
    data_size_ += padded;
    tensors_.push_back({n, type, std::vector<std::uint64_t>(ne.begin(), ne.end()), *size, offset});
}

void GgufWriter::write_raw(const void* data, std::size_t size) {
    if (size != 0 && std::fwrite(data, 1, size, file_) != size) {
        fail(std::string("write failed: ") + std::strerror(errno));
    }
    written_ += size;
}

void GgufWriter::pad_to_alignment() {
    static const std::uint8_t zeros[256] = {};
    std::uint64_t pad = (alignment_ - written_ % alignment_) % alignment_;
    while (pad > 0) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(pad, sizeof zeros));
        write_raw(zeros, n);
        pad -= n;
    }
}

void GgufWriter::write_header() {
    file_ = std::fopen(part_path_.c_str(), "wb");
#ifdef _WIN32
    if (file_ == nullptr) {
        file_ = _wfopen(to_fs_path(part_path_).c_str(), L"wb");
    }
#endif
    if (file_ == nullptr) {
        fail(std::string("cannot create ") + part_path_ + ": " + std::strerror(errno));
    }
    header_written_ = true;
    std::vector<std::uint8_t> head;
    append(head, kMagic);
    append(head, kVersion);
    append(head, static_cast<std::uint64_t>(tensors_.size()));
    append(head, kv_count_);
    write_raw(head.data(), head.size());
    write_raw(metadata_.data(), metadata_.size());
    metadata_.clear();
    metadata_.shrink_to_fit();
    std::vector<std::uint8_t> infos;
    for (const auto& t : tensors_) {
        append_string(infos, t.name);
        append(infos, static_cast<std::uint32_t>(t.ne.size()));
        for (auto d : t.ne) {
            append(infos, d);
        }
        append(infos, static_cast<std::uint32_t>(t.type));
        append(infos, t.offset);
    }
    write_raw(infos.data(), infos.size());
    pad_to_alignment();
    current_ = 0;
    current_written_ = 0;
}

void GgufWriter::write_tensor_data(std::span<const std::uint8_t> bytes) {
    if (finished_) {
        fail("tensor data written after finish()");
    }
    if (!header_written_) {
        write_header();
    }
    while (!bytes.empty()) {
        if (current_ >= tensors_.size()) {
            fail("more tensor data written than the declared tensors hold");
        }
        const auto& t = tensors_[current_];
        const std::uint64_t left = t.size - current_written_;
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, bytes.size()));
        write_raw(bytes.data(), n);
        current_written_ += n;
        bytes = bytes.subspan(n);
        if (current_written_ == t.size) {
            pad_to_alignment();
            ++current_;
            current_written_ = 0;
        }
    }
}

void GgufWriter::finish() {
    if (finished_) {
        return;
    }
    if (!header_written_) {
        write_header();
    }
    // Zero-sized tensors complete without any data call.
    while (current_ < tensors_.size() && tensors_[current_].size == 0) {
        ++current_;
    }
    if (current_ != tensors_.size()) {
        const auto& t = tensors_[current_];
        fail("tensor '" + t.name + "' got " + std::to_string(current_written_) + " of its " +
             std::to_string(t.size) + " bytes before finish()");
    }
    const bool flushed = std::fflush(file_) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!flushed || !closed) {
        fail(std::string("write failed: ") + std::strerror(errno));
    }
    std::error_code ec;
    std::filesystem::rename(to_fs_path(part_path_), to_fs_path(path_), ec);
    if (ec) {
        fail("cannot rename " + part_path_ + " into place: " + ec.message());
    }
    finished_ = true;
}

} // namespace tern::engine
