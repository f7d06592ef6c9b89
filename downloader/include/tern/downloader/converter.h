// Conversion of a Hugging Face BitNet b1.58 checkpoint (config.json, *.safetensors, tokenizer
// files) into a GGUF file the engine loads, in-process and with no Python.
//
// What is written (see downloader/src/convert/README.md for the full list of choices):
//  - architecture keys and tensor names as bitnet.cpp writes them: "bitnet-b1.58" for 2B4T-style
//    checkpoints (relu², sub-norms), "bitnet" for the 1bitLLM models, "llama" for Llama3-8B-1.58 and
//    the Falcon 1.58-bit models;
//  - block weights ternary (I2_S by default, TQ2_0 on request), embeddings and an untied output
//    head F16 (Q8_0 on request), norms F32;
//  - Q and K rows permuted to GGUF's rotary convention (adjacent pairs);
//  - a ternary weight whose row length is not a multiple of the format's block (128 for I2_S, 256
//    for TQ2_0) is padded with zero weights at the end of each row; the true width stays in the
//    metadata (<arch>.feed_forward_length, <arch>.embedding_length) and the engine zero-pads the
//    activations it feeds that weight, which leaves every product unchanged.
// The output is deterministic: the same checkpoint and options give the same bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tern::downloader {

enum class TernaryType { I2_S, TQ2_0 };
enum class EmbeddingType { F16, Q8_0 };

// How a packed checkpoint's `weight_scale` relates to the weights.
enum class PackedScale {
    Auto,     // from quantization_config, else from the scale's magnitude (see README)
    Multiply, // W = t * weight_scale (transformers' AutoBitLinear, offline mode)
    Divide,   // W = t / weight_scale (transformers' BitLinear: Llama3-8B-1.58, Falcon 1.58-bit)
};

struct ConvertProgress {
    std::uint64_t bytes_done = 0;  // checkpoint bytes processed
    std::uint64_t bytes_total = 0; // checkpoint bytes to process
    std::string tensor;            // GGUF name of the tensor being written
};

struct ConvertOptions {
    TernaryType ternary_type = TernaryType::I2_S;
    EmbeddingType embedding_type = EmbeddingType::F16;
    PackedScale packed_scale = PackedScale::Auto;
    unsigned threads = 0; // 0: one per hardware thread (at most 8); the output does not depend on it
    // Called between chunks of work; return false to cancel (convert() then throws
    // tern::engine::Cancelled and leaves no file behind).
    std::function<bool(const ConvertProgress&)> on_progress;
};

struct ConvertResult {
    std::string output;            // the final path
    std::string architecture;      // general.architecture written
    std::uint64_t tensor_count = 0;
    std::uint64_t bytes_read = 0;  // checkpoint tensor bytes
    std::uint64_t bytes_written = 0;
    std::vector<std::string> notes; // choices a user may want to know (padding, scale convention)
};

// Converts the checkpoint in `checkpoint_dir` to `output`. The file is written to a temporary
// name in the destination folder, re-opened and validated with the GGUF reader, then renamed into
// place, so `output` is either the complete result or untouched. Throws tern::engine::Error naming
// the file and the problem (missing tensor, config that disagrees with a shape, malformed
// safetensors...), or tern::engine::Cancelled.
ConvertResult convert_checkpoint(const std::filesystem::path& checkpoint_dir,
                                 const std::filesystem::path& output,
                                 const ConvertOptions& options = {});

} // namespace tern::downloader
