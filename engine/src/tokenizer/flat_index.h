// Compact open-addressing hash tables for the vocabularies: loading a 128k-token vocabulary does
// millions of lookups, and std::unordered_map's node-per-entry layout costs several cache misses
// each. Keys live in one contiguous arena; slots are 8 bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace tern::engine::tokenizer_detail {

inline std::uint64_t hash_bytes(std::string_view s) {
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (s.size() * 0xFF51AFD7ED558CCDull);
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t chunk = 0;
        std::memcpy(&chunk, s.data() + i, 8);
        h = (h ^ chunk) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    if (i < s.size()) {
        std::uint64_t chunk = 0;
        std::memcpy(&chunk, s.data() + i, s.size() - i);
        h = (h ^ chunk) * 0xC4CEB9FE1A85EC53ull;
        h ^= h >> 29;
    }
    h *= 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 32);
}

// Byte strings -> non-negative int32 values. The first insertion of a key wins.
class StringIndex {
public:
    void reserve(std::size_t keys) {
        std::size_t capacity = 16;
        while (capacity < keys * 2) capacity *= 2;
        slots_.assign(capacity, 0);
        mask_ = capacity - 1;
        entries_.reserve(keys);
    }
    // Returns false when the key was already present.
    bool insert(std::string_view key, std::int32_t value) {
        if ((entries_.size() + 1) * 2 > slots_.size()) grow();
        const std::uint64_t h = hash_bytes(key);
        for (std::size_t s = h & mask_;; s = (s + 1) & mask_) {
            const std::uint64_t slot = slots_[s];
            if (slot == 0) {
                entries_.push_back({static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(key.size()), value});
                arena_.append(key);
                slots_[s] = (h & 0xFFFFFFFF00000000ull) | static_cast<std::uint32_t>(entries_.size());
                return true;
            }
            if ((slot >> 32) == (h >> 32) && key_of(static_cast<std::uint32_t>(slot) - 1) == key) return false;
        }
    }
    // The value of `key`, or -1.
    std::int32_t find(std::string_view key) const {
        if (slots_.empty()) return -1;
        const std::uint64_t h = hash_bytes(key);
        for (std::size_t s = h & mask_;; s = (s + 1) & mask_) {
            const std::uint64_t slot = slots_[s];
            if (slot == 0) return -1;
            const auto index = static_cast<std::uint32_t>(slot) - 1;
            if ((slot >> 32) == (h >> 32) && key_of(index) == key) return entries_[index].value;
        }
    }
    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        std::uint32_t offset;
        std::uint32_t length;
        std::int32_t value;
    };
    std::string_view key_of(std::uint32_t index) const {
        return std::string_view(arena_).substr(entries_[index].offset, entries_[index].length);
    }
    void grow() {
        std::vector<Entry> entries = std::move(entries_);
        std::string arena = std::move(arena_);
        entries_.clear();
        arena_.clear();
        reserve(entries.size() * 2 + 8);
        for (const Entry& e : entries) insert(std::string_view(arena).substr(e.offset, e.length), e.value);
    }
    std::vector<std::uint64_t> slots_; // hash high 32 bits | entry index + 1 (0: empty)
    std::vector<Entry> entries_;
    std::string arena_;
    std::size_t mask_ = 0;
};

// (left id, right id) -> merge rank and resulting id. The first insertion of a pair wins.
class PairIndex {
public:
    struct Merge {
        std::int32_t rank;
        std::int32_t result;
    };
    void reserve(std::size_t pairs) {
        std::size_t capacity = 16;
        while (capacity < pairs * 2) capacity *= 2;
        keys_.assign(capacity, kEmpty);
        values_.assign(capacity, Merge{0, 0});
        mask_ = capacity - 1;
        shift_ = 64;
        for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
    }
    void insert(std::int32_t left, std::int32_t right, Merge merge) {
        if ((count_ + 1) * 2 > keys_.size()) grow();
        const std::uint64_t key = pack(left, right);
        for (std::size_t s = slot_of(key);; s = (s + 1) & mask_) {
            if (keys_[s] == key) return;
            if (keys_[s] == kEmpty) {
                keys_[s] = key;
                values_[s] = merge;
                ++count_;
                return;
            }
        }
    }
    const Merge* find(std::int32_t left, std::int32_t right) const {
        if (keys_.empty()) return nullptr;
        const std::uint64_t key = pack(left, right);
        for (std::size_t s = slot_of(key);; s = (s + 1) & mask_) {
            if (keys_[s] == key) return &values_[s];
            if (keys_[s] == kEmpty) return nullptr;
        }
    }
    std::size_t size() const { return count_; }

private:
    static constexpr std::uint64_t kEmpty = ~0ull;
    static std::uint64_t pack(std::int32_t left, std::int32_t right) {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) | static_cast<std::uint32_t>(right);
    }
    std::size_t slot_of(std::uint64_t key) const {
        // Multiplicative hashing: the top bits of the product are the well-mixed ones.
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
    }
    void grow() {
        const auto keys = std::move(keys_);
        const auto values = std::move(values_);
        count_ = 0;
        reserve(keys.size());
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (keys[i] != kEmpty) insert(static_cast<std::int32_t>(keys[i] >> 32), static_cast<std::int32_t>(keys[i] & 0xFFFFFFFF), values[i]);
        }
    }
    std::vector<std::uint64_t> keys_;
    std::vector<Merge> values_;
    std::size_t mask_ = 0;
    int shift_ = 64;
    std::size_t count_ = 0;
};

} // namespace tern::engine::tokenizer_detail
