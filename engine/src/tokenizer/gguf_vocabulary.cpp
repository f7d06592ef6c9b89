// The tokenizer.ggml.* keys of a GGUF file as a Vocabulary. Only the metadata section is read
// (a full model's tensors are never touched), so this also serves vocabulary-only files.
#include "pretokenizer.h"
#include "tern/engine/tokenizer.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <variant>

namespace tern::engine {

namespace {

enum GgufType : std::uint32_t {
    kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7,
    kString = 8, kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12,
};

class MetadataReader {
public:
    explicit MetadataReader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
        if (!in_) throw Error(path + ": cannot open");
    }
    template <typename T> T scalar() {
        T value{};
        in_.read(reinterpret_cast<char*>(&value), sizeof value); // GGUF is little-endian
        if (!in_) fail("truncated metadata");
        return value;
    }
    std::string string() {
        const auto length = scalar<std::uint64_t>();
        if (length > (1u << 30)) fail("implausible string length " + std::to_string(length));
        std::string s(static_cast<std::size_t>(length), '\0');
        in_.read(s.data(), static_cast<std::streamsize>(length));
        if (!in_) fail("truncated string");
        return s;
    }
    // Reads a scalar of any numeric type as int64 / double.
    double number(std::uint32_t type) {
        switch (type) {
        case kU8: return scalar<std::uint8_t>();
        case kI8: return scalar<std::int8_t>();
        case kU16: return scalar<std::uint16_t>();
        case kI16: return scalar<std::int16_t>();
        case kU32: return scalar<std::uint32_t>();
        case kI32: return scalar<std::int32_t>();
        case kF32: return scalar<float>();
        case kBool: return scalar<std::uint8_t>() != 0;
        case kU64: return static_cast<double>(scalar<std::uint64_t>());
        case kI64: return static_cast<double>(scalar<std::int64_t>());
        case kF64: return scalar<double>();
        default: fail("value type " + std::to_string(type) + " is not a number");
        }
    }
    void skip(std::uint32_t type) {
        if (type == kString) {
            string();
        } else if (type == kArray) {
            const auto element = scalar<std::uint32_t>();
            const auto count = scalar<std::uint64_t>();
            for (std::uint64_t i = 0; i < count; ++i) skip(element);
        } else {
            number(type);
        }
    }
    [[noreturn]] void fail(const std::string& why) const {
        throw Error(path_ + ": bad GGUF metadata: " + why);
    }

private:
    std::string path_;
    std::ifstream in_;
};

} // namespace

Vocabulary vocabulary_from_gguf(const std::string& path) {
    MetadataReader reader(path);
    char magic[4];
    for (char& c : magic) c = static_cast<char>(reader.scalar<std::uint8_t>());
    if (std::memcmp(magic, "GGUF", 4) != 0) throw Error(path + ": not a GGUF file (bad magic)");
    const auto version = reader.scalar<std::uint32_t>();
    if (version != 2 && version != 3) {
        throw Error(path + ": GGUF version " + std::to_string(version) + " is not supported (2 or 3)");
    }
    reader.scalar<std::uint64_t>(); // tensor count
    const auto kv_count = reader.scalar<std::uint64_t>();
    if (kv_count > 1'000'000) reader.fail("implausible key count");

    Vocabulary v;
    bool has_model = false;
    bool has_add_bos = false;
    for (std::uint64_t i = 0; i < kv_count; ++i) {
        const std::string key = reader.string();
        const auto type = reader.scalar<std::uint32_t>();
        const auto expect = [&](bool ok, const char* what) {
            if (!ok) reader.fail(key + " should be " + what);
        };
        const auto read_id = [&]() -> Token {
            expect(type != kString && type != kArray, "a number");
            return static_cast<Token>(reader.number(type));
        };
        const auto read_flag = [&]() {
            expect(type == kBool, "a bool");
            return reader.number(type) != 0;
        };
        if (key == "tokenizer.ggml.model") {
            expect(type == kString, "a string");
            v.model = reader.string();
            has_model = true;
        } else if (key == "tokenizer.ggml.pre") {
            expect(type == kString, "a string");
            v.pre = reader.string();
        } else if (key == "tokenizer.chat_template") {
            expect(type == kString, "a string");
            v.chat_template = reader.string();
        } else if (key == "tokenizer.ggml.tokens" || key == "tokenizer.ggml.merges" ||
                   key == "tokenizer.ggml.scores" || key == "tokenizer.ggml.token_type") {
            expect(type == kArray, "an array");
            const auto element = reader.scalar<std::uint32_t>();
            const auto count = reader.scalar<std::uint64_t>();
            if (count > 10'000'000) reader.fail(key + " has an implausible length");
            if (key == "tokenizer.ggml.tokens" || key == "tokenizer.ggml.merges") {
                expect(element == kString, "an array of strings");
                auto& out = key == "tokenizer.ggml.tokens" ? v.tokens : v.merges;
                out.reserve(static_cast<std::size_t>(count));
                for (std::uint64_t j = 0; j < count; ++j) out.push_back(reader.string());
            } else if (key == "tokenizer.ggml.scores") {
                expect(element == kF32, "an array of float32");
                v.scores.reserve(static_cast<std::size_t>(count));
                for (std::uint64_t j = 0; j < count; ++j) v.scores.push_back(reader.scalar<float>());
            } else {
                expect(element == kI32 || element == kU32, "an array of int32");
                v.types.reserve(static_cast<std::size_t>(count));
                for (std::uint64_t j = 0; j < count; ++j) v.types.push_back(reader.scalar<std::int32_t>());
            }
        } else if (key == "tokenizer.ggml.bos_token_id") {
            v.bos = read_id();
        } else if (key == "tokenizer.ggml.eos_token_id") {
            v.eos = read_id();
        } else if (key == "tokenizer.ggml.unknown_token_id") {
            v.unk = read_id();
        } else if (key == "tokenizer.ggml.padding_token_id") {
            v.pad = read_id();
        } else if (key == "tokenizer.ggml.eot_token_id") {
            v.eot = read_id();
        } else if (key == "tokenizer.ggml.add_bos_token") {
            v.add_bos = read_flag();
            has_add_bos = true;
        } else if (key == "tokenizer.ggml.add_eos_token") {
            v.add_eos = read_flag();
        } else if (key == "tokenizer.ggml.add_space_prefix") {
            v.add_space_prefix = read_flag();
        } else {
            reader.skip(type);
        }
    }
    if (!has_model) throw Error(path + ": no tokenizer in this GGUF file (tokenizer.ggml.model missing)");
    if (v.tokens.empty()) throw Error(path + ": tokenizer.ggml.tokens is missing or empty");
    if (!v.types.empty() && v.types.size() != v.tokens.size()) {
        throw Error(path + ": tokenizer.ggml.token_type has " + std::to_string(v.types.size()) +
                    " entries for " + std::to_string(v.tokens.size()) + " tokens");
    }
    if (v.model == "llama") {
        if (!has_add_bos) v.add_bos = true; // SentencePiece models start with <s> unless told
    } else if (v.model == "gpt2") {
        bool ignore_merges = false;
        try {
            tokenizer_detail::pre_tokenizer_regexes(v.pre, ignore_merges);
        } catch (const Error& e) {
            throw Error(path + ": " + e.what());
        }
        v.ignore_merges = ignore_merges;
        if (!has_add_bos && ignore_merges) v.add_bos = true; // LLaMA-3 family
    }
    return v;
}

} // namespace tern::engine
