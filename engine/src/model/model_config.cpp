#include "model_config.h"

#include <string>

namespace tern::engine {

namespace {

int positive(const GgufFile& file, const std::string& key, std::uint32_t value) {
    if (value == 0 || value > (1u << 24)) {
        file.fail("metadata key '" + key + "' has an implausible value " + std::to_string(value));
    }
    return static_cast<int>(value);
}

} // namespace

ModelConfig read_model_config(const GgufFile& file) {
    ModelConfig c;
    c.arch_name = file.get_string("general.architecture");
    const std::string& a = c.arch_name;
    if (a == "bitnet-b1.58" || a == "bitnet-25") {
        c.arch = Architecture::BitNetB158;
        c.activation = Activation::Relu2;
        c.sub_norms = true;
    } else if (a == "bitnet") {
        c.arch = Architecture::BitNet;
        c.activation = Activation::Silu;
        c.sub_norms = true;
    } else if (a == "llama") {
        c.arch = Architecture::Llama;
        c.activation = Activation::Silu;
        c.sub_norms = false;
    } else {
        file.fail("architecture '" + a +
                  "' is not supported (supported: bitnet-b1.58, bitnet-25, bitnet, llama)");
    }
    if (auto act = file.find_string(a + ".hidden_activation")) {
        if (*act == "relu2" || *act == "relu_squared") {
            c.activation = Activation::Relu2;
        } else if (*act == "silu" || *act == "swish") {
            c.activation = Activation::Silu;
        } else {
            file.fail("metadata key '" + a + ".hidden_activation' is '" + *act +
                      "' (supported: relu2, silu)");
        }
    }
    auto key = [&](const char* k) { return a + "." + k; };
    c.dim = positive(file, key("embedding_length"), file.get_u32(key("embedding_length")));
    c.layers = positive(file, key("block_count"), file.get_u32(key("block_count")));
    c.ffn_dim = positive(file, key("feed_forward_length"), file.get_u32(key("feed_forward_length")));
    c.heads = positive(file, key("attention.head_count"), file.get_u32(key("attention.head_count")));
    c.kv_heads = c.heads;
    if (auto kv = file.find_u32(key("attention.head_count_kv"))) {
        c.kv_heads = positive(file, key("attention.head_count_kv"), *kv);
    }
    c.train_context_length =
        positive(file, key("context_length"), file.get_u32(key("context_length")));
    c.norm_eps = file.get_f32(key("attention.layer_norm_rms_epsilon"));
    if (auto theta = file.find_f32(key("rope.freq_base"))) {
        c.rope_theta = *theta;
    }
    if (c.dim % c.heads != 0) {
        file.fail(key("embedding_length") + " " + std::to_string(c.dim) +
                  " is not a multiple of the head count " + std::to_string(c.heads));
    }
    c.head_dim = c.dim / c.heads;
    if (c.heads % c.kv_heads != 0) {
        file.fail("the head count " + std::to_string(c.heads) +
                  " is not a multiple of the key/value head count " + std::to_string(c.kv_heads));
    }
    c.rope_dims = c.head_dim;
    if (auto rd = file.find_u32(key("rope.dimension_count"))) {
        c.rope_dims = static_cast<int>(*rd);
    }
    if (c.rope_dims != c.head_dim) {
        file.fail(key("rope.dimension_count") + " is " + std::to_string(c.rope_dims) +
                  " but the heads have " + std::to_string(c.head_dim) +
                  " dimensions; partial rotary embedding is not supported");
    }
    if (c.head_dim % 2 != 0) {
        file.fail("the head dimension " + std::to_string(c.head_dim) + " is odd");
    }
    if (!(c.norm_eps > 0.0f && c.norm_eps < 1.0f)) {
        file.fail(key("attention.layer_norm_rms_epsilon") + " must be in (0, 1)");
    }
    if (!(c.rope_theta > 0.0f)) {
        file.fail(key("rope.freq_base") + " must be positive");
    }
    // The vocabulary size: the explicit key, else the embedding's row count (checked by the loader).
    if (auto v = file.find_u32(key("vocab_size"))) {
        c.vocab_size = positive(file, key("vocab_size"), *v);
    }
    return c;
}

} // namespace tern::engine
