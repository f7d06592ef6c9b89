// Sizes of ggml tensor types, with bitnet.cpp's I2_S special case, all overflow-checked.
#include "tern/engine/gguf.h"

#include <string>

namespace tern::engine {

namespace {

bool mul_overflows(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
    if (a != 0 && b > UINT64_MAX / a) {
        return true;
    }
    out = a * b;
    return false;
}

} // namespace

const char* value_type_name(GgufValueType type) {
    switch (type) {
    case GgufValueType::UInt8: return "uint8";
    case GgufValueType::Int8: return "int8";
    case GgufValueType::UInt16: return "uint16";
    case GgufValueType::Int16: return "int16";
    case GgufValueType::UInt32: return "uint32";
    case GgufValueType::Int32: return "int32";
    case GgufValueType::Float32: return "float32";
    case GgufValueType::Bool: return "bool";
    case GgufValueType::String: return "string";
    case GgufValueType::Array: return "array";
    case GgufValueType::UInt64: return "uint64";
    case GgufValueType::Int64: return "int64";
    case GgufValueType::Float64: return "float64";
    }
    return "unknown";
}

const char* tensor_type_name(TensorType type) {
    switch (type) {
    case TensorType::F32: return "F32";
    case TensorType::F16: return "F16";
    case TensorType::Q4_0: return "Q4_0";
    case TensorType::Q4_1: return "Q4_1";
    case TensorType::Q5_0: return "Q5_0";
    case TensorType::Q5_1: return "Q5_1";
    case TensorType::Q8_0: return "Q8_0";
    case TensorType::Q8_1: return "Q8_1";
    case TensorType::Q2_K: return "Q2_K";
    case TensorType::Q3_K: return "Q3_K";
    case TensorType::Q4_K: return "Q4_K";
    case TensorType::Q5_K: return "Q5_K";
    case TensorType::Q6_K: return "Q6_K";
    case TensorType::Q8_K: return "Q8_K";
    case TensorType::I8: return "I8";
    case TensorType::I16: return "I16";
    case TensorType::I32: return "I32";
    case TensorType::I64: return "I64";
    case TensorType::F64: return "F64";
    case TensorType::BF16: return "BF16";
    case TensorType::TQ1_0: return "TQ1_0";
    case TensorType::TQ2_0: return "TQ2_0";
    case TensorType::I2_S: return "I2_S";
    }
    return nullptr;
}

std::optional<TensorTypeTraits> tensor_type_traits(TensorType type) {
    switch (type) {
    case TensorType::F32: return TensorTypeTraits{1, 4};
    case TensorType::F16: return TensorTypeTraits{1, 2};
    case TensorType::Q4_0: return TensorTypeTraits{32, 18};
    case TensorType::Q4_1: return TensorTypeTraits{32, 20};
    case TensorType::Q5_0: return TensorTypeTraits{32, 22};
    case TensorType::Q5_1: return TensorTypeTraits{32, 24};
    case TensorType::Q8_0: return TensorTypeTraits{32, 34};
    case TensorType::Q8_1: return TensorTypeTraits{32, 36};
    case TensorType::Q2_K: return TensorTypeTraits{256, 84};
    case TensorType::Q3_K: return TensorTypeTraits{256, 110};
    case TensorType::Q4_K: return TensorTypeTraits{256, 144};
    case TensorType::Q5_K: return TensorTypeTraits{256, 176};
    case TensorType::Q6_K: return TensorTypeTraits{256, 210};
    case TensorType::Q8_K: return TensorTypeTraits{256, 292};
    case TensorType::I8: return TensorTypeTraits{1, 1};
    case TensorType::I16: return TensorTypeTraits{1, 2};
    case TensorType::I32: return TensorTypeTraits{1, 4};
    case TensorType::I64: return TensorTypeTraits{1, 8};
    case TensorType::F64: return TensorTypeTraits{1, 8};
    case TensorType::BF16: return TensorTypeTraits{1, 2};
    case TensorType::TQ1_0: return TensorTypeTraits{256, 54};
    case TensorType::TQ2_0: return TensorTypeTraits{256, 66};
    case TensorType::I2_S: return TensorTypeTraits{4, 1}; // plus the 32-byte tail per tensor
    }
    return std::nullopt;
}

std::optional<std::uint64_t> tensor_size_bytes(TensorType type, std::span<const std::uint64_t> ne,
                                               std::string* why) {
    auto fail = [&](std::string reason) -> std::optional<std::uint64_t> {
        if (why != nullptr) {
            *why = std::move(reason);
        }
        return std::nullopt;
    };
    const auto traits = tensor_type_traits(type);
    if (!traits) {
        return fail("unknown tensor type id " + std::to_string(static_cast<std::uint32_t>(type)));
    }
    if (ne.empty()) {
        return fail("a tensor needs at least one dimension");
    }
    std::uint64_t rows = 1;
    for (std::size_t d = 1; d < ne.size(); ++d) {
        if (mul_overflows(rows, ne[d], rows)) {
            return fail("the element count overflows 64 bits");
        }
    }
    if (ne[0] % traits->block_elements != 0) {
        return fail(std::string("rows of ") + std::to_string(ne[0]) + " elements are not a multiple of " +
                    tensor_type_name(type) + "'s block of " + std::to_string(traits->block_elements));
    }
    std::uint64_t row_bytes = 0;
    if (mul_overflows(ne[0] / traits->block_elements, traits->block_bytes, row_bytes)) {
        return fail("the size overflows 64 bits");
    }
    std::uint64_t bytes = 0;
    if (mul_overflows(rows, row_bytes, bytes)) {
        return fail("the size overflows 64 bits");
    }
    if (type == TensorType::I2_S) {
        // One f32 scale for the whole tensor after the codes, padded to 32 bytes.
        if (bytes > UINT64_MAX - 32) {
            return fail("the size overflows 64 bits");
        }
        bytes += 32;
    }
    return bytes;
}

} // namespace tern::engine
