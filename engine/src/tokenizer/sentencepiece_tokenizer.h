// SentencePiece models (LLaMA-2, the 1bitLLM models) through the sentencepiece library.
#pragma once

#include "tern/engine/tokenizer.h"

#include <memory>
#include <string>

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace tern::engine::tokenizer_detail {

class SentencePieceTokenizer final : public Tokenizer {
public:
    // `serialized_proto`: a tokenizer.model's bytes, loaded as they are; `vocabulary` its
    // contents (vocabulary_from_model_proto) or, for GGUF, the data the proto was built from.
    SentencePieceTokenizer(const std::string& serialized_proto, const Vocabulary& vocabulary,
                           const std::string& source);
    ~SentencePieceTokenizer() override;

protected:
    void encode_plain(std::string_view text, std::vector<Token>& out) const override;

private:
    std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
};

} // namespace tern::engine::tokenizer_detail
