#include "tern/downloader/catalog.h"

#include "tern/downloader/safe_path.h"
#include "tern/engine/data_paths.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tern::downloader {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& where, const std::string& what) {
    throw std::runtime_error(source + ": " + where + ": " + what);
}

std::string required_string(const json& entry, const char* key, const std::string& source,
                            const std::string& where) {
    if (!entry.contains(key) || !entry[key].is_string() || entry[key].get<std::string>().empty()) {
        fail(source, where, std::string("\"") + key + "\" must be a non-empty string");
    }
    return entry[key].get<std::string>();
}

bool required_bool(const json& entry, const char* key, const std::string& source, const std::string& where) {
    if (!entry.contains(key) || !entry[key].is_boolean()) {
        fail(source, where, std::string("\"") + key + "\" must be true or false");
    }
    return entry[key].get<bool>();
}

std::uint64_t required_size(const json& entry, const char* key, const std::string& source,
                            const std::string& where) {
    if (!entry.contains(key) || !entry[key].is_number_unsigned() || entry[key].get<std::uint64_t>() == 0) {
        fail(source, where, std::string("\"") + key + "\" must be a positive number of bytes");
    }
    return entry[key].get<std::uint64_t>();
}

CatalogEntry parse_entry(const json& item, std::size_t index, const std::string& source) {
    std::string where = "models[" + std::to_string(index) + "]";
    if (!item.is_object()) {
        fail(source, where, "must be an object");
    }
    CatalogEntry entry;
    entry.id = required_string(item, "id", source, where);
    where += " (" + entry.id + ")";
    if (const auto reason = invalid_repo_id_reason(entry.id)) {
        fail(source, where, "\"id\" is not a repository id: " + *reason);
    }
    entry.name = required_string(item, "name", source, where);
    if (item.contains("revision")) {
        entry.revision = required_string(item, "revision", source, where);
    }
    entry.architecture = required_string(item, "architecture", source, where);
    entry.parameters = required_string(item, "parameters", source, where);
    entry.license = required_string(item, "license", source, where);
    entry.format = required_string(item, "format", source, where);
    entry.needs_conversion = required_bool(item, "needs_conversion", source, where);
    if (entry.format != "gguf" && entry.format != "safetensors") {
        fail(source, where, "\"format\" must be \"gguf\" or \"safetensors\", not \"" + entry.format + "\"");
    }
    if (entry.needs_conversion != (entry.format == "safetensors")) {
        fail(source, where, "\"needs_conversion\" must be true exactly for \"safetensors\" models");
    }
    if (!item.contains("files") || !item["files"].is_array() || item["files"].empty()) {
        fail(source, where, "\"files\" must be a non-empty array of file names or patterns");
    }
    for (const auto& file : item["files"]) {
        if (!file.is_string()) {
            fail(source, where, "\"files\" may contain only strings");
        }
        std::string probe = file.get<std::string>();
        std::replace(probe.begin(), probe.end(), '*', 'x'); // patterns: check the rest of the name
        std::replace(probe.begin(), probe.end(), '?', 'x');
        if (const auto reason = unsafe_relative_path_reason(probe)) {
            fail(source, where, "file \"" + file.get<std::string>() + "\" is not usable: " + *reason);
        }
        entry.files.push_back(file.get<std::string>());
    }
    entry.download_bytes = required_size(item, "download_bytes", source, where);
    entry.download_size_approximate = required_bool(item, "download_size_approximate", source, where);
    entry.memory_bytes = required_size(item, "memory_bytes", source, where);
    entry.memory_approximate = required_bool(item, "memory_approximate", source, where);
    if (item.contains("notes")) {
        entry.notes = required_string(item, "notes", source, where);
    }
    return entry;
}

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

} // namespace

const CatalogEntry* Catalog::find(const std::string& id) const {
    for (const auto& entry : models) {
        if (lower(entry.id) == lower(id)) { // the hub treats ids case-insensitively
            return &entry;
        }
    }
    return nullptr;
}

Catalog parse_catalog(const std::string& json_text, const std::string& source) {
    json root;
    try {
        root = json::parse(json_text);
    } catch (const json::exception& e) {
        throw std::runtime_error(source + ": not valid JSON: " + e.what());
    }
    if (!root.is_object()) {
        throw std::runtime_error(source + ": the catalog must be a JSON object");
    }
    if (!root.contains("catalog_version") || !root["catalog_version"].is_number_integer()) {
        throw std::runtime_error(source + ": \"catalog_version\" (an integer) is missing");
    }
    Catalog catalog;
    catalog.version = root["catalog_version"].get<int>();
    if (catalog.version < 1 || catalog.version > kCatalogVersion) {
        throw std::runtime_error(source + ": catalog_version " + std::to_string(catalog.version) +
                                 " is not supported (this Tern reads version " +
                                 std::to_string(kCatalogVersion) + "); update Tern");
    }
    if (!root.contains("models") || !root["models"].is_array()) {
        throw std::runtime_error(source + ": \"models\" must be an array");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < root["models"].size(); ++i) {
        CatalogEntry entry = parse_entry(root["models"][i], i, source);
        if (!seen.insert(lower(entry.id)).second) {
            throw std::runtime_error(source + ": models[" + std::to_string(i) + "]: \"" + entry.id +
                                     "\" is listed twice");
        }
        catalog.models.push_back(std::move(entry));
    }
    return catalog;
}

Catalog load_catalog(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error(path.string() + ": cannot open the model catalog");
    }
    std::stringstream text;
    text << in.rdbuf();
    return parse_catalog(text.str(), path.string());
}

std::filesystem::path find_catalog_file() {
    if (const char* env = std::getenv("TERN_CATALOG"); env && *env) {
        std::error_code error;
        if (std::filesystem::is_regular_file(env, error)) {
            return env;
        }
    }
    // The same search as the demo model's, so the catalog and the model ship side by side.
    return engine::find_data_file(engine::kCatalogFile).value_or(std::filesystem::path{});
}

std::vector<RepoFile> select_files(const RepoListing& listing, const std::vector<std::string>& patterns) {
    std::vector<RepoFile> selected;
    for (const auto& file : listing.files) {
        if (std::any_of(patterns.begin(), patterns.end(),
                        [&](const std::string& p) { return file_pattern_matches(p, file.path); })) {
            selected.push_back(file);
        }
    }
    return selected;
}

CatalogEntry entry_from_listing(const RepoListing& listing) {
    CatalogEntry entry;
    entry.id = listing.repo;
    entry.name = listing.repo;
    entry.revision = listing.revision;
    entry.license = "unknown: see the model page";
    entry.download_size_approximate = false;
    const RepoFile* gguf = nullptr;
    int best_rank = 99;
    for (const auto& file : listing.files) {
        if (!ends_with(lower(file.path), ".gguf")) {
            continue;
        }
        const std::string name = lower(file.path);
        const int rank = name.find("i2_s") != std::string::npos    ? 0
                         : name.find("tq2_0") != std::string::npos ? 1
                         : name.find("tq1_0") != std::string::npos ? 2
                                                                   : 3;
        if (rank < best_rank) {
            best_rank = rank;
            gguf = &file;
        }
    }
    if (gguf) {
        entry.format = "gguf";
        entry.needs_conversion = false;
        entry.architecture = "read from the GGUF file";
        entry.files = {gguf->path};
        entry.download_bytes = gguf->size;
        // The weights plus room for the KV cache and buffers: a rough guide only.
        entry.memory_bytes = gguf->size + gguf->size / 4 + (256ull << 20);
        entry.notes = "Added by id; memory is a rough estimate.";
        return entry;
    }
    const std::set<std::string> companions = {"config.json", "generation_config.json", "tokenizer.json",
                                              "tokenizer.model", "tokenizer_config.json",
                                              "special_tokens_map.json", "model.safetensors.index.json"};
    bool has_weights = false;
    for (const auto& file : listing.files) {
        const bool weights = file.path.find('/') == std::string::npos && ends_with(file.path, ".safetensors");
        if (weights || companions.count(file.path)) {
            entry.files.push_back(file.path);
            entry.download_bytes += file.size;
            has_weights |= weights;
        }
    }
    if (!has_weights) {
        throw HubError(HubErrorKind::InvalidArgument,
                       listing.repo + " has neither a GGUF file nor safetensors weights, so Tern "
                       "cannot use it. Pick a repository with a .gguf file or a safetensors checkpoint.");
    }
    entry.format = "safetensors";
    entry.needs_conversion = true;
    entry.architecture = "read from config.json at conversion";
    entry.notes = "Added by id; converted to GGUF after download. Memory is known after conversion.";
    return entry;
}

} // namespace tern::downloader
