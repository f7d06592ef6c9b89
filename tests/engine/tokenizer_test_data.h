// Test data shared by the tokenizer tests: the vocabulary files in ../shared/data/vocab and
// their .inp/.out cases (strings and the ids a correct tokenizer gives, no BOS).
#pragma once

#include "tern/engine/tokenizer.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tern::engine::test {

inline std::string vocab_path(const std::string& name) {
    return std::string(TERN_SHARED_DATA_DIR) + "/vocab/" + name;
}

inline std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct TokenizerCase {
    std::string text;
    std::vector<Token> ids;
};

inline std::vector<TokenizerCase> read_cases(const std::string& inp, const std::string& out) {
    const std::string separator = "\n__ggml_vocab_test__\n";
    const std::string texts = read_all(inp);
    std::vector<TokenizerCase> cases;
    std::size_t pos = 0;
    while (pos < texts.size()) {
        const std::size_t end = texts.find(separator, pos);
        if (end == std::string::npos) break;
        cases.push_back({texts.substr(pos, end - pos), {}});
        pos = end + separator.size();
    }
    std::istringstream lines(read_all(out));
    std::string line;
    for (auto& c : cases) {
        if (!std::getline(lines, line)) throw std::runtime_error(out + ": too few lines");
        std::istringstream ids(line);
        Token id = 0;
        while (ids >> id) c.ids.push_back(id);
    }
    return cases;
}

// Loading the LLaMA-3 rank file takes a moment: share one instance across tests.
inline const Tokenizer& llama3_tokenizer() {
    static const auto tokenizer = Tokenizer::from_tokenizer_model(vocab_path("llama3-tiktoken.model"));
    return *tokenizer;
}
inline const Tokenizer& gpt2_tokenizer() {
    static const auto tokenizer = Tokenizer::from_gguf(vocab_path("ggml-vocab-gpt-2.gguf"));
    return *tokenizer;
}
inline const Tokenizer& llama_spm_tokenizer() {
    static const auto tokenizer = Tokenizer::from_gguf(vocab_path("ggml-vocab-llama-spm.gguf"));
    return *tokenizer;
}

} // namespace tern::engine::test
