// Byte-level helpers shared by the tokenizers: UTF-8 validation and GPT-2's byte <-> unicode map.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::engine::tokenizer_detail {

// Length of the valid UTF-8 character starting at text[pos], or 0 when the bytes there are not
// one (bad lead byte, truncated or overlong sequence, surrogate, beyond U+10FFFF).
std::size_t valid_utf8_length(std::string_view text, std::size_t pos);

// Appends the UTF-8 encoding of `code_point` (must be <= 0x10FFFF and not a surrogate).
void append_utf8(std::string& out, char32_t code_point);

// GPT-2's byte-level alphabet: every byte is shown as a printable code point so that vocabulary
// files can store arbitrary bytes as text ("Ġ" is the space byte 0x20).
class ByteUnicodeMap {
public:
    ByteUnicodeMap();
    // The UTF-8 text of byte b in the GPT-2 alphabet.
    const std::string& encode(std::uint8_t b) const { return byte_to_text_[b]; }
    // A vocabulary string in the GPT-2 alphabet back to raw bytes; nullopt when it holds a
    // character outside the alphabet (added tokens such as "<|eot_id|>" are stored as is).
    std::optional<std::string> decode(std::string_view text) const;
    std::string encode(std::string_view bytes) const;

private:
    std::array<std::string, 256> byte_to_text_;
    std::array<std::int16_t, 324> code_point_to_byte_{}; // the alphabet stays below U+0144
};

const ByteUnicodeMap& byte_unicode_map();

} // namespace tern::engine::tokenizer_detail
