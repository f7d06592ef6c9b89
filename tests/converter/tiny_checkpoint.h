// A small but complete 2B4T-style Hugging Face checkpoint (BF16 latent weights, config.json,
// a byte-level tokenizer.json): the converter's tests write it to disk, the app's download tests
// and the GUI benchmark serve it from the mock hub. Deterministic: the same shape gives the same
// bytes.
#pragma once

#include "safetensors_builder.h"

#include <bit>
#include <cstdint>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace tern::test {

struct TinyCheckpointShape {
    std::uint64_t dim = 128; // a multiple of 64 (heads of 32, half as many KV heads)
    std::uint64_t ffn = 256;
    std::uint64_t layers = 1;
};

// GPT-2's byte-level spelling of byte `b` as a JSON string body (UTF-8): printable bytes stand
// for themselves, the others for the code points from 256 up, in byte order.
inline std::string gpt2_byte_token(int b) {
    const auto printable = [](int c) {
        return (c >= 33 && c <= 126) || (c >= 161 && c <= 172) || (c >= 174 && c <= 255);
    };
    int code = b;
    if (!printable(b)) {
        code = 256;
        for (int c = 0; c < b; ++c)
            code += printable(c) ? 0 : 1;
    }
    if (code == '"' || code == '\\')
        return std::string("\\") + static_cast<char>(code);
    if (code < 0x80)
        return std::string(1, static_cast<char>(code));
    std::string utf8;
    if (code < 0x800) {
        utf8 += static_cast<char>(0xC0 | (code >> 6));
    } else {
        utf8 += static_cast<char>(0xE0 | (code >> 12));
        utf8 += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    }
    utf8 += static_cast<char>(0x80 | (code & 0x3F));
    return utf8;
}

// File name -> contents.
inline std::map<std::string, std::string>
tiny_checkpoint_files(const TinyCheckpointShape& shape = {}) {
    const std::uint64_t dim = shape.dim, ffn = shape.ffn, vocab = 260, layers = shape.layers;
    const std::uint64_t heads = dim / 32;
    std::uint32_t seed = 12345;
    const auto next = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return static_cast<float>(seed >> 8) / 16777216.0f - 0.5f;
    };
    const auto bf16 = [&](std::uint64_t n, float scale, float offset) {
        std::vector<std::uint16_t> v(n);
        for (auto& x : v)
            x = static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(offset + scale * next()) >>
                                           16);
        return as_bytes(v);
    };
    std::vector<RawTensor> tensors = {
        {"model.embed_tokens.weight", "BF16", {vocab, dim}, bf16(vocab * dim, 1.0f, 0.0f)},
        {"model.norm.weight", "BF16", {dim}, bf16(dim, 0.2f, 1.0f)}};
    for (std::uint64_t l = 0; l < layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        tensors.push_back({p + "input_layernorm.weight", "BF16", {dim}, bf16(dim, 0.2f, 1.0f)});
        tensors.push_back(
            {p + "post_attention_layernorm.weight", "BF16", {dim}, bf16(dim, 0.2f, 1.0f)});
        tensors.push_back(
            {p + "self_attn.attn_sub_norm.weight", "BF16", {dim}, bf16(dim, 0.2f, 1.0f)});
        tensors.push_back({p + "mlp.ffn_sub_norm.weight", "BF16", {ffn}, bf16(ffn, 0.2f, 1.0f)});
        for (const char* name : {"self_attn.q_proj", "self_attn.o_proj"}) {
            tensors.push_back(
                {p + name + ".weight", "BF16", {dim, dim}, bf16(dim * dim, 0.1f, 0.0f)});
        }
        for (const char* name : {"self_attn.k_proj", "self_attn.v_proj"}) {
            tensors.push_back(
                {p + name + ".weight", "BF16", {dim / 2, dim}, bf16(dim * dim / 2, 0.1f, 0.0f)});
        }
        for (const char* name : {"mlp.gate_proj", "mlp.up_proj"}) {
            tensors.push_back(
                {p + name + ".weight", "BF16", {ffn, dim}, bf16(ffn * dim, 0.1f, 0.0f)});
        }
        tensors.push_back(
            {p + "mlp.down_proj.weight", "BF16", {dim, ffn}, bf16(dim * ffn, 0.1f, 0.0f)});
    }
    std::map<std::string, std::string> files;
    const std::vector<std::uint8_t> weights = build_safetensors(tensors);
    files["model.safetensors"] = std::string(weights.begin(), weights.end());
    files["config.json"] =
        R"({"architectures":["BitNetForCausalLM"],"hidden_act":"relu2","hidden_size":)" +
        std::to_string(dim) + R"(,"intermediate_size":)" + std::to_string(ffn) +
        R"(,"num_hidden_layers":)" + std::to_string(layers) + R"(,"num_attention_heads":)" +
        std::to_string(heads) + R"(,"num_key_value_heads":)" + std::to_string(heads / 2) +
        R"(,"vocab_size":260,"max_position_embeddings":512,)"
        R"("rms_norm_eps":1e-5,"rope_theta":500000.0,"tie_word_embeddings":true,)"
        R"("bos_token_id":256,"eos_token_id":257})";
    // Byte-level BPE over the 256 byte tokens, spelled with GPT-2's printable mapping so that the
    // engine can load the converted model and tokenize any text, plus two specials.
    std::ostringstream vocab_json;
    vocab_json << "{";
    for (int i = 0; i < 256; ++i)
        vocab_json << (i ? "," : "") << '"' << gpt2_byte_token(i) << "\":" << i;
    vocab_json << "}";
    files["tokenizer.json"] =
        R"({"version":"1.0","added_tokens":[{"id":256,"content":"<s>","special":true},)"
        R"({"id":257,"content":"</s>","special":true}],"normalizer":null,)"
        R"("pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"use_regex":true},)"
        R"("decoder":{"type":"ByteLevel"},"model":{"type":"BPE","vocab":)" +
        vocab_json.str() + R"(,"merges":[]}})";
    files["tokenizer_config.json"] = R"({"chat_template":"{{ messages }}","add_bos_token":true})";
    return files;
}

inline void write_tiny_checkpoint(const std::filesystem::path& dir,
                                  const TinyCheckpointShape& shape = {}) {
    for (const auto& [name, content] : tiny_checkpoint_files(shape)) {
        write_text(dir / name, content);
    }
}

} // namespace tern::test
