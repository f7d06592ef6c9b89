// Mapped safetensors files and sharded checkpoints (model.safetensors.index.json).
#include "tern/engine/mapped_file.h"
#include "tern/engine/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace tern::engine {

namespace {

constexpr const char* kIndexName = "model.safetensors.index.json";
constexpr const char* kSingleName = "model.safetensors";

std::size_t page_size() {
#ifdef _WIN32
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    return info.dwPageSize;
#else
    const long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? static_cast<std::size_t>(size) : 4096;
#endif
}

// The whole pages inside [data, data + size): partial pages at either end may hold a neighbour.
bool inner_pages(const std::uint8_t* data, std::size_t size, std::uintptr_t* begin,
                 std::size_t* length) {
    const std::uintptr_t page = page_size();
    const auto start = reinterpret_cast<std::uintptr_t>(data);
    const std::uintptr_t first = (start + page - 1) / page * page;
    const std::uintptr_t last = (start + size) / page * page;
    if (last <= first) return false;
    *begin = first;
    *length = last - first;
    return true;
}

// Checkpoints name their shards; a name must stay inside the checkpoint's folder.
bool is_plain_relative_name(const std::string& name) {
    if (name.empty() || name.find('\\') != std::string::npos || name.find(':') != std::string::npos ||
        name.front() == '/') {
        return false;
    }
    std::stringstream parts(name);
    std::string part;
    while (std::getline(parts, part, '/')) {
        if (part.empty() || part == "." || part == "..") return false;
    }
    return true;
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot open");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(path.string() + ": not valid JSON: " + e.what());
    }
}

} // namespace

SafetensorsFile::~SafetensorsFile() = default;

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const std::filesystem::path& path) {
    std::unique_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->path_ = path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw Error(file->path_ + ": no such file");
    }
    if (std::filesystem::file_size(path, ec) < 8) {
        // Mapping an empty file fails on some systems; give the format's error instead.
        throw Error(file->path_ + ": truncated: too short for the 8-byte header length");
    }
    file->map_ = std::make_unique<MappedFile>(file->path_);
    file->header_ = parse_safetensors_header(file->map_->bytes(), file->path_);
    for (std::size_t i = 0; i < file->header_.tensors.size(); ++i) {
        auto& tensor = file->header_.tensors[i];
        tensor.bytes = file->map_->bytes().subspan(tensor.file_begin,
                                                   tensor.file_end - tensor.file_begin);
        file->index_.emplace(tensor.name, i);
    }
    return file;
}

std::uint64_t SafetensorsFile::file_size() const { return map_->size(); }

const SafetensorsTensor* SafetensorsFile::find(std::string_view name) const {
    const auto it = index_.find(std::string(name));
    return it == index_.end() ? nullptr : &header_.tensors[it->second];
}

SafetensorsCheckpoint SafetensorsCheckpoint::open(const std::filesystem::path& dir_or_file) {
    SafetensorsCheckpoint checkpoint;
    checkpoint.path_ = dir_or_file.string();
    std::error_code ec;
    if (std::filesystem::is_regular_file(dir_or_file, ec)) {
        checkpoint.files_.push_back(SafetensorsFile::open(dir_or_file));
    } else if (std::filesystem::is_directory(dir_or_file, ec)) {
        const auto index_path = dir_or_file / kIndexName;
        if (std::filesystem::exists(index_path, ec)) {
            const auto index = read_json_file(index_path);
            const auto map_it = index.is_object() ? index.find("weight_map") : index.end();
            if (map_it == index.end() || !map_it->is_object()) {
                throw Error(index_path.string() + ": no \"weight_map\" object");
            }
            // Shards in first-mention order, each opened once.
            std::vector<std::string> shard_names;
            std::set<std::string> seen;
            for (const auto& [tensor, shard] : map_it->items()) {
                if (!shard.is_string() || !is_plain_relative_name(shard.get<std::string>())) {
                    throw Error(index_path.string() + ": tensor '" + tensor +
                                "' maps to an invalid file name " + shard.dump());
                }
                if (seen.insert(shard.get<std::string>()).second) {
                    shard_names.push_back(shard.get<std::string>());
                }
            }
            std::sort(shard_names.begin(), shard_names.end());
            std::map<std::string, std::size_t> shard_index;
            for (const auto& name : shard_names) {
                shard_index[name] = checkpoint.files_.size();
                checkpoint.files_.push_back(SafetensorsFile::open(dir_or_file / name));
            }
            for (const auto& [tensor, shard] : map_it->items()) {
                const auto& file = checkpoint.files_[shard_index[shard.get<std::string>()]];
                if (file->find(tensor) == nullptr) {
                    throw Error(file->path() + ": missing tensor '" + tensor + "' that " + kIndexName +
                                " places in this file");
                }
            }
        } else if (std::filesystem::exists(dir_or_file / kSingleName, ec)) {
            checkpoint.files_.push_back(SafetensorsFile::open(dir_or_file / kSingleName));
        } else {
            throw Error(checkpoint.path_ + ": no " + kSingleName + " or " + kIndexName);
        }
    } else {
        throw Error(checkpoint.path_ + ": no such file or folder");
    }
    for (const auto& file : checkpoint.files_) {
        for (const auto& tensor : file->tensors()) {
            const auto [it, inserted] = checkpoint.by_name_.emplace(tensor.name, &tensor);
            if (!inserted) {
                throw Error(checkpoint.path_ + ": tensor '" + tensor.name + "' appears in both " +
                            it->second->file + " and " + tensor.file);
            }
            checkpoint.order_.push_back(&tensor);
        }
    }
    return checkpoint;
}

const SafetensorsTensor* SafetensorsCheckpoint::find(std::string_view name) const {
    const auto it = by_name_.find(std::string(name));
    return it == by_name_.end() ? nullptr : it->second;
}

const SafetensorsTensor& SafetensorsCheckpoint::get(std::string_view name) const {
    const auto* tensor = find(name);
    if (tensor == nullptr) {
        throw Error(path_ + ": missing tensor '" + std::string(name) + "'");
    }
    return *tensor;
}

std::uint64_t SafetensorsCheckpoint::total_bytes() const {
    std::uint64_t total = 0;
    for (const auto* tensor : order_) total += tensor->bytes.size();
    return total;
}

void SafetensorsCheckpoint::prefetch(const SafetensorsTensor& tensor) {
    std::uintptr_t begin = 0;
    std::size_t length = 0;
    if (!inner_pages(tensor.bytes.data(), tensor.bytes.size(), &begin, &length)) return;
#if defined(_WIN32) && defined(_WIN32_WINNT) && _WIN32_WINNT >= 0x0602
    WIN32_MEMORY_RANGE_ENTRY range{reinterpret_cast<void*>(begin), length};
    PrefetchVirtualMemory(GetCurrentProcess(), 1, &range, 0);
#elif !defined(_WIN32)
    madvise(reinterpret_cast<void*>(begin), length, MADV_WILLNEED);
#endif
}

void SafetensorsCheckpoint::release(const SafetensorsTensor& tensor) {
    std::uintptr_t begin = 0;
    std::size_t length = 0;
    if (!inner_pages(tensor.bytes.data(), tensor.bytes.size(), &begin, &length)) return;
#ifdef _WIN32
    // On pages that are not locked, VirtualUnlock removes them from the working set (documented).
    VirtualUnlock(reinterpret_cast<void*>(begin), length);
#else
    // The map is read-only and file-backed: dropped pages are re-read from the page cache.
    madvise(reinterpret_cast<void*>(begin), length, MADV_DONTNEED);
#endif
}

} // namespace tern::engine
