// Validation of a safetensors header: everything a malformed or truncated download can get wrong
// is caught here, before any tensor byte is touched.
#include "tern/engine/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

namespace tern::engine {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian port needs byte swapping here");

namespace {

// The reference implementation caps headers at 100 MB; a bigger one is corruption, not a model.
constexpr std::uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw Error(path + ": " + what);
}

std::optional<SafetensorsDtype> dtype_from_name(std::string_view name) {
    if (name == "F32") return SafetensorsDtype::F32;
    if (name == "F16") return SafetensorsDtype::F16;
    if (name == "BF16") return SafetensorsDtype::BF16;
    if (name == "U8") return SafetensorsDtype::U8;
    if (name == "I8") return SafetensorsDtype::I8;
    return std::nullopt;
}

std::uint64_t as_u64(const nlohmann::json& value, const std::string& path, const std::string& what) {
    if (!value.is_number_unsigned()) {
        fail(path, what + " is not a non-negative integer: " + value.dump());
    }
    return value.get<std::uint64_t>();
}

SafetensorsTensor parse_entry(const std::string& name, const nlohmann::json& entry,
                              const std::string& path) {
    const std::string where = "tensor '" + name + "'";
    if (!entry.is_object()) fail(path, where + ": header entry is not an object");
    const auto dtype_it = entry.find("dtype");
    const auto shape_it = entry.find("shape");
    const auto offsets_it = entry.find("data_offsets");
    if (dtype_it == entry.end() || !dtype_it->is_string()) fail(path, where + ": missing dtype");
    if (shape_it == entry.end() || !shape_it->is_array()) fail(path, where + ": missing shape");
    if (offsets_it == entry.end() || !offsets_it->is_array() || offsets_it->size() != 2) {
        fail(path, where + ": data_offsets must be [begin, end]");
    }
    SafetensorsTensor tensor;
    tensor.name = name;
    tensor.file = path;
    const auto dtype_name = dtype_it->get<std::string>();
    const auto dtype = dtype_from_name(dtype_name);
    if (!dtype) {
        fail(path, where + " has unsupported dtype '" + dtype_name +
                       "' (supported: F32, F16, BF16, U8, I8)");
    }
    tensor.dtype = *dtype;
    std::uint64_t elements = 1;
    for (const auto& dim : *shape_it) {
        const std::uint64_t d = as_u64(dim, path, where + ": a shape dimension");
        if (d != 0 && elements > std::numeric_limits<std::uint64_t>::max() / d) {
            fail(path, where + ": shape " + shape_it->dump() + " overflows");
        }
        elements *= d;
        tensor.shape.push_back(d);
    }
    tensor.elements = elements;
    const std::uint64_t begin = as_u64((*offsets_it)[0], path, where + ": data_offsets[0]");
    const std::uint64_t end = as_u64((*offsets_it)[1], path, where + ": data_offsets[1]");
    if (end < begin) {
        fail(path, where + ": data_offsets [" + std::to_string(begin) + ", " +
                       std::to_string(end) + "] end before they begin");
    }
    const std::uint64_t element_size = safetensors_dtype_size(tensor.dtype);
    if (elements > std::numeric_limits<std::uint64_t>::max() / element_size ||
        elements * element_size != end - begin) {
        fail(path, where + ": shape " + shape_it->dump() + " of " + dtype_name + " needs " +
                       std::to_string(elements) + " x " + std::to_string(element_size) +
                       " bytes but data_offsets give " + std::to_string(end - begin));
    }
    tensor.file_begin = begin; // relative to the data section until the caller shifts it
    tensor.file_end = end;
    return tensor;
}

} // namespace

const char* safetensors_dtype_name(SafetensorsDtype dtype) {
    switch (dtype) {
    case SafetensorsDtype::F32: return "F32";
    case SafetensorsDtype::F16: return "F16";
    case SafetensorsDtype::BF16: return "BF16";
    case SafetensorsDtype::U8: return "U8";
    case SafetensorsDtype::I8: return "I8";
    }
    return "?";
}

std::size_t safetensors_dtype_size(SafetensorsDtype dtype) {
    switch (dtype) {
    case SafetensorsDtype::F32: return 4;
    case SafetensorsDtype::F16:
    case SafetensorsDtype::BF16: return 2;
    case SafetensorsDtype::U8:
    case SafetensorsDtype::I8: return 1;
    }
    return 1;
}

SafetensorsHeader parse_safetensors_header(std::span<const std::uint8_t> file_bytes,
                                           const std::string& path) {
    if (file_bytes.size() < 8) {
        fail(path, "truncated: " + std::to_string(file_bytes.size()) +
                       " bytes, too short for the 8-byte header length");
    }
    std::uint64_t header_len = 0;
    std::memcpy(&header_len, file_bytes.data(), 8);
    const std::uint64_t file_size = file_bytes.size();
    if (header_len > file_size - 8) {
        fail(path, "header length " + std::to_string(header_len) +
                       " runs beyond the end of the file (" + std::to_string(file_size) +
                       " bytes): truncated or not a safetensors file");
    }
    if (header_len > kMaxHeaderBytes) {
        fail(path, "header length " + std::to_string(header_len) + " exceeds the 100 MB limit");
    }
    const auto* header_begin = reinterpret_cast<const char*>(file_bytes.data() + 8);
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(header_begin, header_begin + header_len);
    } catch (const nlohmann::json::exception& e) {
        fail(path, std::string("header is not valid JSON: ") + e.what());
    }
    if (!json.is_object()) fail(path, "header is not a JSON object");

    SafetensorsHeader header;
    header.data_begin = 8 + header_len;
    const std::uint64_t data_size = file_size - header.data_begin;
    for (const auto& [name, entry] : json.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) fail(path, "__metadata__ is not an object");
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string()) fail(path, "__metadata__ value '" + key + "' is not a string");
                header.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        SafetensorsTensor tensor = parse_entry(name, entry, path);
        if (tensor.file_end > data_size) {
            fail(path, "tensor '" + name + "' data ends at byte " + std::to_string(tensor.file_end) +
                           " of the data section, which holds only " + std::to_string(data_size) +
                           " bytes: the file is truncated or its offsets are out of range");
        }
        tensor.file_begin += header.data_begin;
        tensor.file_end += header.data_begin;
        header.tensors.push_back(std::move(tensor));
    }
    std::sort(header.tensors.begin(), header.tensors.end(),
              [](const SafetensorsTensor& a, const SafetensorsTensor& b) {
                  return a.file_begin != b.file_begin ? a.file_begin < b.file_begin
                                                      : a.file_end < b.file_end;
              });
    for (std::size_t i = 1; i < header.tensors.size(); ++i) {
        const auto& prev = header.tensors[i - 1];
        const auto& cur = header.tensors[i];
        // Empty tensors occupy no bytes and cannot overlap anything.
        if (cur.file_begin < prev.file_end && cur.file_end > cur.file_begin) {
            fail(path, "tensors '" + prev.name + "' and '" + cur.name + "' overlap (bytes " +
                           std::to_string(cur.file_begin - header.data_begin) + ".." +
                           std::to_string(prev.file_end - header.data_begin) +
                           " of the data section)");
        }
    }
    return header;
}

float safetensors_read_float(const SafetensorsTensor& tensor, std::uint64_t i) {
    if (i >= tensor.elements) {
        throw Error(tensor.file + ": element " + std::to_string(i) + " of tensor '" + tensor.name +
                    "' is out of range");
    }
    switch (tensor.dtype) {
    case SafetensorsDtype::F32: {
        float f;
        std::memcpy(&f, tensor.bytes.data() + i * 4, 4);
        return f;
    }
    case SafetensorsDtype::BF16: {
        std::uint16_t h;
        std::memcpy(&h, tensor.bytes.data() + i * 2, 2);
        return std::bit_cast<float>(static_cast<std::uint32_t>(h) << 16);
    }
    case SafetensorsDtype::F16: {
        std::uint16_t h;
        std::memcpy(&h, tensor.bytes.data() + i * 2, 2);
        const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
        const std::uint32_t exp = (h >> 10) & 0x1fu;
        const std::uint32_t mant = h & 0x3ffu;
        if (exp == 0) { // zero or subnormal: mant * 2^-24
            const float v = static_cast<float>(mant) * 5.9604644775390625e-8f;
            return sign ? -v : v;
        }
        if (exp == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
        return std::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
    }
    case SafetensorsDtype::U8: return static_cast<float>(tensor.bytes[i]);
    case SafetensorsDtype::I8: return static_cast<float>(static_cast<std::int8_t>(tensor.bytes[i]));
    }
    return 0.0f;
}

} // namespace tern::engine
