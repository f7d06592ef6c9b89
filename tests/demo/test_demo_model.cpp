// The built-in demo model against the figures PyTorch recorded when it was exported
// (resources/demo-model/reference.json, written by resources/demo-model/export.py):
//  - the shipped GGUF is what Tern's converter makes of the exported Hugging Face checkpoint;
//  - the engine's tokenizer splits the held-out text and the prompts into the same ids;
//  - held-out perplexity (ternary inference, the framing written in reference.json) within 1%;
//  - greedy 64-token continuations of three prompts identical, token for token.
#include "tern/downloader/converter.h"
#include "tern/engine/data_paths.h"
#include "tern/engine/engine.h"
#include "tern/engine/tokenizer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace tern::engine;
using nlohmann::json;

namespace {

const fs::path kResources = fs::path(TERN_SOURCE_DIR) / "resources";
const fs::path kModel = kResources / "tern-demo.gguf";
const fs::path kDemoDir = kResources / "demo-model";

// The first chunks of the held-out text (reference.json records every chunk's NLL, so any prefix
// compares exactly); all 81 chunks take ~20 CPU-seconds, which check_engine.py covers instead.
#if defined(TERN_SANITIZER_BUILD)
constexpr std::size_t kMaxChunks = 3; // sanitized builds are ~10x slower
#else
constexpr std::size_t kMaxChunks = 12;
#endif

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const json& reference() {
    static const json r = json::parse(read_file(kDemoDir / "reference.json"));
    return r;
}

std::shared_ptr<Model> demo_model() {
    static std::shared_ptr<Model> model = [] {
        LoadOptions options;
        options.threads = 2;
        return Model::load(kModel.string(), options);
    }();
    return model;
}

std::string fnv1a64(const std::vector<Token>& ids) {
    std::uint64_t h = 0xCBF29CE484222325ull;
    for (Token t : ids) {
        const auto u = static_cast<std::uint32_t>(t);
        for (int b = 0; b < 4; ++b) {
            h = (h ^ ((u >> (8 * b)) & 0xFFu)) * 0x100000001B3ull;
        }
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

std::vector<Token> heldout_ids() {
    const json& e = reference()["evaluation"];
    const std::string text = read_file(fs::path(TERN_SHARED_DATA_DIR) / "tinyshakespeare.txt");
    const auto offset = e["heldout_offset"].get<std::size_t>();
    EXPECT_EQ(text.size() - offset, e["heldout_bytes"].get<std::size_t>());
    return demo_model()->tokenizer().encode(std::string_view(text).substr(offset), false);
}

double log_softmax_at(std::span<const float> logits, Token target) {
    double max = logits[0];
    for (float l : logits) max = std::max(max, static_cast<double>(l));
    double sum = 0;
    for (float l : logits) sum += std::exp(static_cast<double>(l) - max);
    return static_cast<double>(logits[static_cast<std::size_t>(target)]) - max - std::log(sum);
}

Token argmax(std::span<const float> logits) {
    return static_cast<Token>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

TEST(DemoModel, IsTheConvertedCheckpointAndSmall) {
    ASSERT_TRUE(fs::is_regular_file(kModel)) << kModel;
    EXPECT_LT(fs::file_size(kModel), 20u * 1024 * 1024);
    const ModelInfo& info = demo_model()->info();
    EXPECT_EQ(info.architecture, "bitnet-b1.58");
    EXPECT_EQ(info.weight_type, "I2_S");
    EXPECT_EQ(info.train_context_length, reference()["evaluation"]["chunk_tokens"].get<int>());

    // The shipped file is exactly what the converter makes of resources/demo-model/tern-demo.
    std::random_device rd;
    const fs::path out = fs::temp_directory_path() / ("tern-demo-" + std::to_string(rd()) + ".gguf");
    tern::downloader::convert_checkpoint(kDemoDir / "tern-demo", out);
    const bool same = read_file(out) == read_file(kModel);
    fs::remove(out);
    EXPECT_TRUE(same) << "resources/tern-demo.gguf differs from a fresh conversion of "
                         "resources/demo-model/tern-demo: re-run tern-cli convert (see "
                         "resources/demo-model/README.md)";
}

TEST(DemoModel, IsTheDefaultModelOfDevelopmentBuilds) {
    DataSearchInputs in = current_data_search_inputs();
    in.env_data_dir.clear();
    const auto found = find_data_file(kDemoModelFile, in);
    ASSERT_TRUE(found.has_value());
    EXPECT_TRUE(fs::equivalent(*found, kModel)) << *found;
}

TEST(DemoModel, TokenizerMatchesSentencePiece) {
    const json& e = reference()["evaluation"];
    const std::vector<Token> ids = heldout_ids();
    ASSERT_EQ(ids.size(), e["heldout_tokens"].get<std::size_t>());
    const auto first = e["heldout_first_tokens"].get<std::vector<Token>>();
    EXPECT_EQ(std::vector<Token>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(first.size())), first);
    EXPECT_EQ(fnv1a64(ids), e["heldout_tokens_fnv1a64"].get<std::string>());
    const Tokenizer& tok = demo_model()->tokenizer();
    for (const json& g : reference()["greedy"]) {
        EXPECT_EQ(tok.encode(g["prompt"].get<std::string>(), true), g["prompt_ids"].get<std::vector<Token>>())
            << g["prompt"];
    }
}

TEST(DemoModel, HeldOutPerplexityMatchesPyTorch) {
    const json& r = reference();
    const std::vector<Token> ids = heldout_ids();
    const auto ctx = r["evaluation"]["chunk_tokens"].get<std::size_t>();
    const auto reference_nll = r["chunk_nll"].get<std::vector<double>>();
    const std::size_t chunks = std::min({ids.size() / ctx, reference_nll.size(), kMaxChunks});
    ASSERT_GT(chunks, 0u);
    ASSERT_EQ(ids.size() / ctx, reference_nll.size());

    Session session(demo_model());
    const Token bos = demo_model()->tokenizer().bos();
    double nll = 0, expected = 0;
    for (std::size_t c = 0; c < chunks; ++c) {
        // BOS, then the chunk's first ctx-1 tokens; every token of the chunk is scored.
        std::vector<Token> input{bos};
        input.insert(input.end(), ids.begin() + static_cast<std::ptrdiff_t>(c * ctx),
                     ids.begin() + static_cast<std::ptrdiff_t>((c + 1) * ctx - 1));
        session.reset();
        double chunk = 0;
        session.evaluate(input, [&](std::size_t i, std::span<const float> logits) {
            chunk -= log_softmax_at(logits, ids[c * ctx + i]);
        });
        nll += chunk;
        expected += reference_nll[c];
    }
    const double ppl = std::exp(nll / static_cast<double>(chunks * ctx));
    const double want = std::exp(expected / static_cast<double>(chunks * ctx));
    std::printf("held-out perplexity over %zu chunks of %zu tokens: engine %.4f, PyTorch %.4f (%+.3f%%)\n",
                chunks, ctx, ppl, want, 100.0 * (ppl / want - 1.0));
    EXPECT_NEAR(ppl / want, 1.0, 0.01);
    if (chunks == reference_nll.size()) {
        EXPECT_NEAR(want / r["perplexity"].get<double>(), 1.0, 1e-9);
    }
}

TEST(DemoModel, GreedyContinuationsMatchPyTorch) {
    Session session(demo_model());
    for (const json& g : reference()["greedy"]) {
        std::vector<Token> ids = g["prompt_ids"].get<std::vector<Token>>();
        const auto want = g["ids"].get<std::vector<Token>>();
        const std::size_t prompt_size = ids.size();
        // Token by token through the KV cache: each call reuses the cached prefix.
        for (std::size_t n = 0; n < want.size(); ++n) {
            session.evaluate(ids, [](std::size_t, std::span<const float>) {});
            ids.push_back(argmax(session.last_logits()));
        }
        const std::vector<Token> got(ids.begin() + static_cast<std::ptrdiff_t>(prompt_size), ids.end());
        EXPECT_EQ(got, want) << "prompt " << g["prompt"] << ": engine \""
                             << demo_model()->tokenizer().decode(got) << "\"";

        // The same through generate() with greedy sampling, as the app and tern-cli run it.
        Session fresh(demo_model());
        GenerateOptions options;
        options.max_tokens = static_cast<int>(want.size());
        options.ignore_eos = true;
        options.sampling.temperature = 0.0f;
        options.sampling.top_k = 0;
        options.sampling.top_p = 1.0f;
        options.sampling.min_p = 0.0f;
        options.sampling.repetition_penalty = 1.0f;
        std::string text;
        const auto prompt = g["prompt_ids"].get<std::vector<Token>>();
        fresh.generate(prompt, options, [&](std::string_view piece) { text += piece; });
        EXPECT_EQ(text, g["text"].get<std::string>()) << "prompt " << g["prompt"];
    }
}

} // namespace
