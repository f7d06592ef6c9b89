// LLaMA-3's tokenizer.model: a tiktoken rank file ("<base64 bytes> <rank>" per line).
#include "file_bytes.h"
#include "flat_index.h"
#include "text_bytes.h"
#include "tern/engine/tokenizer.h"

#include <array>
#include <charconv>
#include <unordered_map>

namespace tern::engine {

namespace {

std::optional<std::string> base64_decode(std::string_view text) {
    static const std::array<std::int8_t, 256> table = [] {
        std::array<std::int8_t, 256> t{};
        t.fill(-1);
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
        return t;
    }();
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    std::uint32_t bits = 0;
    int count = 0;
    for (const char c : text) {
        const int value = table[static_cast<unsigned char>(c)];
        if (value < 0) return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xFF);
        }
    }
    return out;
}

// LLaMA-3's special tokens follow the 128000 ranks (names from Meta's tokenizer).
std::vector<std::string> llama3_special_tokens() {
    std::vector<std::string> names = {
        "<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
        "<|reserved_special_token_1|>", "<|reserved_special_token_2|>",
        "<|reserved_special_token_3|>", "<|start_header_id|>", "<|end_header_id|>",
        "<|reserved_special_token_4|>", "<|eot_id|>"};
    for (int i = 5; names.size() < 256; ++i) {
        names.push_back("<|reserved_special_token_" + std::to_string(i) + "|>");
    }
    return names;
}

} // namespace

bool looks_like_tiktoken(std::string_view contents) {
    const std::size_t end = contents.find('\n');
    const std::string_view line = contents.substr(0, end);
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0 || space + 1 >= line.size()) return false;
    for (std::size_t i = space + 1; i < line.size(); ++i) {
        if ((line[i] < '0' || line[i] > '9') && !(line[i] == '\r' && i + 1 == line.size())) return false;
    }
    return base64_decode(line.substr(0, space)).has_value();
}

Vocabulary vocabulary_from_tiktoken(const std::string& path) {
    const std::string contents = tokenizer_detail::read_file_bytes(path);
    std::vector<std::string> bytes_of_rank;
    std::size_t pos = 0;
    std::size_t line_number = 0;
    while (pos < contents.size()) {
        std::size_t end = contents.find('\n', pos);
        if (end == std::string::npos) end = contents.size();
        std::string_view line(contents.data() + pos, end - pos);
        pos = end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        const auto bad = [&](const char* why) {
            return Error(path + ": line " + std::to_string(line_number) + ": " + why);
        };
        const std::size_t space = line.find(' ');
        if (space == std::string_view::npos) throw bad("expected '<base64 token> <rank>'");
        auto bytes = base64_decode(line.substr(0, space));
        if (!bytes || bytes->empty()) throw bad("the token is not valid base64");
        std::size_t rank = 0;
        const auto rank_text = line.substr(space + 1);
        const auto [end_ptr, ec] = std::from_chars(rank_text.data(), rank_text.data() + rank_text.size(), rank);
        if (ec != std::errc() || end_ptr != rank_text.data() + rank_text.size()) {
            throw bad("the rank is not a number");
        }
        if (rank > 10'000'000) throw bad("the rank is implausibly large");
        if (rank >= bytes_of_rank.size()) bytes_of_rank.resize(rank + 1);
        if (!bytes_of_rank[rank].empty()) throw bad("the rank appears twice");
        bytes_of_rank[rank] = std::move(*bytes);
    }
    if (bytes_of_rank.size() < 256) throw Error(path + ": too few ranks for a byte-level vocabulary");
    tokenizer_detail::StringIndex rank_of_bytes;
    rank_of_bytes.reserve(bytes_of_rank.size());
    for (std::size_t r = 0; r < bytes_of_rank.size(); ++r) {
        if (bytes_of_rank[r].empty()) throw Error(path + ": rank " + std::to_string(r) + " is missing");
        if (!rank_of_bytes.insert(bytes_of_rank[r], static_cast<std::int32_t>(r))) {
            throw Error(path + ": rank " + std::to_string(r) + " repeats an earlier token");
        }
    }

    const auto& alphabet = tokenizer_detail::byte_unicode_map();
    Vocabulary vocabulary;
    vocabulary.model = "gpt2";
    vocabulary.pre = "llama-bpe";
    vocabulary.ignore_merges = true;
    vocabulary.tokens.reserve(bytes_of_rank.size() + 256);
    for (const auto& bytes : bytes_of_rank) vocabulary.tokens.push_back(alphabet.encode(bytes));
    vocabulary.types.assign(bytes_of_rank.size(), static_cast<std::int32_t>(TokenType::Normal));
    // Rank-based BPE as merges: every split of a token into two tokens merges at that token's
    // rank. Keeping only one split per token would not be equivalent (see FORMATS.md).
    for (std::size_t r = 0; r < bytes_of_rank.size(); ++r) {
        const std::string_view bytes = bytes_of_rank[r];
        for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
            const std::int32_t left = rank_of_bytes.find(bytes.substr(0, cut));
            if (left < 0) continue;
            const std::int32_t right = rank_of_bytes.find(bytes.substr(cut));
            if (right < 0) continue;
            std::string merge = vocabulary.tokens[static_cast<std::size_t>(left)];
            merge += ' ';
            merge += vocabulary.tokens[static_cast<std::size_t>(right)];
            vocabulary.merges.push_back(std::move(merge));
        }
    }
    const auto first_special = static_cast<Token>(bytes_of_rank.size());
    for (auto& name : llama3_special_tokens()) {
        vocabulary.tokens.push_back(std::move(name));
        vocabulary.types.push_back(static_cast<std::int32_t>(TokenType::Control));
    }
    vocabulary.bos = first_special;      // <|begin_of_text|>
    vocabulary.eos = first_special + 1;  // <|end_of_text|>
    vocabulary.eot = first_special + 9;  // <|eot_id|>
    vocabulary.add_bos = true;
    return vocabulary;
}

} // namespace tern::engine
