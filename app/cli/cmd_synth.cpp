// tern-cli synth: a GGUF with a real model's shapes and random ternary weights, for benchmarks.
#include "cli_options.h"
#include "command.h"

#include "tern/engine/synthetic_model.h"

#include <chrono>
#include <cstdio>

namespace tern::cli {

namespace {

constexpr const char* kHelp =
    "Usage: tern-cli synth --shape 2b4t|large|3b|8b|tiny -o FILE [options]\n\n"
    "Writes a GGUF model with the shapes of a real model and random ternary weights, for\n"
    "benchmarks (tern-cli bench) and tests. The text it generates is meaningless.\n\n"
    "Options:\n"
    "  --shape NAME        2b4t (BitNet b1.58 2B4T), large (bitnet_b1_58-large), 3b (bitnet_b1_58-3B,\n"
    "                      FFN 8640, ffn_down rows zero-padded to 8704), 8b (Llama3-8B-1.58),\n"
    "                      tiny (a few layers, for tests)\n"
    "  -o, --output FILE   where to write the model\n"
    "  --weights TYPE      block weights: i2_s (default), tq2_0, tq1_0\n"
    "  --embd TYPE         embeddings: f16 (default), f32, bf16, q8_0\n"
    "  --head TYPE         a separate output head of this type (f16, f32, bf16, q8_0);\n"
    "                      default: as the shape (tied for 2b4t and tiny)\n"
    "  --tied              tie the output head to the embeddings\n"
    "  --arch NAME         override the architecture (bitnet-b1.58, bitnet-25, bitnet, llama)\n"
    "  --layers N          override the number of blocks\n"
    "  --ffn N             override the feed-forward width (ternary rows whose width is not a\n"
    "                      multiple of the weight type's block are zero-padded, as converted)\n"
    "  --ctx N             override the trained context length\n"
    "  --vocab FILE        copy the tokenizer of this GGUF file (the vocabulary size follows it)\n"
    "  --seed N            random seed (default 1)\n";

engine::TensorType parse_type(const std::string& flag, const std::string& v, bool ternary) {
    using engine::TensorType;
    if (ternary) {
        if (v == "i2_s" || v == "I2_S") return TensorType::I2_S;
        if (v == "tq2_0" || v == "TQ2_0") return TensorType::TQ2_0;
        if (v == "tq1_0" || v == "TQ1_0") return TensorType::TQ1_0;
        throw UsageError{flag + " must be i2_s, tq2_0 or tq1_0, not '" + v + "'"};
    }
    if (v == "f16" || v == "F16") return TensorType::F16;
    if (v == "f32" || v == "F32") return TensorType::F32;
    if (v == "bf16" || v == "BF16") return TensorType::BF16;
    if (v == "q8_0" || v == "Q8_0") return TensorType::Q8_0;
    throw UsageError{flag + " must be f16, f32, bf16 or q8_0, not '" + v + "'"};
}

} // namespace

int run_synth(std::span<char* const> args) {
    try {
        ArgReader in("synth", args);
        std::string shape, output;
        engine::SyntheticModelSpec overrides;
        bool set_weights = false, set_embd = false, set_head = false, set_tied = false, set_arch = false;
        int layers = 0, ctx = 0, ffn = 0;
        std::string vocab;
        std::uint64_t seed = 1;
        while (in.next()) {
            if (in.is("-h", "--help")) {
                std::printf("%s", kHelp);
                return kExitOk;
            } else if (in.is("--shape")) {
                shape = in.value();
            } else if (in.is("-o", "--output")) {
                output = in.value();
            } else if (in.is("--weights")) {
                overrides.weight_type = parse_type("--weights", in.value(), true);
                set_weights = true;
            } else if (in.is("--embd")) {
                overrides.embedding_type = parse_type("--embd", in.value(), false);
                set_embd = true;
            } else if (in.is("--head")) {
                overrides.output_type = parse_type("--head", in.value(), false);
                set_head = true;
            } else if (in.is("--tied")) {
                set_tied = true;
            } else if (in.is("--arch")) {
                overrides.architecture = in.value();
                set_arch = true;
            } else if (in.is("--layers")) {
                layers = in.int_value(1, 1000);
            } else if (in.is("--ffn")) {
                ffn = in.int_value(1, 1 << 20);
            } else if (in.is("--ctx")) {
                ctx = in.int_value(1, 1 << 20);
            } else if (in.is("--vocab")) {
                vocab = in.value();
            } else if (in.is("--seed")) {
                seed = in.u64_value();
            } else {
                in.unknown();
            }
        }
        if (shape.empty()) {
            throw UsageError{"--shape is required (2b4t, large, 3b, 8b or tiny)"};
        }
        if (output.empty()) {
            throw UsageError{"-o FILE is required"};
        }
        if (set_head && set_tied) {
            throw UsageError{"--head and --tied contradict each other"};
        }
        engine::SyntheticModelSpec spec;
        try {
            spec = engine::synthetic_shape(shape);
        } catch (const engine::Error& e) {
            throw UsageError{e.what()};
        }
        if (set_weights) spec.weight_type = overrides.weight_type;
        if (set_embd) spec.embedding_type = overrides.embedding_type;
        if (set_head) {
            spec.output_type = overrides.output_type;
            spec.tied_output = false;
        }
        if (set_tied) spec.tied_output = true;
        if (set_arch) spec.architecture = overrides.architecture;
        if (layers > 0) spec.layers = layers;
        if (ctx > 0) spec.context_length = ctx;
        if (ffn > 0) spec.ffn_dim = ffn;
        spec.vocab_from = vocab;
        spec.seed = seed;
        const auto start = std::chrono::steady_clock::now();
        engine::write_synthetic_model(spec, output);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "wrote %s (%s, %d layers, %s weights) in %.1f s\n", output.c_str(),
                     spec.architecture.c_str(), spec.layers, engine::tensor_type_name(spec.weight_type), secs);
        return kExitOk;
    } catch (const UsageError& e) {
        return usage_error("synth", e.message);
    }
}

} // namespace tern::cli
