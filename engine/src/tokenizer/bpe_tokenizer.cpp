#include "bpe_tokenizer.h"

#include "text_bytes.h"

#include <queue>

namespace tern::engine::tokenizer_detail {

namespace {

bool is_mergeable(TokenType type) {
    return type == TokenType::Normal || type == TokenType::Undefined || type == TokenType::Byte ||
           type == TokenType::Unused;
}

} // namespace

struct BpeTokenizer::Scratch {
    struct Symbol {
        Token id;
        int prev;
        int next;
    };
    struct Candidate {
        std::int32_t rank;
        int left;
        int right;
        Token left_id;
        Token right_id;
        // The smallest rank first; at equal rank the leftmost pair, as every reference does.
        bool operator>(const Candidate& other) const {
            return rank != other.rank ? rank > other.rank : left > other.left;
        }
    };
    std::vector<Symbol> symbols;
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
    std::vector<std::string_view> words;
    // Words repeat a lot in real text: remember each word's tokens for the rest of the call.
    std::unordered_map<std::string_view, std::pair<std::size_t, std::size_t>> cache;
    std::vector<Token> cached_tokens;
};

BpeTokenizer::BpeTokenizer(const Vocabulary& vocabulary, const std::string& source) {
    if (vocabulary.model != "gpt2") {
        throw Error(source + ": not a byte-level BPE vocabulary (model '" + vocabulary.model + "')");
    }
    const std::size_t n = vocabulary.tokens.size();
    if (!vocabulary.types.empty() && vocabulary.types.size() != n) {
        throw Error(source + ": " + std::to_string(vocabulary.types.size()) + " token types for " +
                    std::to_string(n) + " tokens");
    }
    const auto& alphabet = byte_unicode_map();
    std::vector<std::string> pieces(n);
    id_of_bytes_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto type = vocabulary.types.empty() ? TokenType::Normal
                                                   : static_cast<TokenType>(vocabulary.types[i]);
        const std::string& text = vocabulary.tokens[i];
        if (!is_mergeable(type)) {
            pieces[i] = text; // added tokens are stored as their own text
            continue;
        }
        auto bytes = alphabet.decode(text);
        if (!bytes) {
            pieces[i] = text; // outside the byte alphabet: usable only as a whole-token match
            continue;
        }
        pieces[i] = std::move(*bytes);
        id_of_bytes_.insert(pieces[i], static_cast<Token>(i));
    }
    for (int b = 0; b < 256; ++b) {
        const char byte = static_cast<char>(b);
        const Token id = id_of_bytes_.find(std::string_view(&byte, 1));
        if (id < 0) {
            throw Error(source + ": the vocabulary has no token for the byte 0x" +
                        "0123456789ABCDEF"[b >> 4] + "0123456789ABCDEF"[b & 15] +
                        " (byte-level BPE needs all 256)");
        }
        byte_token_[static_cast<std::size_t>(b)] = id;
    }

    merges_.reserve(vocabulary.merges.size());
    StringIndex id_of_text;
    id_of_text.reserve(n);
    for (std::size_t i = 0; i < n; ++i) id_of_text.insert(vocabulary.tokens[i], static_cast<Token>(i));
    std::string joined;
    for (std::size_t rank = 0; rank < vocabulary.merges.size(); ++rank) {
        const std::string& merge = vocabulary.merges[rank];
        const std::size_t space = merge.find(' ', 1);
        const auto bad = [&](const std::string& why) {
            return Error(source + ": merge " + std::to_string(rank) + " '" + merge + "' " + why);
        };
        if (space == std::string::npos) throw bad("is not two tokens separated by a space");
        const std::string_view left(merge.data(), space);
        const std::string_view right(merge.data() + space + 1, merge.size() - space - 1);
        joined.assign(left);
        joined.append(right);
        const Token l = id_of_text.find(left);
        const Token r = id_of_text.find(right);
        const Token j = id_of_text.find(joined);
        if (l < 0 || r < 0 || j < 0) throw bad("names a token missing from the vocabulary");
        // A pair listed twice keeps its first (highest-priority) rank.
        merges_.insert(l, r, {static_cast<std::int32_t>(rank), j});
    }

    std::vector<std::string> regexes = vocabulary.pre_regexes;
    ignore_merges_ = vocabulary.ignore_merges;
    if (regexes.empty()) {
        bool named_ignore = false;
        try {
            regexes = pre_tokenizer_regexes(vocabulary.pre, named_ignore);
        } catch (const Error& e) {
            throw Error(source + ": " + e.what());
        }
        ignore_merges_ = ignore_merges_ || named_ignore;
    }
    pre_tokenizer_ = std::make_unique<PreTokenizer>(regexes, source);
    init_common(vocabulary, std::move(pieces));
}

void BpeTokenizer::encode_plain(std::string_view text, std::vector<Token>& out) const {
    Scratch scratch;
    pre_tokenizer_->split(text, scratch.words);
    const bool use_cache = text.size() > 256;
    for (const std::string_view word : scratch.words) {
        if (!use_cache) {
            encode_word(word, scratch, out);
            continue;
        }
        if (const auto hit = scratch.cache.find(word); hit != scratch.cache.end()) {
            const auto first = scratch.cached_tokens.begin() + static_cast<std::ptrdiff_t>(hit->second.first);
            out.insert(out.end(), first, first + static_cast<std::ptrdiff_t>(hit->second.second));
            continue;
        }
        const std::size_t before = out.size();
        encode_word(word, scratch, out);
        const std::size_t count = out.size() - before;
        scratch.cache.emplace(word, std::make_pair(scratch.cached_tokens.size(), count));
        scratch.cached_tokens.insert(scratch.cached_tokens.end(),
                                     out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
    }
}

void BpeTokenizer::encode_word(std::string_view word, Scratch& scratch,
                               std::vector<Token>& out) const {
    if (word.empty()) return;
    if (word.size() == 1) {
        out.push_back(byte_token_[static_cast<unsigned char>(word[0])]);
        return;
    }
    if (ignore_merges_) {
        if (const Token whole = id_of_bytes_.find(word); whole >= 0) {
            out.push_back(whole);
            return;
        }
    }
    auto& symbols = scratch.symbols;
    auto& queue = scratch.queue;
    symbols.clear();
    const int count = static_cast<int>(word.size());
    for (int i = 0; i < count; ++i) {
        symbols.push_back({byte_token_[static_cast<unsigned char>(word[static_cast<std::size_t>(i)])],
                           i - 1, i + 1 < count ? i + 1 : -1});
    }
    const auto consider = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const Token a = symbols[static_cast<std::size_t>(left)].id;
        const Token b = symbols[static_cast<std::size_t>(right)].id;
        if (const auto* merge = merges_.find(a, b)) queue.push({merge->rank, left, right, a, b});
    };
    for (int i = 0; i + 1 < count; ++i) consider(i, i + 1);
    while (!queue.empty()) {
        const auto top = queue.top();
        queue.pop();
        auto& left = symbols[static_cast<std::size_t>(top.left)];
        auto& right = symbols[static_cast<std::size_t>(top.right)];
        // Stale entries: one side was merged away or changed since this pair was queued.
        if (left.id != top.left_id || right.id != top.right_id || left.next != top.right) continue;
        left.id = merges_.find(top.left_id, top.right_id)->result;
        left.next = right.next;
        if (right.next >= 0) symbols[static_cast<std::size_t>(right.next)].prev = top.left;
        right.id = -1;
        consider(left.prev, top.left);
        consider(top.left, symbols[static_cast<std::size_t>(top.left)].next);
    }
    for (int i = 0; i >= 0; i = symbols[static_cast<std::size_t>(i)].next) {
        out.push_back(symbols[static_cast<std::size_t>(i)].id);
    }
}

} // namespace tern::engine::tokenizer_detail
