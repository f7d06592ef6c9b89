#include "tern/downloader/safe_path.h"

#include <gtest/gtest.h>

#include <string>

using tern::downloader::is_safe_relative_path;
using tern::downloader::unsafe_relative_path_reason;

TEST(SafePath, AcceptsOrdinaryHubFileNames) {
    for (const char* name : {"config.json", "model.safetensors", "ggml-model-i2_s.gguf",
                             "original/params.json", "model-00001-of-00002.safetensors",
                             ".gitattributes", "tokenizer.model"}) {
        EXPECT_TRUE(is_safe_relative_path(name)) << name << ": " << *unsafe_relative_path_reason(name);
    }
}

TEST(SafePath, RejectsNamesThatEscapeOrMisbehave) {
    const char* bad[] = {"",         "/etc/passwd",   "../x",        "a/../../x",  "a/./b",
                         "a//b",     "C:\\x",         "c:x",         "a\\b",       "dir/",
                         "CON",      "con.txt",       "sub/COM1.gguf", "lpt9",     "trailing.",
                         "space ",   "star*",         "pipe|x"};
    for (const char* name : bad) {
        EXPECT_FALSE(is_safe_relative_path(name)) << '"' << name << '"';
    }
    EXPECT_FALSE(is_safe_relative_path(std::string("a\0b", 3)));
    EXPECT_FALSE(is_safe_relative_path("new\nline"));
    EXPECT_FALSE(is_safe_relative_path(std::string(2000, 'a')));
}

TEST(SafePath, ReasonSaysWhatIsWrong) {
    EXPECT_NE(unsafe_relative_path_reason("../x")->find(".."), std::string::npos);
    EXPECT_NE(unsafe_relative_path_reason("/abs")->find("absolute"), std::string::npos);
}
