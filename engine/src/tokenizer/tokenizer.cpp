// The parts every tokenizer shares: special-token splitting, pieces, decoding, end-of-turn ids.
#include "tern/engine/tokenizer.h"

#include "flat_index.h"

#include <algorithm>
#include <array>
#include <tuple>
#include <unordered_map>

namespace tern::engine {

namespace {

// Finds whole special tokens in text, longest first at each position.
class SpecialMatcher {
public:
    void add(const std::string& text, Token id) {
        if (text.empty()) return;
        by_first_byte_[static_cast<unsigned char>(text[0])].push_back({text, id});
    }
    void finish() {
        for (auto& bucket : by_first_byte_) {
            std::stable_sort(bucket.begin(), bucket.end(), [](const Entry& a, const Entry& b) {
                return a.text.size() > b.text.size();
            });
        }
    }
    bool empty() const {
        return std::all_of(by_first_byte_.begin(), by_first_byte_.end(),
                           [](const auto& bucket) { return bucket.empty(); });
    }
    // The token starting at text[pos], with its length; {-1, 0} when none.
    std::pair<Token, std::size_t> match(std::string_view text, std::size_t pos) const {
        for (const Entry& entry : by_first_byte_[static_cast<unsigned char>(text[pos])]) {
            if (text.compare(pos, entry.text.size(), entry.text) == 0) {
                return {entry.id, entry.text.size()};
            }
        }
        return {-1, 0};
    }

private:
    struct Entry {
        std::string text;
        Token id;
    };
    std::array<std::vector<Entry>, 256> by_first_byte_;
};

} // namespace

struct Tokenizer::Lookup {
    tokenizer_detail::StringIndex id_of_text;
    SpecialMatcher user_defined; // always matched
    SpecialMatcher special;      // user-defined and control tokens, with parse_special
};

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;

void Tokenizer::init_common(const Vocabulary& vocabulary, std::vector<std::string> pieces) {
    model_ = vocabulary.model;
    texts_ = vocabulary.tokens;
    pieces_ = std::move(pieces);
    types_.assign(texts_.size(), TokenType::Normal);
    for (std::size_t i = 0; i < vocabulary.types.size() && i < types_.size(); ++i) {
        types_[i] = static_cast<TokenType>(vocabulary.types[i]);
    }
    auto lookup = std::make_unique<Lookup>();
    lookup->id_of_text.reserve(texts_.size());
    for (std::size_t i = 0; i < texts_.size(); ++i) {
        const auto id = static_cast<Token>(i);
        lookup->id_of_text.insert(texts_[i], id);
        if (types_[i] == TokenType::UserDefined) {
            lookup->user_defined.add(pieces_[i], id);
            lookup->special.add(pieces_[i], id);
        } else if (types_[i] == TokenType::Control) {
            lookup->special.add(texts_[i], id);
        }
    }
    lookup->user_defined.finish();
    lookup->special.finish();
    lookup_ = std::move(lookup);

    const auto valid = [&](Token id) { return id >= 0 && id < vocab_size() ? id : Token{-1}; };
    bos_ = valid(vocabulary.bos);
    eos_ = valid(vocabulary.eos);
    eot_ = valid(vocabulary.eot);
    add_bos_ = vocabulary.add_bos && bos_ >= 0;
    chat_template_ = vocabulary.chat_template;
    // Tokens that end a reply in the chat formats we know, whatever the vocabulary calls eos.
    static const char* const kEndOfTurn[] = {"<|eot_id|>", "<|end_of_text|>", "<|eom_id|>",
                                             "<|im_end|>", "<|endoftext|>", "<end_of_turn>",
                                             "</s>"};
    if (eot_ < 0) {
        for (const char* name : {"<|eot_id|>", "<|im_end|>", "<end_of_turn>"}) {
            const Token id = find_token(name);
            if (id >= 0 && types_[static_cast<std::size_t>(id)] == TokenType::Control) {
                eot_ = id;
                break;
            }
        }
    }
    for (const Token id : {eos_, eot_}) {
        if (id >= 0) end_of_generation_.push_back(id);
    }
    for (const char* name : kEndOfTurn) {
        const Token id = find_token(name);
        if (id >= 0 && types_[static_cast<std::size_t>(id)] == TokenType::Control) {
            end_of_generation_.push_back(id);
        }
    }
    std::sort(end_of_generation_.begin(), end_of_generation_.end());
    end_of_generation_.erase(std::unique(end_of_generation_.begin(), end_of_generation_.end()),
                             end_of_generation_.end());
}

std::vector<Token> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
    return encode_parts(text, add_bos, parse_special, {});
}

std::vector<Token> Tokenizer::encode_chat(
    std::string_view text, bool add_bos,
    std::span<const std::pair<std::size_t, std::size_t>> plain_ranges) const {
    return encode_parts(text, add_bos, true, plain_ranges);
}

std::vector<Token> Tokenizer::encode_parts(
    std::string_view text, bool add_bos, bool parse_special,
    std::span<const std::pair<std::size_t, std::size_t>> plain) const {
    std::vector<Token> out;
    out.reserve(text.size() / 3 + 2);
    if (add_bos && bos_ >= 0) out.push_back(bos_);
    const SpecialMatcher& special = parse_special ? lookup_->special : lookup_->user_defined;
    if (special.empty() && lookup_->user_defined.empty()) {
        if (!text.empty()) encode_plain(text, out);
        return out;
    }
    std::size_t segment_start = 0;
    std::size_t pos = 0;
    std::size_t range = 0; // the first plain range not yet behind pos
    while (pos < text.size()) {
        while (range < plain.size() && plain[range].second <= pos) ++range;
        const bool in_plain = range < plain.size() && plain[range].first <= pos;
        const SpecialMatcher& matcher = in_plain ? lookup_->user_defined : special;
        auto [id, length] = matcher.match(text, pos);
        // A control token must not reach into user text either.
        if (id >= 0 && !in_plain && range < plain.size() && pos + length > plain[range].first &&
            &matcher != &lookup_->user_defined) {
            std::tie(id, length) = lookup_->user_defined.match(text, pos);
        }
        if (id < 0) {
            ++pos;
            continue;
        }
        if (pos > segment_start) encode_plain(text.substr(segment_start, pos - segment_start), out);
        out.push_back(id);
        pos += length;
        segment_start = pos;
    }
    if (pos > segment_start) encode_plain(text.substr(segment_start), out);
    return out;
}

std::string_view Tokenizer::piece(Token id, bool special) const {
    if (id < 0 || id >= vocab_size()) return {};
    const auto index = static_cast<std::size_t>(id);
    if (types_[index] == TokenType::Control) return special ? std::string_view(texts_[index]) : "";
    return pieces_[index];
}

std::string Tokenizer::decode(std::span<const Token> ids, bool special) const {
    std::string text;
    bool at_start = true;
    for (const Token id : ids) {
        const std::string_view p = piece(id, special);
        if (p.empty()) continue;
        // SentencePiece prepends a space to the text it encodes: take it away again.
        if (at_start && strip_leading_space_ && p.front() == ' ' &&
            token_type(id) != TokenType::Control) {
            text.append(p.substr(1));
        } else {
            text.append(p);
        }
        at_start = false;
    }
    return text;
}

bool Tokenizer::is_end_of_generation(Token id) const {
    return std::binary_search(end_of_generation_.begin(), end_of_generation_.end(), id);
}

std::string_view Tokenizer::token_text(Token id) const {
    if (id < 0 || id >= vocab_size()) return {};
    return texts_[static_cast<std::size_t>(id)];
}

TokenType Tokenizer::token_type(Token id) const {
    if (id < 0 || id >= vocab_size()) return TokenType::Undefined;
    return types_[static_cast<std::size_t>(id)];
}

Token Tokenizer::find_token(std::string_view text) const {
    return lookup_->id_of_text.find(text);
}

} // namespace tern::engine
