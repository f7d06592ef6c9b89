// Choosing and building a tokenizer from a file or from plain vocabulary data.
#include "bpe_tokenizer.h"
#include "file_bytes.h"
#include "sentencepiece_proto.h"
#include "sentencepiece_tokenizer.h"
#include "tern/engine/gguf.h"
#include "tern/engine/tokenizer.h"

#include <filesystem>

namespace tern::engine {

bool looks_like_tiktoken(std::string_view contents); // tiktoken_vocabulary.cpp

namespace {

bool starts_with_gguf_magic(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return false;
    char magic[4] = {};
    const std::size_t n = std::fread(magic, 1, 4, file);
    std::fclose(file);
    return n == 4 && std::string_view(magic, 4) == "GGUF";
}

} // namespace

Vocabulary vocabulary_from_sentencepiece(const std::string& path) {
    return tokenizer_detail::vocabulary_from_model_proto(tokenizer_detail::read_file_bytes(path), path);
}

std::unique_ptr<Tokenizer> Tokenizer::from_vocabulary(const Vocabulary& vocabulary,
                                                      const std::string& source) {
    if (vocabulary.tokens.empty()) throw Error(source + ": the vocabulary has no tokens");
    if (vocabulary.model == "gpt2") {
        return std::make_unique<tokenizer_detail::BpeTokenizer>(vocabulary, source);
    }
    if (vocabulary.model == "llama") {
        if (!vocabulary.scores.empty() && vocabulary.scores.size() != vocabulary.tokens.size()) {
            throw Error(source + ": " + std::to_string(vocabulary.scores.size()) + " scores for " +
                        std::to_string(vocabulary.tokens.size()) + " tokens");
        }
        return std::make_unique<tokenizer_detail::SentencePieceTokenizer>(
            tokenizer_detail::sentencepiece_model_proto(vocabulary), vocabulary, source);
    }
    throw Error(source + ": tokenizer model '" + vocabulary.model +
                "' is not supported (supported: llama, gpt2)");
}

std::unique_ptr<Tokenizer> Tokenizer::from_tokenizer_model(const std::string& path) {
    const std::string contents = tokenizer_detail::read_file_bytes(path);
    if (looks_like_tiktoken(contents)) return from_vocabulary(vocabulary_from_tiktoken(path), path);
    const Vocabulary vocabulary = tokenizer_detail::vocabulary_from_model_proto(contents, path);
    return std::make_unique<tokenizer_detail::SentencePieceTokenizer>(contents, vocabulary, path);
}

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const std::string& path) {
    return from_vocabulary(vocabulary_from_gguf(path), path);
}

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const GgufFile& file) {
    return from_vocabulary(vocabulary_from_gguf(file), file.path());
}

std::unique_ptr<Tokenizer> Tokenizer::from_tokenizer_json(const std::string& path,
                                                          const std::string& config_json_path) {
    return from_vocabulary(vocabulary_from_tokenizer_json(path, config_json_path), path);
}

std::unique_ptr<Tokenizer> Tokenizer::from_file(const std::string& path) {
    if (!std::filesystem::is_regular_file(path)) throw Error(path + ": no such file");
    if (starts_with_gguf_magic(path)) return from_gguf(path);
    const std::filesystem::path p(path);
    if (p.extension() == ".json") {
        // tokenizer_config.json beside tokenizer.json carries bos/eos and the chat template.
        const auto config = p.parent_path() / "tokenizer_config.json";
        return from_tokenizer_json(path, std::filesystem::is_regular_file(config) ? config.string()
                                                                                  : std::string());
    }
    return from_tokenizer_model(path);
}

} // namespace tern::engine
