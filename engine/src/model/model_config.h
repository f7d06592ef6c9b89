// Hyperparameters of a model, read from its GGUF metadata and checked for consistency.
#pragma once

#include "tern/engine/gguf.h"

#include <string>

namespace tern::engine {

enum class Architecture {
    BitNetB158, // "bitnet-b1.58" / "bitnet-25": BitNet b1.58 2B4T (relu², sub-norms)
    BitNet,     // "bitnet": 1bitLLM models (SiLU by default, sub-norms)
    Llama,      // "llama" with ternary block weights (no sub-norms, SiLU)
};

enum class Activation { Relu2, Silu };

struct ModelConfig {
    std::string arch_name; // as in general.architecture
    Architecture arch = Architecture::BitNetB158;
    Activation activation = Activation::Relu2;
    bool sub_norms = true;
    int vocab_size = 0;
    int train_context_length = 0;
    int dim = 0;
    int layers = 0;
    int ffn_dim = 0;
    int heads = 0;
    int kv_heads = 0;
    int head_dim = 0;
    int rope_dims = 0;
    float rope_theta = 10000.0f;
    float norm_eps = 1e-5f; // as stored: float32
};

// Reads and validates the hyperparameters. Throws Error naming the file and the key.
ModelConfig read_model_config(const GgufFile& file);

} // namespace tern::engine
