// Pre-tokenization for byte-level BPE: regexes split text into words before BPE runs on each.
// PCRE2 with Unicode properties (UTF + UCP), JIT-compiled when the platform supports it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tern::engine::tokenizer_detail {

// The regex sequence of a named pre-tokenizer (GGUF tokenizer.ggml.pre); throws Error for an
// unknown name. Sets `ignore_merges` for the tokenizers whose words that are whole tokens are
// not split (LLaMA-3).
std::vector<std::string> pre_tokenizer_regexes(const std::string& name, bool& ignore_merges);

// Rewrites \s and \S into explicit classes matching Unicode White_Space, which is what the
// reference implementations (Rust regex, Oniguruma) mean by \s; PCRE2's own \s differs (U+0085).
std::string with_unicode_whitespace(std::string_view pattern);

class PreTokenizer {
public:
    // Throws Error naming `source` when a regex does not compile.
    PreTokenizer(const std::vector<std::string>& regexes, const std::string& source);
    ~PreTokenizer();
    PreTokenizer(const PreTokenizer&) = delete;
    PreTokenizer& operator=(const PreTokenizer&) = delete;

    // Splits `text` into words (views into `text`), appended to `words`. Each regex splits the
    // pieces of the previous one, keeping both the matches and the text between them. Invalid
    // UTF-8 bytes never reach the regexes: each one becomes a word of its own.
    void split(std::string_view text, std::vector<std::string_view>& words) const;

private:
    struct Regex;
    std::vector<std::unique_ptr<Regex>> regexes_;
    void split_valid(std::string_view text, std::vector<std::string_view>& words) const;
};

} // namespace tern::engine::tokenizer_detail
