#include "tern/downloader/catalog.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using tern::downloader::CatalogEntry;
using tern::downloader::entry_from_listing;
using tern::downloader::load_catalog;
using tern::downloader::parse_catalog;
using tern::downloader::RepoListing;

const std::string kShippedCatalog = std::string(TERN_SOURCE_DIR) + "/resources/catalog.json";

TEST(Catalog, ShippedCatalogLoadsAndListsEveryModelOfTheIssue) {
    const auto catalog = load_catalog(kShippedCatalog);
    EXPECT_EQ(catalog.version, 1);
    for (const char* id :
         {"microsoft/BitNet-b1.58-2B-4T-gguf", "microsoft/bitnet-b1.58-2B-4T", "microsoft/bitnet-b1.58-2B-4T-bf16",
          "1bitLLM/bitnet_b1_58-large", "1bitLLM/bitnet_b1_58-3B", "HF1BitLLM/Llama3-8B-1.58-100B-tokens",
          "tiiuae/Falcon3-1B-Instruct-1.58bit", "tiiuae/Falcon3-3B-Instruct-1.58bit",
          "tiiuae/Falcon3-7B-Instruct-1.58bit", "tiiuae/Falcon3-10B-Instruct-1.58bit",
          "tiiuae/Falcon-E-1B-Instruct", "tiiuae/Falcon-E-3B-Instruct"}) {
        const CatalogEntry* entry = catalog.find(id);
        ASSERT_NE(entry, nullptr) << id;
        EXPECT_GT(entry->download_bytes, 0u) << id;
        EXPECT_GT(entry->memory_bytes, 0u) << id;
        EXPECT_FALSE(entry->license.empty()) << id;
        EXPECT_FALSE(entry->files.empty()) << id;
    }
    const auto* gguf = catalog.find("microsoft/BitNet-b1.58-2B-4T-gguf");
    EXPECT_FALSE(gguf->needs_conversion);
    EXPECT_EQ(gguf->files, std::vector<std::string>{"ggml-model-i2_s.gguf"});
    EXPECT_EQ(gguf->architecture, "bitnet-b1.58");
    EXPECT_TRUE(catalog.find("1bitLLM/bitnet_b1_58-3B")->needs_conversion);
    EXPECT_EQ(catalog.find("HF1BitLLM/Llama3-8B-1.58-100B-tokens")->architecture, "llama");
    EXPECT_NE(catalog.find("MICROSOFT/bitnet-b1.58-2B-4T-GGUF"), nullptr) << "ids are case-insensitive";
}

TEST(Catalog, ValidationErrorsNameTheSourceTheEntryAndTheProblem) {
    const std::string good_entry =
        R"({"id":"a/b","name":"B","architecture":"llama","parameters":"1B","license":"MIT",
            "format":"gguf","needs_conversion":false,"files":["m.gguf"],"download_bytes":10,
            "download_size_approximate":false,"memory_bytes":20,"memory_approximate":true})";
    EXPECT_NO_THROW(parse_catalog(R"({"catalog_version":1,"models":[)" + good_entry + "]}"));
    const auto error_of = [](const std::string& text) {
        try {
            parse_catalog(text, "my-catalog.json");
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    const auto with = [&](const std::string& from, const std::string& to) {
        std::string entry = good_entry;
        entry.replace(entry.find(from), from.size(), to);
        return R"({"catalog_version":1,"models":[)" + entry + "]}";
    };
    EXPECT_NE(error_of("{").find("my-catalog.json: not valid JSON"), std::string::npos);
    EXPECT_NE(error_of(R"({"models":[]})").find("catalog_version"), std::string::npos);
    EXPECT_NE(error_of(R"({"catalog_version":9,"models":[]})").find("update Tern"), std::string::npos);
    EXPECT_NE(error_of(with(R"("id":"a/b")", R"("id":"../b")")).find("not a repository id"), std::string::npos);
    const std::string no_files = error_of(with(R"(["m.gguf"])", "[]"));
    EXPECT_NE(no_files.find("models[0] (a/b)"), std::string::npos) << no_files;
    EXPECT_NE(no_files.find("\"files\""), std::string::npos) << no_files;
    EXPECT_NE(error_of(with(R"(["m.gguf"])", R"(["../m.gguf"])")).find("../m.gguf"), std::string::npos);
    EXPECT_NE(error_of(with(R"("download_bytes":10)", R"("download_bytes":-1)")).find("download_bytes"),
              std::string::npos);
    EXPECT_NE(error_of(with(R"("format":"gguf")", R"("format":"bin")")).find("format"), std::string::npos);
    EXPECT_NE(error_of(with(R"("needs_conversion":false)", R"("needs_conversion":true)")).find("needs_conversion"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"catalog_version":1,"models":[)" + good_entry + "," + good_entry + "]}").find("twice"),
              std::string::npos);
    EXPECT_THROW(load_catalog("/nonexistent/catalog.json"), std::runtime_error);
}

RepoListing listing_of(std::vector<std::pair<std::string, std::uint64_t>> files) {
    RepoListing listing;
    listing.repo = "someone/model";
    listing.revision = "main";
    listing.commit = std::string(40, 'a');
    for (auto& [path, size] : files) {
        listing.files.push_back({path, size, std::nullopt, std::nullopt});
    }
    return listing;
}

TEST(Catalog, AnyRepositoryByIdPrefersATernaryGguf) {
    const auto entry = entry_from_listing(listing_of(
        {{"README.md", 10}, {"model-f16.gguf", 5000}, {"model-tq2_0.gguf", 800}, {"model-i2_s.gguf", 700}}));
    EXPECT_EQ(entry.files, std::vector<std::string>{"model-i2_s.gguf"});
    EXPECT_FALSE(entry.needs_conversion);
    EXPECT_EQ(entry.download_bytes, 700u);
    EXPECT_FALSE(entry.download_size_approximate);
    EXPECT_GT(entry.memory_bytes, 700u);
}

TEST(Catalog, AnyRepositoryByIdFallsBackToTheCheckpointForConversion) {
    const auto entry = entry_from_listing(listing_of({{"config.json", 1},
                                                      {"model-00001-of-00002.safetensors", 100},
                                                      {"model-00002-of-00002.safetensors", 50},
                                                      {"model.safetensors.index.json", 2},
                                                      {"tokenizer.json", 3},
                                                      {"original/consolidated.pth", 999},
                                                      {"README.md", 4}}));
    EXPECT_TRUE(entry.needs_conversion);
    EXPECT_EQ(entry.download_bytes, 156u);
    EXPECT_EQ(entry.files.size(), 5u);
    EXPECT_THROW(entry_from_listing(listing_of({{"README.md", 4}, {"pytorch_model.bin", 9}})),
                 tern::downloader::HubError);
}

TEST(Catalog, PatternsStayWithinOneFolder) {
    using tern::downloader::file_pattern_matches;
    EXPECT_TRUE(file_pattern_matches("*.json", "config.json"));
    EXPECT_FALSE(file_pattern_matches("*.json", "original/params.json"));
    EXPECT_TRUE(file_pattern_matches("original/*", "original/params.json"));
    EXPECT_TRUE(file_pattern_matches("model-0000?-of-*.safetensors", "model-00001-of-00002.safetensors"));
    EXPECT_FALSE(file_pattern_matches("model.gguf", "model.gguf.part"));
    EXPECT_TRUE(file_pattern_matches("*", "x"));
}

} // namespace
