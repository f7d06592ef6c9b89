// Which checkpoint tensors become which GGUF tensors, in which type and shape: the whole output
// decided before a byte is written, so every shape disagreement with config.json is reported
// up front and the GGUF header can be written first.
#pragma once

#include "hf_config.h"

#include "tern/downloader/converter.h"
#include "tern/engine/gguf.h"
#include "tern/engine/safetensors.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tern::downloader::convert {

enum class TensorRole {
    Embedding, // token_embd, output: F16 or Q8_0
    Norm,      // F32
    Ternary,   // block linear layers: I2_S or TQ2_0
};

struct PlannedTensor {
    std::string gguf_name;
    TensorRole role = TensorRole::Norm;
    const engine::SafetensorsTensor* source = nullptr;
    const engine::SafetensorsTensor* scale = nullptr; // packed ternary weights: weight_scale
    std::uint64_t rows = 1;        // Hugging Face [out, in]: out (1 for norms)
    std::uint64_t cols = 0;        // in (the norm's width)
    std::uint64_t padded_cols = 0; // cols rounded up to the ternary block (== cols otherwise)
    std::uint64_t rotary_heads = 0; // Q: heads, K: kv heads, else 0
    engine::TensorType type = engine::TensorType::F32;
    std::uint64_t source_bytes() const { return source->bytes.size(); }
};

struct TensorPlan {
    std::vector<PlannedTensor> tensors; // in GGUF order
    bool packed = false;                // the checkpoint stores packed ternary weights
    PackedScale packed_scale = PackedScale::Auto; // resolved rule when packed
    std::vector<std::string> notes;
};

// Checks every tensor the architecture needs is present with the shape config.json implies and
// decides types. Throws Error naming the checkpoint, the tensor and the disagreement.
TensorPlan plan_tensors(const HfModelConfig& config, const engine::SafetensorsCheckpoint& checkpoint,
                        const ConvertOptions& options);

} // namespace tern::downloader::convert
