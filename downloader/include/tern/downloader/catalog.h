// The model catalog: the BitNet variants a user can pick (resources/catalog.json), and entries
// made on the fly for any other repository id.
#pragma once

#include "tern/downloader/hub_client.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tern::downloader {

inline constexpr int kCatalogVersion = 1; // the newest catalog_version this code understands

struct CatalogEntry {
    std::string id;           // Hugging Face repository id
    std::string name;         // for people
    std::string revision = "main";
    std::string architecture; // GGUF general.architecture after conversion ("bitnet-b1.58", "llama", ...)
    std::string parameters;   // "2.4B"
    std::string license;
    std::string format;       // "gguf" (ready to run) or "safetensors" (needs conversion)
    bool needs_conversion = false;
    std::vector<std::string> files; // names or '*'/'?' patterns to fetch
    std::uint64_t download_bytes = 0; // 0: unknown
    bool download_size_approximate = true;
    std::uint64_t memory_bytes = 0;   // to run, with the default context; 0: unknown
    bool memory_approximate = true;
    std::string notes;
};

struct Catalog {
    int version = kCatalogVersion;
    std::vector<CatalogEntry> models;
    const CatalogEntry* find(const std::string& id) const;
};

// Parses and validates; errors (std::runtime_error) name `source` and the entry at fault.
Catalog parse_catalog(const std::string& json_text, const std::string& source = "catalog.json");
Catalog load_catalog(const std::filesystem::path& path);

// Where the catalog is: $TERN_CATALOG when it names a file, else the folders every shipped file
// is looked for in (tern/engine/data_paths.h: $TERN_DATA_DIR, the install layout beside the
// executable, the source tree's resources/). Empty if none.
std::filesystem::path find_catalog_file();

// "Add any repository by id": an entry for a repository not in the catalog, from its listing.
// A GGUF file is preferred (I2_S, then TQ2_0, TQ1_0, then any); else the safetensors checkpoint
// with its config and tokenizer files, marked as needing conversion. Sizes are exact (from the
// listing); memory is estimated only for GGUF. Throws HubError(InvalidArgument) when the
// repository holds neither.
CatalogEntry entry_from_listing(const RepoListing& listing);

// The files of `listing` that `entry.files` selects (in listing order).
std::vector<RepoFile> select_files(const RepoListing& listing, const std::vector<std::string>& patterns);

} // namespace tern::downloader
