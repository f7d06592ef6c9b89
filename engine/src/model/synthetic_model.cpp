#include "tern/engine/synthetic_model.h"

#include "tern/kernels/formats.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace tern::engine {

namespace {

// splitmix64: tiny, fast and identical everywhere; one stream per tensor, so a tensor's values
// do not depend on which tensors precede it.
class Random {
public:
    explicit Random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    float uniform(float lo, float hi) { // [lo, hi)
        return lo + (hi - lo) * static_cast<float>(next() >> 40) * 0x1.0p-24f;
    }
    std::int8_t trit() { return static_cast<std::int8_t>(static_cast<int>(next() % 3) - 1); }

private:
    std::uint64_t state_;
};

std::uint64_t name_seed(std::uint64_t seed, const std::string& name) {
    std::uint64_t h = 1469598103934665603ull ^ seed;
    for (unsigned char c : name) {
        h = (h ^ c) * 1099511628211ull;
    }
    return h;
}

void check_multiple(const std::string& what, int value, int block, TensorType type) {
    if (value % block != 0) {
        throw Error("synthetic model: " + what + " " + std::to_string(value) + " is not a multiple of " +
                    std::to_string(block) + " as " + tensor_type_name(type) + " needs");
    }
}

int block_of(TensorType t) {
    switch (t) {
    case TensorType::I2_S: return 128;
    case TensorType::TQ2_0:
    case TensorType::TQ1_0: return 256;
    case TensorType::Q8_0: return 32;
    case TensorType::F32:
    case TensorType::F16:
    case TensorType::BF16: return 1;
    default: return 0;
    }
}

// Streams a dense matrix of `rows` x `cols` random values in [-range, range).
void write_dense(GgufWriter& w, TensorType type, std::size_t rows, std::size_t cols, float range,
                 std::uint64_t seed) {
    Random rng(seed);
    std::vector<float> row(cols);
    std::vector<std::uint8_t> bytes;
    for (std::size_t r = 0; r < rows; ++r) {
        for (auto& v : row) {
            v = rng.uniform(-range, range);
        }
        switch (type) {
        case TensorType::F32:
            w.write_tensor_data(std::span<const float>(row));
            break;
        case TensorType::F16:
        case TensorType::BF16: {
            std::vector<std::uint16_t> h(cols);
            for (std::size_t j = 0; j < cols; ++j) {
                h[j] = type == TensorType::F16 ? kernels::f32_to_fp16(row[j]) : kernels::f32_to_bf16(row[j]);
            }
            w.write_tensor_data(std::span<const std::uint16_t>(h));
            break;
        }
        case TensorType::Q8_0:
            bytes.resize(kernels::q8_0_row_bytes(cols));
            kernels::q8_0_quantize_row(row.data(), cols, bytes.data());
            w.write_tensor_data(std::span<const std::uint8_t>(bytes));
            break;
        default: throw Error("synthetic model: unsupported dense type");
        }
    }
}

void write_vector(GgufWriter& w, std::size_t n, float lo, float hi, std::uint64_t seed) {
    Random rng(seed);
    std::vector<float> v(n);
    for (auto& x : v) {
        x = rng.uniform(lo, hi);
    }
    w.write_tensor_data(std::span<const float>(v));
}

// Row length of a ternary weight with `width` inputs: zero-padded to whole blocks, as the converter
// does (README, "Padded block weights").
std::uint64_t padded_width(std::uint64_t width, TensorType type) {
    const auto block = static_cast<std::uint64_t>(block_of(type));
    return (width + block - 1) / block * block;
}

// Streams a ternary matrix: rows x width random trits, each row zero-padded to whole blocks;
// scale ~ 1/sqrt(width) so outputs stay O(1).
void write_ternary(GgufWriter& w, TensorType type, std::size_t rows, std::size_t width, std::uint64_t seed) {
    Random rng(seed);
    const float scale = 1.0f / std::sqrt(static_cast<float>(width)) * rng.uniform(0.8f, 1.2f);
    const std::size_t cols = padded_width(width, type);
    std::vector<std::int8_t> trits(cols, 0);
    auto random_row = [&] {
        for (std::size_t j = 0; j < width; ++j) {
            trits[j] = rng.trit();
        }
    };
    if (type == TensorType::I2_S) {
        // The tensor is packed row block by row block; each row packs independently (row stride
        // K/4), so packing 1-row "tensors" and dropping their tails gives the file layout.
        std::vector<std::uint8_t> packed(kernels::i2s_tensor_bytes(1, cols));
        for (std::size_t r = 0; r < rows; ++r) {
            random_row();
            kernels::i2s_pack(trits.data(), 1, cols, scale, packed.data());
            w.write_tensor_data(std::span<const std::uint8_t>(packed).first(cols / 4));
        }
        std::uint8_t tail[32] = {};
        std::memcpy(tail, &scale, 4);
        w.write_tensor_data(std::span<const std::uint8_t>(tail));
        return;
    }
    const std::size_t row_bytes =
        type == TensorType::TQ2_0 ? kernels::tq2_0_row_bytes(cols) : kernels::tq1_0_row_bytes(cols);
    std::vector<std::uint8_t> packed(row_bytes);
    for (std::size_t r = 0; r < rows; ++r) {
        random_row();
        if (type == TensorType::TQ2_0) {
            kernels::tq2_0_pack_row(trits.data(), cols, scale, packed.data());
        } else {
            kernels::tq1_0_pack_row(trits.data(), cols, scale, packed.data());
        }
        w.write_tensor_data(std::span<const std::uint8_t>(packed));
    }
}

} // namespace

SyntheticModelSpec synthetic_shape(const std::string& name) {
    SyntheticModelSpec s;
    s.name = "synthetic-" + name;
    if (name == "tiny") {
        return s;
    }
    if (name == "2b4t") {
        s.architecture = "bitnet-b1.58";
        s.dim = 2560; s.layers = 30; s.heads = 20; s.kv_heads = 5; s.ffn_dim = 6912;
        s.vocab_size = 128256; s.context_length = 4096; s.rope_theta = 500000.0f;
        s.tied_output = true;
        return s;
    }
    if (name == "large") {
        s.architecture = "bitnet";
        s.dim = 1536; s.layers = 24; s.heads = 16; s.kv_heads = 16; s.ffn_dim = 4096;
        s.vocab_size = 32002; s.context_length = 2048; s.rope_theta = 10000.0f;
        s.tied_output = false;
        return s;
    }
    if (name == "3b") {
        // 8640 is not a multiple of 128: ffn_down's rows are zero-padded to 8704, as converted.
        s.architecture = "bitnet";
        s.dim = 3200; s.layers = 26; s.heads = 32; s.kv_heads = 32; s.ffn_dim = 8640;
        s.vocab_size = 32002; s.context_length = 2048; s.rope_theta = 10000.0f;
        s.tied_output = false;
        return s;
    }
    if (name == "8b") {
        s.architecture = "llama";
        s.dim = 4096; s.layers = 32; s.heads = 32; s.kv_heads = 8; s.ffn_dim = 14336;
        s.vocab_size = 128256; s.context_length = 8192; s.rope_theta = 500000.0f;
        s.tied_output = false;
        return s;
    }
    throw Error("unknown shape '" + name + "' (known: 2b4t, large, 3b, 8b, tiny)");
}

void write_synthetic_model(const SyntheticModelSpec& spec_in, const std::string& path) {
    SyntheticModelSpec spec = spec_in;
    std::unique_ptr<GgufFile> vocab;
    if (!spec.vocab_from.empty()) {
        vocab = GgufFile::open(spec.vocab_from);
        spec.vocab_size = static_cast<int>(vocab->get_string_array_view("tokenizer.ggml.tokens").size());
    }
    const int wb = block_of(spec.weight_type);
    if (wb < 128) {
        throw Error("synthetic model: block weights must be I2_S, TQ2_0 or TQ1_0");
    }
    if (spec.dim <= 0 || spec.ffn_dim <= 0) {
        throw Error("synthetic model: the embedding length and the FFN width must be positive");
    }
    if (block_of(spec.embedding_type) == 0 || block_of(spec.embedding_type) >= 128) {
        throw Error("synthetic model: embeddings must be F32, F16, BF16 or Q8_0");
    }
    check_multiple("the embedding length", spec.dim, block_of(spec.embedding_type), spec.embedding_type);
    if (spec.heads <= 0 || spec.kv_heads <= 0 || spec.dim % spec.heads != 0 || spec.heads % spec.kv_heads != 0) {
        throw Error("synthetic model: heads must divide the embedding length and be a multiple of kv heads");
    }
    const std::string a = spec.architecture;
    const bool sub_norms = a != "llama";
    const auto dim = static_cast<std::uint64_t>(spec.dim);
    const auto ffn = static_cast<std::uint64_t>(spec.ffn_dim);
    const auto vocab_n = static_cast<std::uint64_t>(spec.vocab_size);
    const auto kv_dim = dim / static_cast<std::uint64_t>(spec.heads) * static_cast<std::uint64_t>(spec.kv_heads);
    const auto dim_in = padded_width(dim, spec.weight_type); // stored rows of weights reading x
    const auto ffn_in = padded_width(ffn, spec.weight_type);

    GgufWriter w(path);
    w.set_string("general.architecture", a);
    w.set_string("general.name", spec.name);
    w.set_u32(a + ".vocab_size", static_cast<std::uint32_t>(spec.vocab_size));
    w.set_u32(a + ".context_length", static_cast<std::uint32_t>(spec.context_length));
    w.set_u32(a + ".embedding_length", static_cast<std::uint32_t>(spec.dim));
    w.set_u32(a + ".block_count", static_cast<std::uint32_t>(spec.layers));
    w.set_u32(a + ".feed_forward_length", static_cast<std::uint32_t>(spec.ffn_dim));
    w.set_u32(a + ".rope.dimension_count", static_cast<std::uint32_t>(spec.dim / spec.heads));
    w.set_u32(a + ".attention.head_count", static_cast<std::uint32_t>(spec.heads));
    w.set_u32(a + ".attention.head_count_kv", static_cast<std::uint32_t>(spec.kv_heads));
    w.set_f32(a + ".attention.layer_norm_rms_epsilon", spec.norm_eps);
    w.set_f32(a + ".rope.freq_base", spec.rope_theta);
    if (vocab) {
        for (const auto& [key, value] : vocab->metadata()) {
            if (key.rfind("tokenizer.", 0) == 0) {
                w.copy_value(key, value);
            }
        }
    }

    w.add_tensor("token_embd.weight", spec.embedding_type, {dim, vocab_n});
    w.add_tensor("output_norm.weight", TensorType::F32, {dim});
    if (!spec.tied_output) {
        w.add_tensor("output.weight", spec.output_type, {dim, vocab_n});
    }
    for (int l = 0; l < spec.layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        w.add_tensor(b + "attn_norm.weight", TensorType::F32, {dim});
        w.add_tensor(b + "attn_q.weight", spec.weight_type, {dim_in, dim});
        w.add_tensor(b + "attn_k.weight", spec.weight_type, {dim_in, kv_dim});
        w.add_tensor(b + "attn_v.weight", spec.weight_type, {dim_in, kv_dim});
        w.add_tensor(b + "attn_output.weight", spec.weight_type, {dim_in, dim});
        if (sub_norms) {
            w.add_tensor(b + "attn_sub_norm.weight", TensorType::F32, {dim});
        }
        w.add_tensor(b + "ffn_norm.weight", TensorType::F32, {dim});
        w.add_tensor(b + "ffn_gate.weight", spec.weight_type, {dim_in, ffn});
        w.add_tensor(b + "ffn_up.weight", spec.weight_type, {dim_in, ffn});
        w.add_tensor(b + "ffn_down.weight", spec.weight_type, {ffn_in, dim});
        if (sub_norms) {
            w.add_tensor(b + "ffn_sub_norm.weight", TensorType::F32, {ffn});
        }
    }

    auto seed = [&](const std::string& name) { return name_seed(spec.seed, name); };
    write_dense(w, spec.embedding_type, vocab_n, dim, 1.0f, seed("token_embd"));
    write_vector(w, dim, 0.5f, 1.5f, seed("output_norm"));
    if (!spec.tied_output) {
        write_dense(w, spec.output_type, vocab_n, dim, 1.0f, seed("output"));
    }
    for (int l = 0; l < spec.layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        write_vector(w, dim, 0.5f, 1.5f, seed(b + "attn_norm"));
        write_ternary(w, spec.weight_type, dim, dim, seed(b + "attn_q"));
        write_ternary(w, spec.weight_type, kv_dim, dim, seed(b + "attn_k"));
        write_ternary(w, spec.weight_type, kv_dim, dim, seed(b + "attn_v"));
        write_ternary(w, spec.weight_type, dim, dim, seed(b + "attn_output"));
        if (sub_norms) {
            write_vector(w, dim, 0.5f, 1.5f, seed(b + "attn_sub_norm"));
        }
        write_vector(w, dim, 0.5f, 1.5f, seed(b + "ffn_norm"));
        write_ternary(w, spec.weight_type, ffn, dim, seed(b + "ffn_gate"));
        write_ternary(w, spec.weight_type, ffn, dim, seed(b + "ffn_up"));
        write_ternary(w, spec.weight_type, dim, ffn, seed(b + "ffn_down"));
        if (sub_norms) {
            write_vector(w, ffn, 0.5f, 1.5f, seed(b + "ffn_sub_norm"));
        }
    }
    w.finish();
}

} // namespace tern::engine
