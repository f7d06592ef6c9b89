#include "sentencepiece_tokenizer.h"

#include <sentencepiece_processor.h>

namespace tern::engine::tokenizer_detail {

namespace {

// "<0x0A>" -> 0x0A; -1 when the text is not a byte token's name.
int byte_of_piece(const std::string& text) {
    if (text.size() != 6 || text.compare(0, 3, "<0x") != 0 || text[5] != '>') return -1;
    int value = 0;
    for (std::size_t i = 3; i < 5; ++i) {
        const char c = text[i];
        const int digit = c >= '0' && c <= '9' ? c - '0'
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

std::string spaces_for_meta(const std::string& text) {
    static const std::string kMetaSpace = "\xE2\x96\x81"; // U+2581, SentencePiece's space
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (text.compare(i, kMetaSpace.size(), kMetaSpace) == 0) {
            out += ' ';
            i += kMetaSpace.size();
        } else {
            out += text[i++];
        }
    }
    return out;
}

} // namespace

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& serialized_proto,
                                               const Vocabulary& vocabulary,
                                               const std::string& source)
    : processor_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {
    const auto status = processor_->LoadFromSerializedProto(serialized_proto);
    if (!status.ok()) {
        throw Error(source + ": the SentencePiece library rejects the model: " + status.ToString());
    }
    if (processor_->GetPieceSize() != static_cast<int>(vocabulary.tokens.size())) {
        throw Error(source + ": the SentencePiece model has " +
                    std::to_string(processor_->GetPieceSize()) + " pieces, expected " +
                    std::to_string(vocabulary.tokens.size()));
    }
    std::vector<std::string> pieces(vocabulary.tokens.size());
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const std::string& text = vocabulary.tokens[i];
        const auto type = i < vocabulary.types.size() ? static_cast<TokenType>(vocabulary.types[i])
                                                      : TokenType::Normal;
        const int byte = type == TokenType::Byte ? byte_of_piece(text) : -1;
        if (byte >= 0) {
            pieces[i] = std::string(1, static_cast<char>(byte));
        } else if (type == TokenType::Unknown) {
            pieces[i] = " \xE2\x81\x87 "; // " ⁇ ", how the library renders an unknown piece
        } else {
            pieces[i] = spaces_for_meta(text);
        }
    }
    init_common(vocabulary, std::move(pieces));
    strip_leading_space_ = vocabulary.add_space_prefix;
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

void SentencePieceTokenizer::encode_plain(std::string_view text, std::vector<Token>& out) const {
    std::vector<int> ids;
    const auto status = processor_->Encode(text, &ids);
    if (!status.ok()) throw Error("SentencePiece encode failed: " + status.ToString());
    out.insert(out.end(), ids.begin(), ids.end());
}

} // namespace tern::engine::tokenizer_detail
