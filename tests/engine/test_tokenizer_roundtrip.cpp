// decode(encode(s)) == s on real and generated text, and what happens to invalid UTF-8.
#include "tokenizer_test_data.h"

#include <gtest/gtest.h>

#include <random>

namespace tern::engine::test {
namespace {

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Deterministic text mixing every plane, combining marks, emoji (with ZWJ and skin tones),
// CJK, right-to-left scripts, digits, punctuation and assorted whitespace.
std::string generated_unicode(std::uint32_t seed, std::size_t pieces) {
    std::mt19937 rng(seed);
    const auto pick = [&](char32_t lo, char32_t hi) {
        return static_cast<char32_t>(lo + rng() % (hi - lo + 1));
    };
    std::string out;
    for (std::size_t i = 0; i < pieces; ++i) {
        switch (rng() % 12) {
        case 0: { // any scalar value of any plane (no surrogates)
            char32_t cp = pick(0x20, 0x10FFFF);
            if (cp >= 0xD800 && cp <= 0xDFFF) cp -= 0x800;
            append_utf8(out, cp);
            break;
        }
        case 1: // a letter with stacked combining marks
            append_utf8(out, pick('a', 'z'));
            for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) append_utf8(out, pick(0x300, 0x36F));
            break;
        case 2: // emoji, sometimes a ZWJ family or a skin tone
            append_utf8(out, pick(0x1F300, 0x1FAFF));
            if (rng() % 2) {
                append_utf8(out, 0x200D);
                append_utf8(out, pick(0x1F466, 0x1F469));
            } else {
                append_utf8(out, pick(0x1F3FB, 0x1F3FF));
            }
            break;
        case 3: for (int k = 0; k < 4; ++k) append_utf8(out, pick(0x4E00, 0x9FFF)); break; // CJK
        case 4: for (int k = 0; k < 5; ++k) append_utf8(out, pick(0x5D0, 0x5EA)); break;   // Hebrew
        case 5: for (int k = 0; k < 5; ++k) append_utf8(out, pick(0x621, 0x64A)); break;   // Arabic
        case 6: append_utf8(out, 0x200F); append_utf8(out, 0x202E); break;                 // RTL marks
        case 7: out += std::to_string(rng() % 100000); break;
        case 8: out += " the quick brown fox"; break;
        case 9: {
            static const char* const spaces[] = {" ", "  ", "\n", "\r\n", "\t", "\n\n  ", "\xC2\xA0", "\xE3\x80\x80"};
            out += spaces[rng() % 8];
            break;
        }
        case 10: out += "'s 've !?.,;:()[]{}<|>"; break;
        default: append_utf8(out, pick(0x10000, 0x2FFFF)); break; // supplementary planes
        }
    }
    return out;
}

void expect_round_trip(const Tokenizer& t, const std::string& text) {
    const auto ids = t.encode(text);
    const std::string back = t.decode(ids);
    ASSERT_EQ(back.size(), text.size());
    EXPECT_TRUE(back == text);
}

TEST(TokenizerRoundTrip, TinyShakespeareLlama3) {
    expect_round_trip(llama3_tokenizer(), read_all(std::string(TERN_SHARED_DATA_DIR) + "/tinyshakespeare.txt"));
}

TEST(TokenizerRoundTrip, TinyShakespeareGpt2) {
    expect_round_trip(gpt2_tokenizer(), read_all(std::string(TERN_SHARED_DATA_DIR) + "/tinyshakespeare.txt"));
}

TEST(TokenizerRoundTrip, TinyShakespeareSentencePiece) {
    expect_round_trip(llama_spm_tokenizer(), read_all(std::string(TERN_SHARED_DATA_DIR) + "/tinyshakespeare.txt"));
}

TEST(TokenizerRoundTrip, GeneratedUnicodeAllTokenizers) {
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
        const std::string text = generated_unicode(seed, 400);
        expect_round_trip(llama3_tokenizer(), text);
        expect_round_trip(gpt2_tokenizer(), text);
        // SentencePiece reads U+2581 as its own space marker, so that one character is excluded.
        std::string without_meta_space;
        for (std::size_t p = 0; p < text.size(); ++p) {
            if (text.compare(p, 3, "\xE2\x96\x81") == 0) {
                without_meta_space += '_';
                p += 2;
            } else {
                without_meta_space += text[p];
            }
        }
        expect_round_trip(llama_spm_tokenizer(), without_meta_space);
    }
}

TEST(TokenizerRoundTrip, PiecesConcatenateToTheText) {
    // Streaming output is the concatenation of pieces: it must equal decode() after the first
    // token (SentencePiece drops its dummy-prefix space only at the very start).
    const std::string text = "Hello, wörld! 🦙 ½ 東京\n  indented";
    for (const Tokenizer* t : {&llama3_tokenizer(), &gpt2_tokenizer(), &llama_spm_tokenizer()}) {
        const auto ids = t->encode(text);
        std::string joined;
        for (const auto id : ids) joined += t->piece(id);
        if (t->model_name() == "llama") {
            ASSERT_EQ(joined.front(), ' ');
            joined.erase(0, 1);
        }
        EXPECT_EQ(joined, text) << t->model_name();
    }
}

TEST(TokenizerInvalidUtf8, ByteLevelBpeKeepsTheBytes) {
    const std::string bad[] = {std::string("a\xFF" "b"), std::string("\xE2\x82"), std::string("\xC0\xAF"),
                               std::string("\xED\xA0\x80 surrogate"), std::string("\xF4\x90\x80\x80"),
                               std::string("ok\x80\x80\x80 then text"), std::string("x\0y", 3),
                               std::string("\xF0\x9F\xA6 truncated emoji")};
    for (const Tokenizer* t : {&llama3_tokenizer(), &gpt2_tokenizer()}) {
        for (const auto& s : bad) {
            const auto ids = t->encode(s);
            EXPECT_FALSE(ids.empty());
            EXPECT_EQ(t->decode(ids), s);
        }
    }
    // Every invalid byte is a word of its own: 0xFF is never merged with its neighbours.
    const Tokenizer& l3 = llama3_tokenizer();
    const auto ids = l3.encode("a\xFF" "b");
    ASSERT_EQ(ids.size(), 3u);
    EXPECT_EQ(l3.piece(ids[1]), "\xFF");
}

TEST(TokenizerInvalidUtf8, SentencePieceReplacesEachBadByte) {
    const Tokenizer& t = llama_spm_tokenizer();
    EXPECT_EQ(t.decode(t.encode("a\xFF" "b")), "a\xEF\xBF\xBD" "b");
    EXPECT_EQ(t.decode(t.encode("\xE2\x82")), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TokenizerInvalidUtf8, RandomBytesNeverCrash) {
    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
        std::string s(1 + rng() % 64, '\0');
        for (char& c : s) c = static_cast<char>(rng() & 0xFF);
        const auto l3 = llama3_tokenizer().encode(s, true, true);
        EXPECT_EQ(llama3_tokenizer().decode(std::span<const Token>(l3).subspan(1), true), s);
        EXPECT_EQ(gpt2_tokenizer().decode(gpt2_tokenizer().encode(s)), s);
        const auto spm = llama_spm_tokenizer().encode(s);
        for (const auto id : spm) EXPECT_LT(id, llama_spm_tokenizer().vocab_size());
    }
}

} // namespace
} // namespace tern::engine::test
