// The data-file search: $TERN_DATA_DIR first, then the install layout beside the executable, then
// the source tree's resources/. Driven through DataSearchInputs on temporary folders, plus the
// real process inputs (environment variable, this build's source tree).
#include "tern/engine/data_paths.h"
#include "tern/engine/engine.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

namespace fs = std::filesystem;
using namespace tern::engine;

namespace {

void set_env(const char* name, const std::string& value) {
#if defined(_WIN32)
    _putenv_s(name, value.c_str()); // an empty value removes the variable
#else
    if (value.empty()) {
        unsetenv(name);
    } else {
        setenv(name, value.c_str(), 1);
    }
#endif
}

std::string get_env(const char* name) {
#if defined(_MSC_VER)
    char* value = nullptr;
    std::size_t length = 0;
    std::string out;
    if (_dupenv_s(&value, &length, name) == 0 && value != nullptr) {
        out = value;
        std::free(value);
    }
    return out;
#else
    const char* value = std::getenv(name);
    return value ? value : "";
#endif
}

class DataPaths : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        root_ = fs::temp_directory_path() / ("tern-data-paths-" + std::to_string(rd()));
        fs::create_directories(root_);
        saved_env_ = get_env("TERN_DATA_DIR");
    }
    void TearDown() override {
        set_env("TERN_DATA_DIR", saved_env_);
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    fs::path touch(const fs::path& relative) {
        const fs::path p = root_ / relative;
        fs::create_directories(p.parent_path());
        std::ofstream(p) << "x";
        return p;
    }
#if defined(_WIN32)
    static fs::path install_dir(const fs::path& prefix) { return prefix / "bin" / "data"; }
#else
    static fs::path install_dir(const fs::path& prefix) { return prefix / "share" / "tern"; }
#endif
    fs::path root_;
    std::string saved_env_;
};

TEST_F(DataPaths, SearchOrderIsEnvThenInstallThenSource) {
    DataSearchInputs in;
    in.env_data_dir = (root_ / "env").string();
    in.executable = root_ / "prefix" / "bin" / "tern-cli";
    in.source_resources = root_ / "src" / "resources";
    const auto dirs = data_search_dirs(in);
    ASSERT_GE(dirs.size(), 3u);
    EXPECT_EQ(dirs.front(), root_ / "env");
    EXPECT_EQ(dirs.back(), root_ / "src" / "resources");
    bool has_install = false;
    for (const auto& d : dirs) has_install = has_install || d == install_dir(root_ / "prefix");
    EXPECT_TRUE(has_install);
}

TEST_F(DataPaths, FirstFolderHoldingTheFileWins) {
    DataSearchInputs in;
    in.env_data_dir = (root_ / "env").string();
    in.executable = root_ / "prefix" / "bin" / "tern-cli";
    in.source_resources = root_ / "src" / "resources";
    const fs::path from_source = touch("src/resources/tern-demo.gguf");
    EXPECT_EQ(find_data_file(kDemoModelFile, in), from_source);

    const fs::path from_install = install_dir(root_ / "prefix") / "tern-demo.gguf";
    touch(fs::relative(from_install, root_));
    EXPECT_EQ(find_data_file(kDemoModelFile, in), from_install);

    const fs::path from_env = touch("env/tern-demo.gguf");
    EXPECT_EQ(find_data_file(kDemoModelFile, in), from_env);
    // A file only present further down the list is still found.
    const fs::path catalog = touch("src/resources/catalog.json");
    EXPECT_EQ(find_data_file(kCatalogFile, in), catalog);
}

TEST_F(DataPaths, MissingEverywhereIsNullopt) {
    DataSearchInputs in;
    in.env_data_dir = (root_ / "nowhere").string();
    in.executable = root_ / "bin" / "tern";
    EXPECT_FALSE(find_data_file(kDemoModelFile, in).has_value());
    EXPECT_FALSE(find_data_file(kDemoModelFile, DataSearchInputs{}).has_value());
    // A folder of that name is not a file.
    fs::create_directories(root_ / "nowhere" / "tern-demo.gguf");
    EXPECT_FALSE(find_data_file(kDemoModelFile, in).has_value());
}

TEST_F(DataPaths, ProcessInputsReadTheEnvironmentAndTheExecutable) {
    set_env("TERN_DATA_DIR", (root_ / "env").string());
    const fs::path model = touch("env/tern-demo.gguf");
    const auto in = current_data_search_inputs();
    EXPECT_EQ(in.env_data_dir, (root_ / "env").string());
    EXPECT_EQ(default_model_path(), model);
#if defined(__linux__) || defined(_WIN32) || defined(__APPLE__)
    const fs::path exe = executable_path();
    ASSERT_FALSE(exe.empty());
    EXPECT_NE(exe.filename().string().find("test_"), std::string::npos) << exe;
#endif
}

TEST_F(DataPaths, MissingDefaultModelNamesTheFoldersSearched) {
    DataSearchInputs in;
    in.env_data_dir = (root_ / "empty").string();
    in.executable = root_ / "prefix" / "bin" / "tern";
    try {
        (void)default_model_path(in);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find((root_ / "empty").string()), std::string::npos) << message;
        EXPECT_NE(message.find(install_dir(root_ / "prefix").string()), std::string::npos) << message;
        EXPECT_NE(message.find("TERN_DATA_DIR"), std::string::npos) << message;
    }
}

} // namespace
