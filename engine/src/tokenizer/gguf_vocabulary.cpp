// The tokenizer.ggml.* keys of a GGUF file as a Vocabulary (the file is memory-mapped, so a full
// model's tensors are never read).
#include "pretokenizer.h"
#include "tern/engine/gguf.h"
#include "tern/engine/tokenizer.h"

namespace tern::engine {

Vocabulary vocabulary_from_gguf(const GgufFile& file) {
    const auto model = file.find_string("tokenizer.ggml.model");
    if (!model) file.fail("no tokenizer in this file (tokenizer.ggml.model is missing)");
    Vocabulary v;
    v.model = *model;
    v.pre = file.find_string("tokenizer.ggml.pre").value_or("");
    v.tokens = file.find_string_array("tokenizer.ggml.tokens").value_or(std::vector<std::string>{});
    if (v.tokens.empty()) file.fail("tokenizer.ggml.tokens is missing or empty");
    v.scores = file.find_f32_array("tokenizer.ggml.scores").value_or(std::vector<float>{});
    v.types = file.find_i32_array("tokenizer.ggml.token_type").value_or(std::vector<std::int32_t>{});
    v.merges = file.find_string_array("tokenizer.ggml.merges").value_or(std::vector<std::string>{});
    if (!v.types.empty() && v.types.size() != v.tokens.size()) {
        file.fail("tokenizer.ggml.token_type has " + std::to_string(v.types.size()) +
                  " entries for " + std::to_string(v.tokens.size()) + " tokens");
    }
    if (!v.scores.empty() && v.scores.size() != v.tokens.size()) {
        file.fail("tokenizer.ggml.scores has " + std::to_string(v.scores.size()) +
                  " entries for " + std::to_string(v.tokens.size()) + " tokens");
    }
    const auto id = [&](const char* key) { return file.find_i32(key).value_or(-1); };
    v.bos = id("tokenizer.ggml.bos_token_id");
    v.eos = id("tokenizer.ggml.eos_token_id");
    v.unk = id("tokenizer.ggml.unknown_token_id");
    v.pad = id("tokenizer.ggml.padding_token_id");
    v.eot = id("tokenizer.ggml.eot_token_id");
    const auto add_bos = file.find_bool("tokenizer.ggml.add_bos_token");
    v.add_eos = file.find_bool("tokenizer.ggml.add_eos_token").value_or(false);
    v.add_space_prefix = file.find_bool("tokenizer.ggml.add_space_prefix").value_or(true);
    v.chat_template = file.find_string("tokenizer.chat_template").value_or("");
    if (v.model == "llama") {
        v.add_bos = add_bos.value_or(true); // SentencePiece models start with <s> unless told
    } else if (v.model == "gpt2") {
        bool ignore_merges = false;
        try {
            tokenizer_detail::pre_tokenizer_regexes(v.pre, ignore_merges);
        } catch (const Error& e) {
            file.fail(e.what());
        }
        v.ignore_merges = ignore_merges;
        v.add_bos = add_bos.value_or(ignore_merges); // the LLaMA-3 family starts with bos
    } else {
        v.add_bos = add_bos.value_or(false);
    }
    return v;
}

Vocabulary vocabulary_from_gguf(const std::string& path) {
    return vocabulary_from_gguf(*GgufFile::open(path));
}

} // namespace tern::engine
