#include "tensor_plan.h"

#include "ternary_weights.h"

#include <algorithm>
#include <cstdio>
#include <initializer_list>

namespace tern::downloader::convert {

namespace {

using engine::Error;
using engine::SafetensorsCheckpoint;
using engine::SafetensorsDtype;
using engine::SafetensorsTensor;
using engine::TensorType;

std::string shape_text(const std::vector<std::uint64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        text += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return text + "]";
}

bool is_float(SafetensorsDtype dtype) {
    return dtype == SafetensorsDtype::F32 || dtype == SafetensorsDtype::F16 ||
           dtype == SafetensorsDtype::BF16;
}

class Planner {
public:
    Planner(const HfModelConfig& config, const SafetensorsCheckpoint& checkpoint,
            const ConvertOptions& options)
        : config_(config), checkpoint_(checkpoint), options_(options) {}

    TensorPlan run();

private:
    // The first of `names` present in the checkpoint; Error listing them when none is.
    const SafetensorsTensor& require(std::initializer_list<std::string> names) const {
        for (const auto& name : names) {
            if (const auto* t = checkpoint_.find(name)) return *t;
        }
        std::string list;
        for (const auto& name : names) list += (list.empty() ? "'" : " or '") + name + "'";
        throw Error(checkpoint_.path() + ": missing tensor " + list);
    }

    void expect_shape(const SafetensorsTensor& t, const std::vector<std::uint64_t>& shape,
                      const std::string& why) const {
        if (t.shape != shape) {
            throw Error(t.file + ": tensor '" + t.name + "' has shape " + shape_text(t.shape) +
                        " but " + config_.config_path + " implies " + shape_text(shape) + " (" +
                        why + ")");
        }
    }

    void add_norm(const std::string& gguf, const SafetensorsTensor& t, std::uint64_t width,
                  const std::string& why) {
        expect_shape(t, {width}, why);
        if (!is_float(t.dtype)) {
            throw Error(t.file + ": norm '" + t.name + "' must be a float tensor");
        }
        PlannedTensor p;
        p.gguf_name = gguf;
        p.role = TensorRole::Norm;
        p.source = &t;
        p.cols = p.padded_cols = width;
        p.type = TensorType::F32;
        plan_.tensors.push_back(p);
    }

    void add_embedding(const std::string& gguf, const SafetensorsTensor& t) {
        expect_shape(t, {config_.vocab_size, config_.hidden_size}, "vocab_size x hidden_size");
        if (!is_float(t.dtype)) {
            throw Error(t.file + ": '" + t.name + "' must be a float tensor");
        }
        PlannedTensor p;
        p.gguf_name = gguf;
        p.role = TensorRole::Embedding;
        p.source = &t;
        p.rows = config_.vocab_size;
        p.cols = p.padded_cols = config_.hidden_size;
        if (options_.embedding_type == EmbeddingType::Q8_0) {
            if (p.cols % 32 != 0) {
                throw Error(t.file + ": '" + t.name + "' rows of " + std::to_string(p.cols) +
                            " are not a multiple of Q8_0's 32-element block; use F16 embeddings");
            }
            p.type = TensorType::Q8_0;
        } else {
            p.type = TensorType::F16;
        }
        plan_.tensors.push_back(p);
    }

    void add_linear(const std::string& gguf, const std::string& hf, std::uint64_t rows,
                    std::uint64_t cols, std::uint64_t rotary_heads, const std::string& why) {
        const SafetensorsTensor& t = require({hf + ".weight"});
        PlannedTensor p;
        p.gguf_name = gguf;
        p.role = TensorRole::Ternary;
        p.source = &t;
        p.rows = rows;
        p.cols = cols;
        p.rotary_heads = rotary_heads;
        const bool packed = t.dtype == SafetensorsDtype::U8 || t.dtype == SafetensorsDtype::I8;
        if (!any_linear_) {
            plan_.packed = packed;
            any_linear_ = true;
        } else if (plan_.packed != packed) {
            throw Error(t.file + ": tensor '" + t.name +
                        "' mixes packed and full-precision block weights in one checkpoint");
        }
        if (packed) {
            if (rows % 4 != 0) {
                throw Error(t.file + ": packed tensor '" + t.name + "' has " + std::to_string(rows) +
                            " output rows, not a multiple of 4");
            }
            expect_shape(t, {rows / 4, cols}, why + ", packed 4 rows per byte");
            p.scale = &require({hf + ".weight_scale"});
            TernaryWeights::stored_scale(*p.scale); // validates it is one positive number
        } else {
            expect_shape(t, {rows, cols}, why);
            if (!is_float(t.dtype)) {
                throw Error(t.file + ": tensor '" + t.name + "' must be a float or packed U8 tensor");
            }
        }
        const std::uint64_t block = options_.ternary_type == TernaryType::I2_S ? 128 : 256;
        p.type = options_.ternary_type == TernaryType::I2_S ? TensorType::I2_S : TensorType::TQ2_0;
        p.padded_cols = (cols + block - 1) / block * block;
        if (p.padded_cols != cols) padded_.push_back(gguf);
        plan_.tensors.push_back(p);
    }

    void resolve_packed_scale();

    const HfModelConfig& config_;
    const SafetensorsCheckpoint& checkpoint_;
    const ConvertOptions& options_;
    TensorPlan plan_;
    bool any_linear_ = false;
    std::vector<std::string> padded_;
};

void Planner::resolve_packed_scale() {
    if (!plan_.packed) return;
    const char* names[] = {"auto", "multiply", "divide"};
    if (options_.packed_scale != PackedScale::Auto) {
        plan_.packed_scale = options_.packed_scale;
        plan_.notes.push_back(std::string("packed weight_scale: ") +
                              names[static_cast<int>(options_.packed_scale)] + " (as requested)");
    } else if (config_.packed_scale) {
        plan_.packed_scale = *config_.packed_scale;
        plan_.notes.push_back(std::string("packed weight_scale: ") +
                              names[static_cast<int>(plan_.packed_scale)] + " (from " +
                              config_.quantization_note + ")");
    } else {
        // No quantization_config: judge by magnitude. A multiplying scale is the absmean of a
        // layer's weights, far below 1 for any layer wider than a few dozen; an inverted scale is
        // its reciprocal, far above 1. Mixed magnitudes mean we cannot tell: ask the user.
        std::size_t above = 0, below = 0;
        for (const auto& t : plan_.tensors) {
            if (t.scale == nullptr) continue;
            (TernaryWeights::stored_scale(*t.scale) > 1.0f ? above : below) += 1;
        }
        if (above > 0 && below > 0) {
            throw Error(config_.config_path +
                        ": no quantization_config, and the weight_scale values are both above and "
                        "below 1, so whether they multiply or divide cannot be told; pass "
                        "--packed-scale multiply|divide");
        }
        plan_.packed_scale = above > 0 ? PackedScale::Divide : PackedScale::Multiply;
        plan_.notes.push_back(std::string("packed weight_scale: ") +
                              names[static_cast<int>(plan_.packed_scale)] +
                              " (no quantization_config; judged by the scales' magnitude)");
    }
}

TensorPlan Planner::run() {
    const auto& c = config_;
    const bool sub_norms = c.architecture != "llama";
    const std::uint64_t q_rows = c.heads * c.head_dim;
    const std::uint64_t kv_rows = c.kv_heads * c.head_dim;
    add_embedding("token_embd.weight", require({"model.embed_tokens.weight"}));
    for (std::uint64_t b = 0; b < c.layers; ++b) {
        const std::string hf = "model.layers." + std::to_string(b) + ".";
        const std::string gg = "blk." + std::to_string(b) + ".";
        add_norm(gg + "attn_norm.weight", require({hf + "input_layernorm.weight"}), c.hidden_size,
                 "hidden_size");
        add_linear(gg + "attn_q.weight", hf + "self_attn.q_proj", q_rows, c.hidden_size, c.heads,
                   "heads x head_dim by hidden_size");
        add_linear(gg + "attn_k.weight", hf + "self_attn.k_proj", kv_rows, c.hidden_size,
                   c.kv_heads, "kv heads x head_dim by hidden_size");
        add_linear(gg + "attn_v.weight", hf + "self_attn.v_proj", kv_rows, c.hidden_size, 0,
                   "kv heads x head_dim by hidden_size");
        add_linear(gg + "attn_output.weight", hf + "self_attn.o_proj", c.hidden_size, q_rows, 0,
                   "hidden_size by heads x head_dim");
        if (sub_norms) {
            add_norm(gg + "attn_sub_norm.weight",
                     require({hf + "self_attn.attn_sub_norm.weight", hf + "self_attn.inner_attn_ln.weight"}),
                     q_rows, "heads x head_dim");
        }
        add_norm(gg + "ffn_norm.weight", require({hf + "post_attention_layernorm.weight"}),
                 c.hidden_size, "hidden_size");
        add_linear(gg + "ffn_gate.weight", hf + "mlp.gate_proj", c.intermediate_size, c.hidden_size,
                   0, "intermediate_size by hidden_size");
        add_linear(gg + "ffn_up.weight", hf + "mlp.up_proj", c.intermediate_size, c.hidden_size, 0,
                   "intermediate_size by hidden_size");
        add_linear(gg + "ffn_down.weight", hf + "mlp.down_proj", c.hidden_size, c.intermediate_size,
                   0, "hidden_size by intermediate_size");
        if (sub_norms) {
            add_norm(gg + "ffn_sub_norm.weight",
                     require({hf + "mlp.ffn_sub_norm.weight", hf + "mlp.ffn_layernorm.weight"}),
                     c.intermediate_size, "intermediate_size");
        }
    }
    add_norm("output_norm.weight", require({"model.norm.weight"}), c.hidden_size, "hidden_size");
    const auto* head = checkpoint_.find("lm_head.weight");
    if (!c.tie_word_embeddings) {
        if (head == nullptr) {
            throw Error(checkpoint_.path() + ": missing tensor 'lm_head.weight' (" + c.config_path +
                        " says tie_word_embeddings is false)");
        }
        add_embedding("output.weight", *head);
    } else if (head != nullptr) {
        plan_.notes.push_back("lm_head.weight ignored: tie_word_embeddings is true");
    }
    resolve_packed_scale();
    if (!padded_.empty()) {
        const auto& first = *std::find_if(plan_.tensors.begin(), plan_.tensors.end(),
                                          [&](const PlannedTensor& t) { return t.gguf_name == padded_[0]; });
        plan_.notes.push_back(std::to_string(padded_.size()) + " ternary tensors (e.g. " + padded_[0] +
                              ") zero-padded from rows of " + std::to_string(first.cols) + " to " +
                              std::to_string(first.padded_cols) + " for the block size");
    }
    return plan_;
}

} // namespace

TensorPlan plan_tensors(const HfModelConfig& config, const SafetensorsCheckpoint& checkpoint,
                        const ConvertOptions& options) {
    return Planner(config, checkpoint, options).run();
}

} // namespace tern::downloader::convert
