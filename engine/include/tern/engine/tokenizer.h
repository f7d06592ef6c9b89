// Tokenizers: text <-> token ids, exactly as the model was trained.
//
// Two families are supported:
//  - SentencePiece (LLaMA-2, the 1bitLLM models), through the sentencepiece library, from a
//    tokenizer.model file or from a GGUF vocabulary (tokenizer.ggml.model = "llama");
//  - byte-level BPE (GPT-2, LLaMA-3, BitNet b1.58 2B4T, Falcon3), from a GGUF vocabulary
//    (tokenizer.ggml.model = "gpt2"), a Hugging Face tokenizer.json, or a tiktoken rank file.
//
// A Tokenizer is immutable after construction; every const method is safe to call from several
// threads at once.
#pragma once

#include "tern/engine/engine.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::engine {

class GgufFile;

// Token types, numbered as in GGUF's tokenizer.ggml.token_type and SentencePiece's ModelProto.
enum class TokenType : std::int32_t {
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,     // <s>, <|eot_id|>...: parsed from text only when asked (parse_special)
    UserDefined = 4, // added tokens always matched as a whole in text
    Unused = 5,
    Byte = 6,        // SentencePiece byte fallback: <0x0A>
};

// A vocabulary as plain data: what a GGUF file stores under tokenizer.ggml.* and what the
// Hugging Face loaders produce. The converter can write these fields to GGUF as they are.
struct Vocabulary {
    std::string model;                  // "llama" (SentencePiece) or "gpt2" (byte-level BPE)
    std::string pre;                    // gpt2 pre-tokenizer: "llama-bpe", "gpt-2", "falcon", ...
    std::vector<std::string> tokens;    // gpt2: GPT-2 byte-to-unicode form ("Ġthe"); llama: "▁the"
    std::vector<float> scores;          // llama: merge priorities (empty for gpt2)
    std::vector<std::int32_t> types;    // TokenType values; empty means all Normal
    std::vector<std::string> merges;    // gpt2: "left right" in priority order
    Token bos = -1;
    Token eos = -1;
    Token unk = -1;
    Token pad = -1;
    Token eot = -1;                     // end of turn (<|eot_id|>), -1 when none
    bool add_bos = false;               // tokenizer.ggml.add_bos_token
    bool add_eos = false;               // tokenizer.ggml.add_eos_token
    bool add_space_prefix = true;       // llama: SentencePiece's dummy prefix
    // Pre-tokenizer regexes applied in sequence (each splits the pieces of the previous one).
    // Empty: derived from `pre`. Filled by the tokenizer.json loader with the file's own regexes.
    std::vector<std::string> pre_regexes;
    // Byte-level BPE with "ignore_merges": a pre-token that is itself a token is not split
    // (tiktoken and LLaMA-3 behave so). Derived from `pre` when loading GGUF.
    bool ignore_merges = false;
    std::string chat_template;          // tokenizer.chat_template (Jinja), may be empty
};

// Loaders returning plain data (for the converter and for tests). All throw Error naming the
// file and what is wrong.
Vocabulary vocabulary_from_gguf(const std::string& path);
Vocabulary vocabulary_from_gguf(const GgufFile& file);
// A tiktoken rank file ("base64 rank" per line) as a LLaMA-3 style gpt2 vocabulary: tokens, the
// merges that reproduce rank-based BPE (every split of a token into two tokens, ordered by the
// token's rank), and LLaMA-3's 256 special tokens appended (<|begin_of_text|> = bos...).
Vocabulary vocabulary_from_tiktoken(const std::string& path);
// A Hugging Face tokenizer.json (byte-level BPE). `config_json_path` (tokenizer_config.json,
// optional: empty) supplies bos/eos/add_bos and the chat template.
Vocabulary vocabulary_from_tokenizer_json(const std::string& path,
                                          const std::string& config_json_path = {});
// A SentencePiece tokenizer.model file as a "llama" vocabulary.
Vocabulary vocabulary_from_sentencepiece(const std::string& path);

class Tokenizer {
public:
    virtual ~Tokenizer();
    Tokenizer(const Tokenizer&) = delete;
    Tokenizer& operator=(const Tokenizer&) = delete;

    // From the tokenizer.ggml.* keys of a GGUF file (a full model or a vocabulary-only file).
    static std::unique_ptr<Tokenizer> from_gguf(const std::string& path);
    static std::unique_ptr<Tokenizer> from_gguf(const GgufFile& file);
    // From a tokenizer.model: a SentencePiece model or a tiktoken rank file (told apart by content).
    static std::unique_ptr<Tokenizer> from_tokenizer_model(const std::string& path);
    // From a Hugging Face tokenizer.json (and optionally its tokenizer_config.json).
    static std::unique_ptr<Tokenizer> from_tokenizer_json(const std::string& path,
                                                          const std::string& config_json_path = {});
    // Any of the above, chosen by the file's content (GGUF magic, JSON, protobuf, rank file).
    static std::unique_ptr<Tokenizer> from_file(const std::string& path);
    // From plain data; `source` names where it came from, for error messages.
    static std::unique_ptr<Tokenizer> from_vocabulary(const Vocabulary& vocabulary,
                                                      const std::string& source);

    // Text to ids. `add_bos` prepends bos() (when the vocabulary has one). With `parse_special`,
    // control tokens written in the text ("<|eot_id|>") become their ids; without it they are
    // ordinary text: user text must never be able to forge a turn boundary.
    // Invalid UTF-8 never fails: byte-level BPE encodes the bytes as they are (so decode gives
    // them back); SentencePiece encodes each invalid byte as U+FFFD (the library's rule).
    std::vector<Token> encode(std::string_view text, bool add_bos = false,
                              bool parse_special = false) const;

    // Like encode(text, add_bos, true), except that special tokens are not recognised inside
    // `plain_ranges` (byte offsets [begin, end), sorted, not overlapping): the message contents
    // inside a rendered chat prompt (RenderedChat::content_ranges) stay user text.
    std::vector<Token> encode_chat(
        std::string_view text, bool add_bos,
        std::span<const std::pair<std::size_t, std::size_t>> plain_ranges) const;

    // The bytes one token stands for: byte tokens decoded, SentencePiece's U+2581 as a space.
    // May end inside a UTF-8 character (concatenate before displaying). Control tokens give ""
    // unless `special`, which gives their text. Out-of-range ids give "".
    std::string_view piece(Token id, bool special = false) const;

    // Ids to text: the pieces concatenated, without SentencePiece's dummy-prefix space at the
    // start; decode(encode(s)) == s.
    std::string decode(std::span<const Token> ids, bool special = false) const;

    Token bos() const { return bos_; }
    Token eos() const { return eos_; }
    Token eot() const { return eot_; }
    // eos, end of turn, and the other tokens that end a reply (<|eot_id|>, <|end_of_text|>...).
    bool is_end_of_generation(Token id) const;
    int vocab_size() const { return static_cast<int>(texts_.size()); }
    bool add_bos_by_default() const { return add_bos_; }

    // The vocabulary entry as stored (GPT-2 byte form or "▁" form), "" when out of range.
    std::string_view token_text(Token id) const;
    TokenType token_type(Token id) const;
    // The id of a token by its stored text ("<|eot_id|>"), -1 when there is none.
    Token find_token(std::string_view text) const;
    // "llama" or "gpt2".
    const std::string& model_name() const { return model_; }
    // The chat template the vocabulary carried ("" when none).
    const std::string& chat_template() const { return chat_template_; }

protected:
    Tokenizer();
    // Encodes text that contains no special tokens to parse, appending to `out`.
    virtual void encode_plain(std::string_view text, std::vector<Token>& out) const = 0;
    // Fills the shared tables from a vocabulary; `pieces` are the decoded bytes per token.
    void init_common(const Vocabulary& vocabulary, std::vector<std::string> pieces);

    std::string model_;
    std::vector<std::string> texts_;
    std::vector<std::string> pieces_;
    std::vector<TokenType> types_;
    std::vector<Token> end_of_generation_;
    Token bos_ = -1;
    Token eos_ = -1;
    Token eot_ = -1;
    bool add_bos_ = false;
    bool strip_leading_space_ = false; // SentencePiece dummy prefix
    std::string chat_template_;

private:
    std::vector<Token> encode_parts(std::string_view text, bool add_bos, bool parse_special,
                                    std::span<const std::pair<std::size_t, std::size_t>> plain) const;
    struct Lookup; // text -> id, and the special tokens to find in text
    std::unique_ptr<const Lookup> lookup_;
};

} // namespace tern::engine
