#include "pretokenizer.h"

#include "text_bytes.h"
#include "tern/engine/engine.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace tern::engine::tokenizer_detail {

namespace {

// The patterns are facts about each tokenizer (published in its tokenizer.json).
constexpr const char* kLlama3 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr const char* kGpt2NoTrailingSpace =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";

// Unicode White_Space, spelled out for use inside a character class.
constexpr std::string_view kWhiteSpaceClassBody = R"(\t\n\x{0B}\f\r\x{85}\p{Z})";

} // namespace

std::vector<std::string> pre_tokenizer_regexes(const std::string& name, bool& ignore_merges) {
    ignore_merges = false;
    if (name == "llama-bpe" || name == "llama3" || name == "llama-v3" || name == "falcon3" ||
        name == "smaug-bpe") {
        ignore_merges = true;
        return {kLlama3};
    }
    if (name == "gpt-2" || name == "gpt2") return {kGpt2};
    if (name == "falcon") {
        return {R"([\p{P}\$\+<=>\^~\|`]+)", kGpt2NoTrailingSpace, "[0-9][0-9][0-9]"};
    }
    if (name == "default" || name.empty()) {
        return {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2NoTrailingSpace, R"(\p{N}+)", "[0-9][0-9][0-9]"};
    }
    throw Error("unknown pre-tokenizer '" + name +
                "' (tokenizer.ggml.pre); known: llama-bpe, falcon3, gpt-2, falcon, default");
}

std::string with_unicode_whitespace(std::string_view pattern) {
    std::string out;
    out.reserve(pattern.size() + 64);
    bool in_class = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            const char next = pattern[i + 1];
            ++i;
            if (next == 's') {
                if (in_class) {
                    out += kWhiteSpaceClassBody;
                } else {
                    out += '[';
                    out += kWhiteSpaceClassBody;
                    out += ']';
                }
            } else if (next == 'S' && !in_class) {
                out += "[^";
                out += kWhiteSpaceClassBody;
                out += ']';
            } else {
                out += c;
                out += next;
            }
            continue;
        }
        if (c == '[' && !in_class) {
            in_class = true;
            out += c;
            // A ']' right after '[' or '[^' is a literal, not the end of the class.
            if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
            if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
            continue;
        }
        if (c == ']' && in_class) in_class = false;
        out += c;
    }
    return out;
}

struct PreTokenizer::Regex {
    pcre2_code* code = nullptr;
    bool jit = false;
    ~Regex() { pcre2_code_free(code); }
};

PreTokenizer::PreTokenizer(const std::vector<std::string>& regexes, const std::string& source) {
    for (const auto& original : regexes) {
        const std::string pattern = with_unicode_whitespace(original);
        auto regex = std::make_unique<Regex>();
        int error = 0;
        PCRE2_SIZE offset = 0;
        regex->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                    PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &error, &offset,
                                    nullptr);
        if (regex->code == nullptr) {
            PCRE2_UCHAR message[256];
            pcre2_get_error_message(error, message, sizeof message);
            throw Error(source + ": pre-tokenizer regex '" + original + "' does not compile: " +
                        reinterpret_cast<const char*>(message) + " at offset " +
                        std::to_string(offset));
        }
        // JIT is an optimisation: without it (unsupported CPU, W^X policies) the interpreter runs.
        regex->jit = pcre2_jit_compile(regex->code, PCRE2_JIT_COMPLETE) == 0;
        regexes_.push_back(std::move(regex));
    }
}

PreTokenizer::~PreTokenizer() = default;

void PreTokenizer::split(std::string_view text, std::vector<std::string_view>& words) const {
    // Only valid UTF-8 runs go to PCRE2 (which then skips its own check); each invalid byte is
    // a word of its own, which byte-level BPE encodes as that byte.
    std::size_t run_start = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const unsigned char byte = static_cast<unsigned char>(text[pos]);
        if (byte < 0x80) {
            ++pos;
            continue;
        }
        const std::size_t length = valid_utf8_length(text, pos);
        if (length != 0) {
            pos += length;
            continue;
        }
        if (pos > run_start) split_valid(text.substr(run_start, pos - run_start), words);
        words.push_back(text.substr(pos, 1));
        ++pos;
        run_start = pos;
    }
    if (pos > run_start) split_valid(text.substr(run_start, pos - run_start), words);
}

void PreTokenizer::split_valid(std::string_view text, std::vector<std::string_view>& words) const {
    if (regexes_.empty()) {
        words.push_back(text);
        return;
    }
    std::vector<std::string_view> current{text};
    std::vector<std::string_view> next;
    pcre2_match_data* match = pcre2_match_data_create(1, nullptr);
    if (match == nullptr) throw std::bad_alloc();
    struct MatchDataOwner {
        pcre2_match_data* data;
        ~MatchDataOwner() { pcre2_match_data_free(data); }
    } owner{match};
    for (const auto& regex : regexes_) {
        next.clear();
        for (const std::string_view piece : current) {
            const auto* subject = reinterpret_cast<PCRE2_SPTR>(piece.data());
            std::size_t offset = 0;
            std::size_t kept = 0; // end of what has been emitted
            while (offset < piece.size()) {
                int rc = regex->jit ? pcre2_jit_match(regex->code, subject, piece.size(), offset,
                                                      PCRE2_NO_UTF_CHECK, match, nullptr)
                                    : PCRE2_ERROR_JIT_BADOPTION;
                if (rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_JIT_BADOPTION) {
                    // Long runs can exhaust the JIT's small stack; the interpreter uses the heap.
                    rc = pcre2_match(regex->code, subject, piece.size(), offset,
                                     PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, match, nullptr);
                }
                if (rc == PCRE2_ERROR_NOMATCH) break;
                if (rc < 0) {
                    PCRE2_UCHAR message[256];
                    pcre2_get_error_message(rc, message, sizeof message);
                    throw Error(std::string("pre-tokenizer regex failed: ") +
                                reinterpret_cast<const char*>(message));
                }
                const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match);
                const std::size_t start = ovector[0];
                const std::size_t end = ovector[1];
                if (end == start) {
                    // An empty match splits nothing: step over one character and go on.
                    const std::size_t length = valid_utf8_length(piece, start);
                    offset = start + (length == 0 ? 1 : length);
                    continue;
                }
                if (start > kept) next.push_back(piece.substr(kept, start - kept));
                next.push_back(piece.substr(start, end - start));
                kept = end;
                offset = end;
            }
            if (kept < piece.size()) next.push_back(piece.substr(kept));
        }
        current.swap(next);
    }
    words.insert(words.end(), current.begin(), current.end());
}

} // namespace tern::engine::tokenizer_detail
