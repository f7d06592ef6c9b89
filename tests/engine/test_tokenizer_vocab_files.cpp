// Exact ids on the reference cases of each vocabulary (LLaMA-3 from the tiktoken rank file,
// GPT-2 and LLaMA-2 SentencePiece from GGUF vocabularies).
#include "tokenizer_test_data.h"

#include <gtest/gtest.h>

namespace tern::engine::test {
namespace {

void expect_cases(const Tokenizer& tokenizer, const std::string& inp, const std::string& out) {
    const auto cases = read_cases(vocab_path(inp), vocab_path(out));
    ASSERT_GE(cases.size(), 40u);
    std::size_t identical = 0;
    for (const auto& c : cases) {
        const auto ids = tokenizer.encode(c.text, /*add_bos=*/false, /*parse_special=*/false);
        EXPECT_EQ(ids, c.ids) << "text: '" << c.text << "'";
        identical += ids == c.ids;
    }
    EXPECT_EQ(identical, cases.size());
}

TEST(TokenizerVocabFiles, Llama3FromTiktokenMatchesReferenceIds) {
    expect_cases(llama3_tokenizer(), "llama3-bpe.inp", "llama3-bpe.out");
}

TEST(TokenizerVocabFiles, Gpt2FromGgufMatchesReferenceIds) {
    expect_cases(gpt2_tokenizer(), "ggml-vocab-gpt-2.gguf.inp", "ggml-vocab-gpt-2.gguf.out");
}

TEST(TokenizerVocabFiles, LlamaSentencePieceFromGgufMatchesReferenceIds) {
    expect_cases(llama_spm_tokenizer(), "ggml-vocab-llama-spm.gguf.inp",
                 "ggml-vocab-llama-spm.gguf.out");
}

TEST(TokenizerVocabFiles, TiktokenRanksGiveTheKnownMergeCount) {
    // FORMATS.md: every split of every token into two tokens: 280,147 merges for LLaMA-3.
    const Vocabulary v = vocabulary_from_tiktoken(vocab_path("llama3-tiktoken.model"));
    EXPECT_EQ(v.merges.size(), 280147u);
    EXPECT_EQ(v.tokens.size(), 128256u);
    EXPECT_EQ(v.tokens[128000], "<|begin_of_text|>");
    EXPECT_EQ(v.tokens[128009], "<|eot_id|>");
}

TEST(TokenizerVocabFiles, Llama3SpecialIds) {
    const Tokenizer& t = llama3_tokenizer();
    EXPECT_EQ(t.vocab_size(), 128256);
    EXPECT_EQ(t.bos(), 128000);
    EXPECT_EQ(t.eos(), 128001);
    EXPECT_EQ(t.eot(), 128009);
    EXPECT_TRUE(t.add_bos_by_default());
    EXPECT_TRUE(t.is_end_of_generation(128001));
    EXPECT_TRUE(t.is_end_of_generation(128009));
    EXPECT_FALSE(t.is_end_of_generation(128000));
    EXPECT_FALSE(t.is_end_of_generation(220));
    EXPECT_EQ(t.find_token("<|start_header_id|>"), 128006);
}

TEST(TokenizerVocabFiles, GgufSpecialIds) {
    const Tokenizer& spm = llama_spm_tokenizer();
    EXPECT_EQ(spm.model_name(), "llama");
    EXPECT_EQ(spm.bos(), 1);
    EXPECT_EQ(spm.eos(), 2);
    EXPECT_TRUE(spm.add_bos_by_default());
    EXPECT_TRUE(spm.is_end_of_generation(2));
    const Tokenizer& gpt2 = gpt2_tokenizer();
    EXPECT_EQ(gpt2.model_name(), "gpt2");
    EXPECT_EQ(gpt2.vocab_size(), 50257);
    EXPECT_EQ(gpt2.eos(), 50256);
}

} // namespace
} // namespace tern::engine::test
