// Where Tern keeps the models it downloads.
#pragma once

#include <filesystem>
#include <string>

namespace tern::downloader {

// $TERN_MODELS_DIR, else the per-user data folder: $XDG_DATA_HOME/tern/models or
// ~/.local/share/tern/models (Linux), ~/Library/Application Support/Tern/models (macOS),
// %LOCALAPPDATA%\Tern\models (Windows).
std::filesystem::path default_models_dir();

// The folder name for a repository: "owner/name" -> "owner--name" (like the HF cache).
std::string model_folder_name(const std::string& repo);

} // namespace tern::downloader
