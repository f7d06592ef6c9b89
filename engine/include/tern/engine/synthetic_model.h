// Model files with real shapes and random weights: for benchmarks (`tern-cli synth`) and for
// tests (tiny models of every architecture, weight type and embedding type).
#pragma once

#include "tern/engine/gguf.h"

#include <cstdint>
#include <string>

namespace tern::engine {

struct SyntheticModelSpec {
    std::string architecture = "bitnet-b1.58"; // "bitnet-b1.58", "bitnet-25", "bitnet", "llama"
    int dim = 256;
    int layers = 2;
    int heads = 4;
    int kv_heads = 2;
    int ffn_dim = 512;
    int vocab_size = 512;
    int context_length = 128;
    float rope_theta = 10000.0f;
    float norm_eps = 1e-5f;
    TensorType weight_type = TensorType::I2_S;    // I2_S, TQ2_0 or TQ1_0
    TensorType embedding_type = TensorType::F16;  // F32, F16, BF16 or Q8_0
    bool tied_output = true;
    TensorType output_type = TensorType::F16;     // when not tied
    std::uint64_t seed = 1;
    // Optional: a GGUF file whose tokenizer.* keys are copied (the vocabulary size then follows).
    std::string vocab_from;
    std::string name = "synthetic";
};

// The named shapes: "2b4t", "large", "3b" (FFN 8640: ffn_down stored zero-padded), "8b", "tiny".
// Throws Error for an unknown name.
SyntheticModelSpec synthetic_shape(const std::string& name);

// Writes the model with bounded memory (tensor data is generated in chunks). A ternary weight whose
// input width is not a multiple of the type's block has its rows zero-padded to the next multiple,
// as the converter writes them (README, "Padded block weights"). Throws Error naming the file or
// the shape problem (e.g. an embedding length that is not a multiple of Q8_0's 32).
void write_synthetic_model(const SyntheticModelSpec& spec, const std::string& path);

} // namespace tern::engine
