// Where Tern finds the files it ships (the built-in demo model, the model catalog): the same
// search for the app, tern-cli and the tests, so "no model chosen" means the same file everywhere.
//
// Folders searched, in order; the first that holds the file wins:
//   1. $TERN_DATA_DIR, when set (a user's or a test's override);
//   2. the install layout, relative to the running executable:
//        Linux and other Unix: <exe_dir>/../share/tern
//        macOS: <exe_dir>/../Resources (inside an app bundle), then <exe_dir>/../share/tern
//        Windows: <exe_dir>/data
//   3. the source tree's resources/ folder, for development builds run from the build tree.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::engine {

// The built-in demo model's file name.
inline constexpr std::string_view kDemoModelFile = "tern-demo.gguf";
// The model catalog's file name.
inline constexpr std::string_view kCatalogFile = "catalog.json";

// What the search depends on, so tests can drive it without touching the process.
struct DataSearchInputs {
    std::string env_data_dir;            // $TERN_DATA_DIR ("" when unset)
    std::filesystem::path executable;    // the running program ("" when unknown)
    std::filesystem::path source_resources; // the source tree's resources/ ("" when not built in)
};

// The inputs of this process: the environment, the executable's path, the build's source tree.
DataSearchInputs current_data_search_inputs();

// The folders searched, in order (folders that do not exist included: the list says where
// Tern looked, for error messages).
std::vector<std::filesystem::path> data_search_dirs(const DataSearchInputs& inputs);

// The first `name` found in data_search_dirs(); nullopt when none holds it.
std::optional<std::filesystem::path> find_data_file(std::string_view name, const DataSearchInputs& inputs);
std::optional<std::filesystem::path> find_data_file(std::string_view name);

// The built-in demo model. Throws Error listing the folders searched when it is not found.
std::filesystem::path default_model_path();
std::filesystem::path default_model_path(const DataSearchInputs& inputs);

// The path of the running executable ("" when the platform does not say).
std::filesystem::path executable_path();

} // namespace tern::engine
