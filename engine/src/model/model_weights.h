// The tensors of a model, bound to their bytes in the mapped file and checked against the
// hyperparameters (every shape and type a forward pass relies on is verified once, here).
#pragma once

#include "model_config.h"
#include "tern/engine/gguf.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace tern::engine {

// A ternary block weight: `rows` outputs of `input_width` inputs, y = (W_t · x) * scale.
// Rows are stored `cols` long: the converter zero-pads a row whose true width is not a multiple of
// the format's block (128 for I2_S, 256 for TQ2_0/TQ1_0) up to the next multiple, so the kernels
// walk `cols` values of an input zero-padded likewise (README, "Padded block weights").
struct TernaryWeight {
    const GgufTensorInfo* tensor = nullptr;
    TensorType type = TensorType::I2_S;
    const std::uint8_t* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;        // ne[0]: the stored row length the kernels see
    std::size_t input_width = 0; // the true input width from the metadata (<= cols)
    std::size_t row_bytes = 0;
    // I2_S: the tensor's stored scale; TQ2_0/TQ1_0: 1 (their scales live in the blocks). Times
    // an optional `<name>.scale` tensor (upstream llama.cpp's BitNet files).
    float scale = 1.0f;
};

// A higher-precision matrix (embeddings, output head): `rows` rows of `cols` elements.
struct DenseMatrix {
    const GgufTensorInfo* tensor = nullptr;
    TensorType type = TensorType::F16;
    const std::uint8_t* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::size_t row_bytes = 0;
    std::vector<std::uint8_t> owned; // set when re-quantized at load time
};

struct LayerWeights {
    std::vector<float> attn_norm;
    TernaryWeight q, k, v, o;
    std::vector<float> attn_sub_norm; // empty without sub-norms
    std::vector<float> ffn_norm;
    TernaryWeight gate, up, down;
    std::vector<float> ffn_sub_norm;
};

struct ModelWeights {
    DenseMatrix token_embd;
    DenseMatrix output; // the embedding itself when tied
    bool tied_output = false;
    std::vector<float> output_norm;
    std::vector<LayerWeights> layers;
    std::uint64_t ternary_bytes = 0; // bytes of block weights (read once per decoded token)
    std::uint64_t parameters = 0;
};

// Binds every tensor; fills config.vocab_size when the metadata omits it. `progress(done, total)`
// returns false to cancel (bind_weights then throws Cancelled).
ModelWeights bind_weights(const GgufFile& file, ModelConfig& config,
                          const std::function<bool(std::size_t, std::size_t)>& progress);

// Bytes of one row of a dense matrix of this type, or 0 when the type cannot be a dense matrix.
std::size_t dense_row_bytes(TensorType type, std::size_t cols);

} // namespace tern::engine
