// The regex pre-tokenizers on their own, and concurrent use of one tokenizer.
#include "pretokenizer.h"
#include "tokenizer_test_data.h"

#include <gtest/gtest.h>

#include <thread>

namespace tern::engine::tokenizer_detail {
namespace {

std::vector<std::string> split(const std::string& name, const std::string& text) {
    bool ignore_merges = false;
    PreTokenizer pre(pre_tokenizer_regexes(name, ignore_merges), "test");
    std::vector<std::string_view> words;
    pre.split(text, words);
    return {words.begin(), words.end()};
}

using Words = std::vector<std::string>;

TEST(PreTokenizer, Llama3) {
    EXPECT_EQ(split("llama-bpe", "Hello world's 12345 ...\n\n  x"),
              (Words{"Hello", " world", "'s", " ", "123", "45", " ...\n\n", " ", " x"}));
    EXPECT_EQ(split("llama-bpe", "I'M"), (Words{"I", "'M"})); // the contractions ignore case
}

TEST(PreTokenizer, Gpt2) {
    EXPECT_EQ(split("gpt-2", "Hello world's 12345 ...\n\n  x"),
              (Words{"Hello", " world", "'s", " 12345", " ...", "\n\n ", " x"}));
}

TEST(PreTokenizer, FalconIsolatesPunctuationAndDigitTriples) {
    EXPECT_EQ(split("falcon", "Hello, world! 12345"),
              (Words{"Hello", ",", " world", "!", " ", "123", "45"}));
}

TEST(PreTokenizer, DefaultSplitsNumbers) {
    EXPECT_EQ(split("default", "ab 1234"), (Words{"ab", " ", "123", "4"}));
}

TEST(PreTokenizer, UnicodeWhiteSpaceIncludesNextLine) {
    // U+0085 is Unicode White_Space (as in the reference implementations), unlike PCRE2's \s.
    EXPECT_EQ(with_unicode_whitespace(R"([^\s\p{L}]|\s+(?!\S))"),
              R"([^\t\n\x{0B}\f\r\x{85}\p{Z}\p{L}]|[\t\n\x{0B}\f\r\x{85}\p{Z}]+(?![^\t\n\x{0B}\f\r\x{85}\p{Z}]))");
    EXPECT_EQ(split("gpt-2", "a\xC2\x85" "b"), (Words{"a", "\xC2\x85", "b"}));
}

TEST(PreTokenizer, InvalidBytesAreWordsOfTheirOwn) {
    EXPECT_EQ(split("llama-bpe", "ab\xFF" "cd"), (Words{"ab", "\xFF", "cd"}));
    EXPECT_EQ(split("llama-bpe", "\xE2\x82"), (Words{"\xE2", "\x82"}));
}

TEST(PreTokenizer, UnknownNameIsAnError) {
    bool ignore_merges = false;
    EXPECT_THROW(pre_tokenizer_regexes("klingon", ignore_merges), Error);
    EXPECT_THROW(PreTokenizer({"(unclosed"}, "test"), Error);
}

TEST(TokenizerThreads, ConcurrentEncodingGivesTheSameIds) {
    const Tokenizer& t = test::llama3_tokenizer();
    const std::string text = test::read_all(std::string(TERN_SHARED_DATA_DIR) + "/tinyshakespeare.txt").substr(0, 200000);
    const auto expected = t.encode(text);
    std::vector<std::vector<Token>> results(4);
    std::vector<std::thread> threads;
    for (auto& r : results) threads.emplace_back([&] { r = t.encode(text); });
    for (auto& th : threads) th.join();
    for (const auto& r : results) EXPECT_EQ(r, expected);
}

} // namespace
} // namespace tern::engine::tokenizer_detail
