// Every way to load a tokenizer gives the same ids; bad files give errors naming the file.
#include "sentencepiece_proto.h"
#include "tokenizer_test_data.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <random>

namespace tern::engine::test {
namespace {

namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() {
        path_ = fs::temp_directory_path() /
                ("tern_tokenizer_test_" + std::to_string(std::random_device{}()));
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    std::string file(const std::string& name, const std::string& contents) const {
        const auto p = path_ / name;
        std::ofstream(p, std::ios::binary) << contents;
        return p.string();
    }

private:
    fs::path path_;
};

void expect_same_ids(const Tokenizer& t, const std::string& inp, const std::string& out) {
    for (const auto& c : read_cases(vocab_path(inp), vocab_path(out))) {
        EXPECT_EQ(t.encode(c.text), c.ids) << "text: '" << c.text << "'";
    }
}

// A tokenizer.json as Hugging Face writes one for LLaMA-3, built from the rank file's data.
std::string llama3_tokenizer_json(const Vocabulary& v) {
    nlohmann::json vocab = nlohmann::json::object();
    nlohmann::json added = nlohmann::json::array();
    for (std::size_t i = 0; i < v.tokens.size(); ++i) {
        if (v.types[i] == static_cast<int>(TokenType::Control)) {
            added.push_back({{"id", i}, {"content", v.tokens[i]}, {"special", true}});
        } else {
            vocab[v.tokens[i]] = i;
        }
    }
    const std::string regex =
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    nlohmann::json j = {
        {"added_tokens", added},
        {"normalizer", nullptr},
        {"pre_tokenizer",
         {{"type", "Sequence"},
          {"pretokenizers",
           {{{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}, {"invert", false}},
            {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}}}}}},
        {"post_processor",
         {{"type", "TemplateProcessing"},
          {"single", {{{"SpecialToken", {{"id", "<|begin_of_text|>"}, {"type_id", 0}}}},
                      {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}}}},
        {"decoder", {{"type", "ByteLevel"}}},
        {"model", {{"type", "BPE"}, {"ignore_merges", true}, {"vocab", vocab}, {"merges", v.merges}}}};
    return j.dump();
}

TEST(TokenizerLoaders, TokenizerJsonGivesTheReferenceIds) {
    const Vocabulary v = vocabulary_from_tiktoken(vocab_path("llama3-tiktoken.model"));
    TempDir dir;
    const std::string path = dir.file("tokenizer.json", llama3_tokenizer_json(v));
    dir.file("tokenizer_config.json",
             R"({"bos_token": "<|begin_of_text|>", "eos_token": {"content": "<|eot_id|>"},
                 "chat_template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}"})");
    const Vocabulary loaded = vocabulary_from_tokenizer_json(path, fs::path(path).parent_path().string() + "/tokenizer_config.json");
    EXPECT_EQ(loaded.pre, "llama-bpe");
    EXPECT_TRUE(loaded.ignore_merges);
    EXPECT_EQ(loaded.merges.size(), v.merges.size());
    const auto t = Tokenizer::from_file(path); // finds tokenizer_config.json beside it
    expect_same_ids(*t, "llama3-bpe.inp", "llama3-bpe.out");
    EXPECT_EQ(t->bos(), 128000);
    EXPECT_EQ(t->eos(), 128009);
    EXPECT_TRUE(t->add_bos_by_default());
    EXPECT_NE(t->chat_template().find("bos_token"), std::string::npos);
}

TEST(TokenizerLoaders, SentencePieceModelFileGivesTheReferenceIds) {
    // A tokenizer.model written from the GGUF vocabulary, loaded as a file, gives the same ids,
    // and reading it back gives the same vocabulary.
    const Vocabulary v = vocabulary_from_gguf(vocab_path("ggml-vocab-llama-spm.gguf"));
    TempDir dir;
    const std::string path = dir.file("tokenizer.model", tokenizer_detail::sentencepiece_model_proto(v));
    const auto t = Tokenizer::from_file(path);
    EXPECT_EQ(t->model_name(), "llama");
    expect_same_ids(*t, "ggml-vocab-llama-spm.gguf.inp", "ggml-vocab-llama-spm.gguf.out");
    const Vocabulary back = vocabulary_from_sentencepiece(path);
    EXPECT_EQ(back.tokens, v.tokens);
    EXPECT_EQ(back.scores, v.scores);
    EXPECT_EQ(back.types, v.types);
    EXPECT_EQ(back.bos, v.bos);
    EXPECT_EQ(back.eos, v.eos);
    EXPECT_EQ(back.unk, v.unk);
    EXPECT_TRUE(back.add_space_prefix);
}

TEST(TokenizerLoaders, PiecesOfSpecialAndByteTokens) {
    const Tokenizer& spm = llama_spm_tokenizer();
    EXPECT_EQ(spm.piece(13), "\n");   // <0x0A>
    EXPECT_EQ(spm.piece(1), "");      // <s> is a control token
    EXPECT_EQ(spm.piece(1, true), "<s>");
    EXPECT_EQ(spm.token_type(13), TokenType::Byte);
    EXPECT_EQ(spm.piece(spm.find_token("\xE2\x96\x81Hello")), " Hello");
    EXPECT_EQ(spm.piece(-1), "");
    EXPECT_EQ(spm.piece(1'000'000), "");
    const Tokenizer& l3 = llama3_tokenizer();
    EXPECT_EQ(l3.piece(220), " ");
    EXPECT_EQ(l3.piece(128009), "");
    EXPECT_EQ(l3.piece(128009, true), "<|eot_id|>");
    // "½" is two bytes; some of LLaMA-3's tokens hold only part of a character.
    const auto ids = l3.encode("\xF0\x9F\xA6\x99"); // 🦙
    std::string joined;
    for (const auto id : ids) joined += l3.piece(id);
    EXPECT_EQ(joined, "\xF0\x9F\xA6\x99");
}

TEST(TokenizerLoaders, SpecialTokensOnlyWhenAsked) {
    const Tokenizer& t = llama3_tokenizer();
    const std::string text = "<|start_header_id|>user<|end_header_id|>";
    const auto parsed = t.encode(text, false, true);
    EXPECT_EQ(parsed, (std::vector<Token>{128006, 882, 128007}));
    const auto plain = t.encode(text, false, false);
    EXPECT_EQ(std::count_if(plain.begin(), plain.end(), [](Token id) { return id >= 128000; }), 0);
    EXPECT_EQ(t.decode(plain), text);
    EXPECT_EQ(t.encode("hi", true).front(), 128000);
    EXPECT_EQ(t.encode("hi", false).front(), 6151);
    // SentencePiece: <s> in text is text unless parse_special.
    const Tokenizer& spm = llama_spm_tokenizer();
    EXPECT_EQ(spm.encode("<s>", false, true), (std::vector<Token>{1}));
    EXPECT_NE(spm.encode("<s>", false, false), (std::vector<Token>{1}));
}

TEST(TokenizerLoaders, BadFilesGiveErrorsNamingThem) {
    TempDir dir;
    const auto message_of = [](const std::function<void()>& f) {
        try {
            f();
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    const std::string missing = "/nonexistent/tokenizer.model";
    EXPECT_NE(message_of([&] { Tokenizer::from_file(missing); }).find(missing), std::string::npos);
    const std::string garbage = dir.file("garbage.model", "\xFF\xFF\xFF\xFF not a proto");
    EXPECT_NE(message_of([&] { Tokenizer::from_file(garbage); }).find(garbage), std::string::npos);
    const std::string bad_json = dir.file("tokenizer.json", "{ not json");
    EXPECT_NE(message_of([&] { Tokenizer::from_file(bad_json); }).find("not valid JSON"), std::string::npos);
    const std::string wrong_json = dir.file("other.json", R"({"model": {"type": "WordPiece"}})");
    EXPECT_NE(message_of([&] { Tokenizer::from_file(wrong_json); }).find(wrong_json), std::string::npos);
    const std::string bad_ranks = dir.file("ranks.model", "IQ== 0\nIg== x\n");
    EXPECT_NE(message_of([&] { Tokenizer::from_file(bad_ranks); }).find("line 2"), std::string::npos);
    // A GGUF cut short in its metadata.
    const std::string full = read_all(vocab_path("ggml-vocab-gpt-2.gguf"));
    const std::string cut = dir.file("cut.gguf", full.substr(0, full.size() / 3));
    EXPECT_NE(message_of([&] { Tokenizer::from_file(cut); }).find(cut), std::string::npos);
    // A GGUF whose tokenizer names an unknown pre-tokenizer.
    Vocabulary v = vocabulary_from_gguf(vocab_path("ggml-vocab-gpt-2.gguf"));
    v.pre = "klingon";
    EXPECT_NE(message_of([&] { Tokenizer::from_vocabulary(v, "x.gguf"); }).find("klingon"), std::string::npos);
    v.pre = "gpt-2";
    v.merges.push_back("nosuchtoken another");
    EXPECT_NE(message_of([&] { Tokenizer::from_vocabulary(v, "x.gguf"); }).find("merge"), std::string::npos);
}

} // namespace
} // namespace tern::engine::test
