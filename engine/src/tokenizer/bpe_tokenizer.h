// Byte-level BPE (GPT-2, LLaMA-3, Falcon3): regex pre-tokenization, then merges within each word.
#pragma once

#include "flat_index.h"
#include "pretokenizer.h"
#include "tern/engine/tokenizer.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tern::engine::tokenizer_detail {

class BpeTokenizer final : public Tokenizer {
public:
    // `vocabulary.model` must be "gpt2"; throws Error naming `source` on inconsistent data.
    BpeTokenizer(const Vocabulary& vocabulary, const std::string& source);

    struct Scratch; // per-call buffers and the per-call word cache

protected:
    void encode_plain(std::string_view text, std::vector<Token>& out) const override;

private:
    void encode_word(std::string_view word, Scratch& scratch, std::vector<Token>& out) const;

    StringIndex id_of_bytes_; // mergeable tokens by their raw bytes
    std::array<Token, 256> byte_token_{};
    PairIndex merges_;
    std::unique_ptr<PreTokenizer> pre_tokenizer_;
    bool ignore_merges_ = false;
};

} // namespace tern::engine::tokenizer_detail
