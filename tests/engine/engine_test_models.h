// Tiny synthetic models for the engine's tests, written once per test binary into a temp dir.
#pragma once

#include "tern/engine/synthetic_model.h"

#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace tern::engine::testing {

// A directory private to this test process (ctest runs tests in parallel processes), removed
// when the process ends, so models always come from the code under test.
inline std::filesystem::path test_dir() {
    struct Dir {
        std::filesystem::path path;
        Dir() {
            std::random_device rd;
            path = std::filesystem::temp_directory_path() /
                   ("tern_engine_tests_" + std::to_string(rd()) + std::to_string(rd()));
            std::filesystem::create_directories(path);
        }
        ~Dir() {
            std::error_code ignored;
            std::filesystem::remove_all(path, ignored);
        }
    };
    static Dir dir;
    return dir.path;
}

// A 512-token SentencePiece-style vocabulary: <unk> <s> </s>, the 256 byte tokens (so any
// text, and characters split across tokens, can appear), then ordinary pieces.
inline std::string tiny_vocab_path(const std::filesystem::path& dir) {
    const auto path = (dir / "tiny_vocab.gguf").string();
    if (std::filesystem::exists(path)) {
        return path;
    }
    std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
    std::vector<std::int32_t> types = {2, 3, 3};
    const char* hex = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
        tokens.push_back(std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">");
        types.push_back(6);
    }
    for (const char* piece : {"\xE2\x96\x81", "\xE2\x96\x81the", "\xC3\xA9", "\xE2\x82\xAC", "\xE2\x96\x81User:"}) {
        tokens.push_back(piece);
        types.push_back(1);
    }
    for (int i = 0; tokens.size() < 512; ++i) {
        tokens.push_back(std::string(1, static_cast<char>('a' + i % 26)) + std::to_string(i));
        types.push_back(1);
    }
    std::vector<float> scores(tokens.size());
    for (std::size_t i = 0; i < scores.size(); ++i) {
        scores[i] = -static_cast<float>(i);
    }
    {
        GgufWriter w(path);
        w.set_string("tokenizer.ggml.model", "llama");
        w.set_string_array("tokenizer.ggml.tokens", tokens);
        w.set_f32_array("tokenizer.ggml.scores", scores);
        w.set_i32_array("tokenizer.ggml.token_type", types);
        w.set_u32("tokenizer.ggml.bos_token_id", 1);
        w.set_u32("tokenizer.ggml.eos_token_id", 2);
        w.set_u32("tokenizer.ggml.unknown_token_id", 0);
        w.finish();
    }
    return path;
}

// A tiny bitnet-b1.58 model (2 layers, dim 256, 512 tokens), with tiny_vocab's tokenizer when
// `with_vocab` (so text, UTF-8 streaming and stop strings can be tested).
inline std::string tiny_model_path(bool with_vocab, TensorType weights = TensorType::I2_S,
                                   int context = 128) {
    const auto dir = test_dir();
    const std::string name = std::string("tiny_") + (with_vocab ? "vocab_" : "") +
                             tensor_type_name(weights) + "_" + std::to_string(context) + ".gguf";
    const auto path = (dir / name).string();
    if (!std::filesystem::exists(path)) {
        SyntheticModelSpec spec = synthetic_shape("tiny");
        spec.weight_type = weights;
        spec.context_length = context;
        if (with_vocab) {
            spec.vocab_from = tiny_vocab_path(dir);
        }
        write_synthetic_model(spec, path);
    }
    return path;
}

} // namespace tern::engine::testing
