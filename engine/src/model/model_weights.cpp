#include "model_weights.h"

#include "tern/kernels/formats.h"

#include <cmath>
#include <cstring>
#include <initializer_list>
#include <string>

namespace tern::engine {

namespace {

std::string shape_text(const GgufTensorInfo& t) {
    std::string s = "[";
    for (std::size_t d = 0; d < t.ne.size(); ++d) {
        s += (d ? ", " : "") + std::to_string(t.ne[d]);
    }
    return s + "]";
}

// Checks that `t` is a matrix of `cols` x `rows` (GGUF order: fastest first); `why` explains the
// expected shape when it is not the metadata's alone.
void expect_matrix(const GgufFile& file, const GgufTensorInfo& t, std::size_t cols, std::size_t rows,
                   const std::string& why = {}) {
    const bool ok = t.ne.size() == 2 ? (t.ne[0] == cols && t.ne[1] == rows)
                                     : (t.ne.size() == 1 && rows == 1 && t.ne[0] == cols);
    if (!ok) {
        file.fail("tensor '" + t.name + "' has shape " + shape_text(t) + " but the metadata implies [" +
                  std::to_string(cols) + ", " + std::to_string(rows) + "]" + why);
    }
}

std::vector<float> load_vector(const GgufFile& file, const std::string& name, std::size_t n) {
    const auto& t = file.tensor(name);
    if (t.elements != n || (t.ne.size() > 1 && t.ne[0] != n)) {
        file.fail("tensor '" + name + "' has shape " + shape_text(t) + " but should hold " +
                  std::to_string(n) + " values");
    }
    std::vector<float> out(n);
    switch (t.type) {
    case TensorType::F32: std::memcpy(out.data(), t.data.data(), n * 4); break;
    case TensorType::F16:
    case TensorType::BF16:
        for (std::size_t i = 0; i < n; ++i) {
            std::uint16_t h;
            std::memcpy(&h, t.data.data() + 2 * i, 2);
            out[i] = t.type == TensorType::F16 ? kernels::fp16_to_f32(h) : kernels::bf16_to_f32(h);
        }
        break;
    default:
        file.fail("tensor '" + name + "' has type " + tensor_type_name(t.type) +
                  "; norm weights must be F32, F16 or BF16");
    }
    for (float f : out) {
        if (!std::isfinite(f)) {
            file.fail("tensor '" + name + "' contains a non-finite value");
        }
    }
    return out;
}

// Elements per block of a ternary type, or 0 for any other type.
std::size_t ternary_block(TensorType type) {
    switch (type) {
    case TensorType::I2_S: return kernels::kI2sBlockElems;
    case TensorType::TQ2_0:
    case TensorType::TQ1_0: return 256;
    default: return 0;
    }
}

// A ternary weight of `rows` outputs and `width` inputs. Its rows may be stored zero-padded to the
// next multiple of the type's block (the converter's rule for widths such as 1bitLLM-3B's 8640):
// ne[0] is then that multiple, and nothing else is accepted.
TernaryWeight bind_ternary(const GgufFile& file, const std::string& base, std::size_t width,
                           std::size_t rows) {
    const auto& t = file.tensor(base + ".weight");
    const std::size_t block = ternary_block(t.type);
    const std::size_t cols = block == 0 ? width : (width + block - 1) / block * block;
    expect_matrix(file, t, cols, rows,
                  cols == width ? std::string()
                                  : " (its width " + std::to_string(width) + " zero-padded to whole " +
                                        std::to_string(block) + "-element " + tensor_type_name(t.type) +
                                        " blocks)");
    TernaryWeight w;
    w.tensor = &t;
    w.type = t.type;
    w.data = t.data.data();
    w.rows = rows;
    w.cols = cols;
    w.input_width = width;
    switch (t.type) {
    case TensorType::I2_S:
        if (cols % kernels::kI2sBlockElems != 0) {
            file.fail("tensor '" + t.name + "' (I2_S) has rows of " + std::to_string(cols) +
                      " values, not a multiple of 128");
        }
        w.row_bytes = cols / 4;
        std::memcpy(&w.scale, t.data.data() + rows * w.row_bytes, 4);
        if (!std::isfinite(w.scale)) {
            file.fail("tensor '" + t.name + "' (I2_S) has a non-finite scale");
        }
        break;
    case TensorType::TQ2_0: w.row_bytes = kernels::tq2_0_row_bytes(cols); break;
    case TensorType::TQ1_0: w.row_bytes = kernels::tq1_0_row_bytes(cols); break;
    default:
        file.fail("tensor '" + t.name + "' has type " + tensor_type_name(t.type) +
                  "; block weights must be ternary (I2_S, TQ2_0 or TQ1_0)");
    }
    if (const auto* s = file.find_tensor(base + ".scale")) {
        if (s->elements != 1 || s->type != TensorType::F32) {
            file.fail("tensor '" + s->name + "' should be a single F32 value");
        }
        float extra;
        std::memcpy(&extra, s->data.data(), 4);
        w.scale *= extra;
    }
    return w;
}

void expect_same_cols(const GgufFile& file, const TernaryWeight& first,
                      std::initializer_list<const TernaryWeight*> others) {
    for (const TernaryWeight* o : others) {
        if (o->cols != first.cols) {
            file.fail("tensors '" + first.tensor->name + "' and '" + o->tensor->name +
                      "' share an input but their rows are padded to different lengths (" +
                      std::to_string(first.cols) + " and " + std::to_string(o->cols) + ")");
        }
    }
}

DenseMatrix bind_dense(const GgufFile& file, const GgufTensorInfo& t, std::size_t cols, std::size_t rows) {
    expect_matrix(file, t, cols, rows);
    DenseMatrix m;
    m.tensor = &t;
    m.type = t.type;
    m.data = t.data.data();
    m.rows = rows;
    m.cols = cols;
    m.row_bytes = dense_row_bytes(t.type, cols);
    if (m.row_bytes == 0) {
        file.fail("tensor '" + t.name + "' has type " + tensor_type_name(t.type) +
                  "; embeddings and the output head must be F32, F16, BF16, Q8_0 or Q6_K");
    }
    return m;
}

} // namespace

std::size_t dense_row_bytes(TensorType type, std::size_t cols) {
    switch (type) {
    case TensorType::F32: return cols * 4;
    case TensorType::F16:
    case TensorType::BF16: return cols * 2;
    case TensorType::Q8_0: return cols % 32 == 0 ? cols / 32 * 34 : 0;
    case TensorType::Q6_K: return cols % 256 == 0 ? cols / 256 * 210 : 0;
    default: return 0;
    }
}

ModelWeights bind_weights(const GgufFile& file, ModelConfig& c,
                          const std::function<bool(std::size_t, std::size_t)>& progress) {
    ModelWeights w;
    const auto& embd = file.tensor("token_embd.weight");
    if (embd.ne.size() != 2 || embd.ne[0] != static_cast<std::uint64_t>(c.dim)) {
        file.fail("tensor 'token_embd.weight' has shape " + shape_text(embd) +
                  " but the embedding length is " + std::to_string(c.dim));
    }
    if (c.vocab_size == 0) {
        if (embd.ne[1] > (1u << 24)) {
            file.fail("tensor 'token_embd.weight' has an implausible vocabulary of " +
                      std::to_string(embd.ne[1]) + " rows");
        }
        c.vocab_size = static_cast<int>(embd.ne[1]);
    }
    const auto dim = static_cast<std::size_t>(c.dim);
    const auto vocab = static_cast<std::size_t>(c.vocab_size);
    const auto ffn = static_cast<std::size_t>(c.ffn_dim);
    const auto kv_dim = static_cast<std::size_t>(c.kv_heads * c.head_dim);
    w.token_embd = bind_dense(file, embd, dim, vocab);
    w.output_norm = load_vector(file, "output_norm.weight", dim);
    if (const auto* out = file.find_tensor("output.weight")) {
        w.output = bind_dense(file, *out, dim, vocab);
    } else {
        w.output = bind_dense(file, embd, dim, vocab);
        w.tied_output = true;
    }
    w.parameters = vocab * dim * (w.tied_output ? 1 : 2) + dim;

    const auto layers = static_cast<std::size_t>(c.layers);
    w.layers.resize(layers);
    for (std::size_t i = 0; i < layers; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        auto& L = w.layers[i];
        L.attn_norm = load_vector(file, b + "attn_norm.weight", dim);
        L.q = bind_ternary(file, b + "attn_q", dim, dim);
        L.k = bind_ternary(file, b + "attn_k", dim, kv_dim);
        L.v = bind_ternary(file, b + "attn_v", dim, kv_dim);
        L.o = bind_ternary(file, b + "attn_output", dim, dim);
        L.ffn_norm = load_vector(file, b + "ffn_norm.weight", dim);
        L.gate = bind_ternary(file, b + "ffn_gate", dim, ffn);
        L.up = bind_ternary(file, b + "ffn_up", dim, ffn);
        L.down = bind_ternary(file, b + "ffn_down", ffn, dim);
        if (c.sub_norms) {
            L.attn_sub_norm = load_vector(file, b + "attn_sub_norm.weight", dim);
            L.ffn_sub_norm = load_vector(file, b + "ffn_sub_norm.weight", ffn);
        } else if (file.find_tensor(b + "attn_sub_norm.weight") != nullptr) {
            // A llama graph carrying sub-norms is a BitNet model under the wrong name: applying
            // it without them would silently give garbage.
            file.fail("tensor '" + b + "attn_sub_norm.weight' is present but architecture '" +
                      c.arch_name + "' has no sub-norms");
        }
        // Weights sharing an input read one quantized copy of it, so they must agree on its
        // padded length (only files mixing ternary types with different blocks could differ).
        expect_same_cols(file, L.q, {&L.k, &L.v});
        expect_same_cols(file, L.gate, {&L.up});
        for (const TernaryWeight* t : {&L.q, &L.k, &L.v, &L.o, &L.gate, &L.up, &L.down}) {
            w.ternary_bytes += t->tensor->size;
            w.parameters += t->rows * t->input_width;
        }
        w.parameters += 2 * dim + (c.sub_norms ? dim + ffn : 0);
        if (progress && !progress(i + 1, layers)) {
            throw Cancelled();
        }
    }
    return w;
}

} // namespace tern::engine
