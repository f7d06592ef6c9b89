#include "text_bytes.h"

namespace tern::engine::tokenizer_detail {

std::size_t valid_utf8_length(std::string_view text, std::size_t pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    char32_t code_point = 0;
    char32_t minimum = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, code_point = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, code_point = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, code_point = lead & 0x07, minimum = 0x10000;
    } else {
        return 0;
    }
    if (pos + length > text.size()) return 0;
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char continuation = byte(pos + i);
        if ((continuation & 0xC0) != 0x80) return 0;
        code_point = (code_point << 6) | (continuation & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF) return 0;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
    return length;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

ByteUnicodeMap::ByteUnicodeMap() {
    code_point_to_byte_.fill(-1);
    // Printable Latin-1 bytes stand for themselves; the others (controls, space, 0x7F-0xA0,
    // the soft hyphen) are moved to U+0100 onwards in byte order.
    char32_t next_extra = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
        const char32_t cp = printable ? static_cast<char32_t>(b) : next_extra++;
        append_utf8(byte_to_text_[static_cast<std::size_t>(b)], cp);
        code_point_to_byte_[cp] = static_cast<std::int16_t>(b);
    }
}

std::optional<std::string> ByteUnicodeMap::decode(std::string_view text) const {
    std::string bytes;
    bytes.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t length = valid_utf8_length(text, pos);
        if (length == 0 || length > 2) return std::nullopt;
        char32_t cp = static_cast<unsigned char>(text[pos]);
        if (length == 2) {
            cp = ((cp & 0x1F) << 6) | (static_cast<unsigned char>(text[pos + 1]) & 0x3F);
        }
        if (cp >= code_point_to_byte_.size() || code_point_to_byte_[cp] < 0) return std::nullopt;
        bytes += static_cast<char>(code_point_to_byte_[cp]);
        pos += length;
    }
    return bytes;
}

std::string ByteUnicodeMap::encode(std::string_view bytes) const {
    std::string text;
    text.reserve(bytes.size() * 2);
    for (const char c : bytes) text += byte_to_text_[static_cast<unsigned char>(c)];
    return text;
}

const ByteUnicodeMap& byte_unicode_map() {
    static const ByteUnicodeMap map;
    return map;
}

} // namespace tern::engine::tokenizer_detail
