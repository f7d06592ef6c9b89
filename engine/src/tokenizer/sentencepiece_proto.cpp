#include "sentencepiece_proto.h"

#include <cstdint>
#include <cstring>

namespace tern::engine::tokenizer_detail {

namespace {

enum WireType : std::uint32_t { kVarint = 0, kFixed64 = 1, kLength = 2, kFixed32 = 5 };

// ModelProto and its sub-messages (sentencepiece_model.proto).
constexpr std::uint32_t kModelPieces = 1, kModelTrainerSpec = 2, kModelNormalizerSpec = 3;
constexpr std::uint32_t kPieceText = 1, kPieceScore = 2, kPieceType = 3;
constexpr std::uint32_t kTrainerModelType = 3, kTrainerVocabSize = 4, kTrainerByteFallback = 35,
                        kTrainerUnkId = 40, kTrainerBosId = 41, kTrainerEosId = 42,
                        kTrainerPadId = 43;
constexpr std::uint32_t kNormalizerName = 1, kNormalizerAddDummyPrefix = 3,
                        kNormalizerRemoveExtraWhitespaces = 4, kNormalizerEscapeWhitespaces = 5;
constexpr std::int64_t kModelTypeBpe = 2;

class Writer {
public:
    void varint(std::uint64_t value) {
        while (value >= 0x80) {
            out_ += static_cast<char>((value & 0x7F) | 0x80);
            value >>= 7;
        }
        out_ += static_cast<char>(value);
    }
    void key(std::uint32_t field, WireType type) { varint((std::uint64_t{field} << 3) | type); }
    // int32 fields: negative values are sign-extended to 64 bits, as protobuf does.
    void int_field(std::uint32_t field, std::int64_t value) {
        key(field, kVarint);
        varint(static_cast<std::uint64_t>(value));
    }
    void float_field(std::uint32_t field, float value) {
        key(field, kFixed32);
        std::uint32_t bits = 0;
        std::memcpy(&bits, &value, sizeof bits);
        for (int i = 0; i < 4; ++i) out_ += static_cast<char>((bits >> (8 * i)) & 0xFF);
    }
    void bytes_field(std::uint32_t field, std::string_view bytes) {
        key(field, kLength);
        varint(bytes.size());
        out_.append(bytes);
    }
    std::string& str() { return out_; }

private:
    std::string out_;
};

class Reader {
public:
    Reader(std::string_view data, const std::string& source) : data_(data), source_(source) {}
    bool done() const { return pos_ >= data_.size(); }
    std::uint64_t varint() {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos_ >= data_.size()) fail("truncated varint");
            const auto byte = static_cast<unsigned char>(data_[pos_++]);
            value |= std::uint64_t{byte & 0x7Fu} << shift;
            if ((byte & 0x80) == 0) return value;
        }
        fail("overlong varint");
    }
    // Reads a key; returns the field number and sets `type`.
    std::uint32_t key(WireType& type) {
        const std::uint64_t k = varint();
        type = static_cast<WireType>(k & 7);
        return static_cast<std::uint32_t>(k >> 3);
    }
    std::string_view bytes() {
        const std::uint64_t length = varint();
        if (length > data_.size() - pos_) fail("length runs past the end");
        const std::string_view out = data_.substr(pos_, static_cast<std::size_t>(length));
        pos_ += static_cast<std::size_t>(length);
        return out;
    }
    float fixed32_float() {
        if (data_.size() - pos_ < 4) fail("truncated float");
        std::uint32_t bits = 0;
        for (int i = 0; i < 4; ++i) bits |= std::uint32_t{static_cast<unsigned char>(data_[pos_++])} << (8 * i);
        float value = 0;
        std::memcpy(&value, &bits, sizeof value);
        return value;
    }
    void skip(WireType type) {
        switch (type) {
        case kVarint: varint(); return;
        case kFixed64: advance(8); return;
        case kLength: bytes(); return;
        case kFixed32: advance(4); return;
        default: fail("unsupported wire type " + std::to_string(static_cast<int>(type)));
        }
    }
    [[noreturn]] void fail(const std::string& why) const {
        throw Error(source_ + ": not a SentencePiece model (" + why + " at byte " +
                    std::to_string(pos_) + ")");
    }

private:
    void advance(std::size_t n) {
        if (data_.size() - pos_ < n) fail("truncated field");
        pos_ += n;
    }
    std::string_view data_;
    const std::string& source_;
    std::size_t pos_ = 0;
};

} // namespace

std::string sentencepiece_model_proto(const Vocabulary& vocabulary) {
    Writer model;
    bool has_bytes = false;
    for (std::size_t i = 0; i < vocabulary.tokens.size(); ++i) {
        const std::int32_t type = i < vocabulary.types.size() ? vocabulary.types[i] : 1;
        has_bytes = has_bytes || type == static_cast<std::int32_t>(TokenType::Byte);
        Writer piece;
        piece.bytes_field(kPieceText, vocabulary.tokens[i]);
        piece.float_field(kPieceScore, i < vocabulary.scores.size() ? vocabulary.scores[i] : 0.0f);
        // The library has no "undefined" type: such tokens are ordinary ones.
        piece.int_field(kPieceType, type == 0 ? 1 : type);
        model.bytes_field(kModelPieces, piece.str());
    }
    Writer trainer;
    trainer.int_field(kTrainerModelType, kModelTypeBpe);
    trainer.int_field(kTrainerVocabSize, static_cast<std::int64_t>(vocabulary.tokens.size()));
    trainer.int_field(kTrainerByteFallback, has_bytes ? 1 : 0);
    trainer.int_field(kTrainerUnkId, vocabulary.unk);
    trainer.int_field(kTrainerBosId, vocabulary.bos);
    trainer.int_field(kTrainerEosId, vocabulary.eos);
    trainer.int_field(kTrainerPadId, vocabulary.pad);
    model.bytes_field(kModelTrainerSpec, trainer.str());
    Writer normalizer;
    normalizer.bytes_field(kNormalizerName, "identity");
    normalizer.int_field(kNormalizerAddDummyPrefix, vocabulary.add_space_prefix ? 1 : 0);
    normalizer.int_field(kNormalizerRemoveExtraWhitespaces, 0);
    normalizer.int_field(kNormalizerEscapeWhitespaces, 1);
    model.bytes_field(kModelNormalizerSpec, normalizer.str());
    return std::move(model.str());
}

Vocabulary vocabulary_from_model_proto(std::string_view proto, const std::string& source) {
    Vocabulary vocabulary;
    vocabulary.model = "llama";
    // proto2 defaults of sentencepiece_model.proto.
    vocabulary.unk = 0;
    vocabulary.bos = 1;
    vocabulary.eos = 2;
    vocabulary.pad = -1;
    vocabulary.add_space_prefix = true;
    vocabulary.add_bos = true;
    std::int64_t model_type = 1;
    Reader reader(proto, source);
    WireType type{};
    while (!reader.done()) {
        const std::uint32_t field = reader.key(type);
        if (field == kModelPieces && type == kLength) {
            Reader piece(reader.bytes(), source);
            std::string text;
            float score = 0;
            std::int32_t piece_type = 1;
            while (!piece.done()) {
                WireType t{};
                const std::uint32_t f = piece.key(t);
                if (f == kPieceText && t == kLength) text = std::string(piece.bytes());
                else if (f == kPieceScore && t == kFixed32) score = piece.fixed32_float();
                else if (f == kPieceType && t == kVarint) piece_type = static_cast<std::int32_t>(piece.varint());
                else piece.skip(t);
            }
            vocabulary.tokens.push_back(std::move(text));
            vocabulary.scores.push_back(score);
            vocabulary.types.push_back(piece_type);
        } else if (field == kModelTrainerSpec && type == kLength) {
            Reader trainer(reader.bytes(), source);
            while (!trainer.done()) {
                WireType t{};
                const std::uint32_t f = trainer.key(t);
                if (t != kVarint) {
                    trainer.skip(t);
                    continue;
                }
                const auto value = static_cast<std::int32_t>(trainer.varint());
                if (f == kTrainerModelType) model_type = value;
                else if (f == kTrainerUnkId) vocabulary.unk = value;
                else if (f == kTrainerBosId) vocabulary.bos = value;
                else if (f == kTrainerEosId) vocabulary.eos = value;
                else if (f == kTrainerPadId) vocabulary.pad = value;
            }
        } else if (field == kModelNormalizerSpec && type == kLength) {
            Reader normalizer(reader.bytes(), source);
            while (!normalizer.done()) {
                WireType t{};
                const std::uint32_t f = normalizer.key(t);
                if (f == kNormalizerAddDummyPrefix && t == kVarint) {
                    vocabulary.add_space_prefix = normalizer.varint() != 0;
                } else {
                    normalizer.skip(t);
                }
            }
        } else {
            reader.skip(type);
        }
    }
    if (vocabulary.tokens.empty()) reader.fail("no pieces");
    if (model_type != kModelTypeBpe && model_type != 1) {
        throw Error(source + ": SentencePiece model type " + std::to_string(model_type) +
                    " is not supported (only BPE and unigram)");
    }
    return vocabulary;
}

} // namespace tern::engine::tokenizer_detail
