// Shared set-up for the Hub client tests: a MockHub, a fresh temporary folder, settings with
// millisecond timings so every fault test runs in well under a second or two.
#pragma once

#include "mock_hub.h"
#include "tern/downloader/hub_client.h"
#include "tern/downloader/sha256.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace tern::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline std::string random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 generator(seed);
    std::string out(size, '\0');
    for (auto& c : out) {
        c = static_cast<char>(generator() & 0xff);
    }
    return out;
}

inline std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void set_env(const char* name, const char* value) {
#ifdef _WIN32
    _putenv_s(name, value ? value : "");
#else
    if (value) {
        setenv(name, value, 1);
    } else {
        unsetenv(name);
    }
#endif
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class HubTest : public ::testing::Test {
protected:
    static constexpr const char* kRepo = "tern-test/tiny-model";

    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("tern-hub-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
                std::to_string(std::random_device{}()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        weights_ = random_bytes(300000, 1);
        config_ = R"({"architectures": ["BitnetForCausalLM"], "hidden_size": 64})";
        hub_.add_repo(kRepo, {{"model.safetensors", {weights_, true}},
                              {"config.json", {config_, false}}});
    }
    void TearDown() override {
        hub_.stop();
        std::error_code error;
        fs::remove_all(dir_, error);
    }

    downloader::HubSettings settings() const {
        downloader::HubSettings s;
        s.endpoint = hub_.endpoint();
        s.no_proxy = "127.0.0.1,localhost"; // an https_proxy in the environment must not interfere
        s.backoff_base = 10ms;
        s.backoff_max = 40ms;
        s.max_attempts = 4;
        s.connect_timeout = 2000ms;
        // Long enough that a loaded CI machine (ASan, 2 cores) never trips it by accident; the
        // stall tests set their own.
        s.stall_timeout = 5000ms;
        s.api_timeout = 5000ms;
        s.progress_interval = 0ms;
        return s;
    }

    downloader::DownloadRequest request(const std::string& repo = kRepo) const {
        downloader::DownloadRequest r;
        r.repo = repo;
        r.destination = dir_ / "model";
        return r;
    }

    fs::path model_file(const std::string& name) const { return dir_ / "model" / name; }

    MockHub hub_;
    fs::path dir_;
    std::string weights_;
    std::string config_;
};

} // namespace tern::testing
