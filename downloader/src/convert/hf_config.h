// The parts of a Hugging Face checkpoint's config.json, generation_config.json and
// tokenizer_config.json that decide the GGUF: architecture, shapes, norms, rotary embedding,
// special tokens, and how ternary weights are stored.
#pragma once

#include "tern/downloader/converter.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tern::downloader::convert {

struct HfModelConfig {
    std::string config_path;      // for error messages
    std::string architecture;     // GGUF general.architecture: "bitnet-b1.58", "bitnet", "llama"
    std::string hf_class;         // config.json "architectures"[0]
    std::string hidden_act;       // "relu2", "silu"
    std::uint64_t vocab_size = 0;
    std::uint64_t hidden_size = 0;
    std::uint64_t intermediate_size = 0;
    std::uint64_t layers = 0;
    std::uint64_t heads = 0;
    std::uint64_t kv_heads = 0;
    std::uint64_t head_dim = 0;
    std::uint64_t context_length = 0;
    float rms_norm_eps = 1e-5f;
    float rope_theta = 10000.0f;
    bool tie_word_embeddings = false;
    // quantization_config: how packed weight scales apply. nullopt when the config does not say.
    std::optional<PackedScale> packed_scale;
    std::string quantization_note; // what quantization_config said, for the notes

    // Special token ids from config.json and generation_config.json (generation_config wins:
    // it is what generation actually stops on). -1 when absent.
    std::int32_t bos_id = -1;
    std::vector<std::int32_t> eos_ids;
    std::int32_t pad_id = -1;
    std::string name; // general.name: the folder name unless _name_or_path says otherwise
};

// Reads config.json (required) and generation_config.json (optional) in `dir`. Throws
// tern::engine::Error naming the file and the key on anything missing or malformed.
HfModelConfig read_hf_config(const std::filesystem::path& dir);

} // namespace tern::downloader::convert
