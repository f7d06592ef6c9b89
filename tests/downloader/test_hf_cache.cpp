#include "tern/downloader/hf_cache.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

namespace {

namespace fs = std::filesystem;
using tern::downloader::find_cached_model;
using tern::downloader::list_cached_models;

constexpr const char* kCommit = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

// Builds the huggingface_hub layout: blobs/, snapshots/<commit>/ with symlinks, refs/main.
class HfCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        cache_ = fs::temp_directory_path() / ("tern-hf-cache-" + std::to_string(std::random_device{}()));
        repo_dir_ = cache_ / "models--microsoft--BitNet-b1.58-2B-4T-gguf";
        write(repo_dir_ / "refs" / "main", kCommit);
        add_file("ggml-model-i2_s.gguf", "GGUF....");
        add_file("README.md", "# card");
    }
    void TearDown() override { fs::remove_all(cache_); }

    void add_file(const std::string& name, const std::string& content) {
        const auto blob = repo_dir_ / "blobs" / (name + ".blob");
        write(blob, content);
        const auto link = repo_dir_ / "snapshots" / kCommit / name;
        fs::create_directories(link.parent_path());
        std::error_code error;
        fs::create_symlink(fs::relative(blob, link.parent_path()), link, error);
        if (error) { // no symlink permission (Windows without developer mode): a plain copy
            fs::copy_file(blob, link);
        }
    }

    fs::path cache_;
    fs::path repo_dir_;
};

TEST_F(HfCacheTest, FindsASnapshotThroughRefsMain) {
    const auto model = find_cached_model("microsoft/BitNet-b1.58-2B-4T-gguf", "main", {"*.gguf"}, cache_);
    ASSERT_TRUE(model.has_value());
    EXPECT_EQ(model->commit, kCommit);
    EXPECT_EQ(model->snapshot_dir, repo_dir_ / "snapshots" / kCommit);
    EXPECT_EQ(model->files, (std::vector<std::string>{"README.md", "ggml-model-i2_s.gguf"}));
    // By commit hash directly, too.
    EXPECT_TRUE(find_cached_model("microsoft/BitNet-b1.58-2B-4T-gguf", kCommit, {}, cache_));
}

TEST_F(HfCacheTest, IgnoresSnapshotsMissingRequiredFilesOrWithDanglingLinks) {
    EXPECT_FALSE(find_cached_model("microsoft/BitNet-b1.58-2B-4T-gguf", "main", {"*.safetensors"}, cache_));
    EXPECT_FALSE(find_cached_model("microsoft/other", "main", {}, cache_));
    EXPECT_FALSE(find_cached_model("microsoft/BitNet-b1.58-2B-4T-gguf", "no-such-branch", {}, cache_));
    // A pruned blob leaves a dangling link: that file does not count as present.
    fs::remove(repo_dir_ / "blobs" / "ggml-model-i2_s.gguf.blob");
    if (fs::is_symlink(repo_dir_ / "snapshots" / kCommit / "ggml-model-i2_s.gguf")) {
        EXPECT_FALSE(find_cached_model("microsoft/BitNet-b1.58-2B-4T-gguf", "main", {"*.gguf"}, cache_));
    }
}

TEST_F(HfCacheTest, ListsEveryCachedModel) {
    const auto other = cache_ / "models--1bitLLM--bitnet_b1_58-large" / "snapshots" /
                       "ffffffffffffffffffffffffffffffffffffffff" / "config.json";
    write(other, "{}");
    write(cache_ / "datasets--someone--data" / "refs" / "main", kCommit); // not a model
    const auto models = list_cached_models(cache_);
    ASSERT_EQ(models.size(), 2u);
    EXPECT_EQ(models[0].repo, "1bitLLM/bitnet_b1_58-large");
    EXPECT_EQ(models[0].commit, "ffffffffffffffffffffffffffffffffffffffff");
    EXPECT_EQ(models[1].repo, "microsoft/BitNet-b1.58-2B-4T-gguf");
}

TEST(HfCacheDirs, FollowTheHuggingFaceEnvironmentVariables) {
#ifndef _WIN32
    setenv("HF_HOME", "/tmp/hf-home-test", 1);
    unsetenv("HF_HUB_CACHE");
    unsetenv("HUGGINGFACE_HUB_CACHE");
    EXPECT_EQ(tern::downloader::hf_hub_cache_dir(), fs::path("/tmp/hf-home-test/hub"));
    setenv("HF_HUB_CACHE", "/tmp/elsewhere", 1);
    EXPECT_EQ(tern::downloader::hf_hub_cache_dir(), fs::path("/tmp/elsewhere"));
    unsetenv("HF_HUB_CACHE");
    unsetenv("HF_HOME");
    setenv("XDG_CACHE_HOME", "/tmp/xdg", 1);
    EXPECT_EQ(tern::downloader::hf_hub_cache_dir(), fs::path("/tmp/xdg/huggingface/hub"));
    unsetenv("XDG_CACHE_HOME");
    EXPECT_EQ(tern::downloader::hf_hub_cache_dir().filename(), "hub");
#endif
}

} // namespace
