#include "hf_config.h"

#include "tern/engine/engine.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace tern::downloader::convert {

namespace {

using nlohmann::json;
using tern::engine::Error;

json read_json(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot open");
    try {
        json value = json::parse(in);
        if (!value.is_object()) throw Error(path.string() + ": not a JSON object");
        return value;
    } catch (const json::exception& e) {
        throw Error(path.string() + ": not valid JSON: " + e.what());
    }
}

std::uint64_t positive_int(const json& config, const char* key, const std::string& path) {
    const auto it = config.find(key);
    if (it == config.end() || it->is_null()) throw Error(path + ": missing \"" + key + "\"");
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0) {
        throw Error(path + ": \"" + key + "\" must be a positive integer, not " + it->dump());
    }
    return it->get<std::uint64_t>();
}

std::optional<std::uint64_t> optional_int(const json& config, const char* key,
                                          const std::string& path) {
    const auto it = config.find(key);
    if (it == config.end() || it->is_null()) return std::nullopt;
    return positive_int(config, key, path);
}

float optional_float(const json& config, const char* key, float fallback, const std::string& path) {
    const auto it = config.find(key);
    if (it == config.end() || it->is_null()) return fallback;
    if (!it->is_number() || it->get<double>() <= 0) {
        throw Error(path + ": \"" + key + "\" must be a positive number, not " + it->dump());
    }
    return static_cast<float>(it->get<double>());
}

// bos/eos ids appear as an integer or (eos) a list of integers.
void read_token_ids(const json& config, HfModelConfig& out, const std::string& path) {
    if (const auto it = config.find("bos_token_id"); it != config.end() && !it->is_null()) {
        if (!it->is_number_integer()) throw Error(path + ": \"bos_token_id\" is not an integer");
        out.bos_id = it->get<std::int32_t>();
    }
    if (const auto it = config.find("pad_token_id"); it != config.end() && !it->is_null()) {
        if (!it->is_number_integer()) throw Error(path + ": \"pad_token_id\" is not an integer");
        out.pad_id = it->get<std::int32_t>();
    }
    if (const auto it = config.find("eos_token_id"); it != config.end() && !it->is_null()) {
        std::vector<std::int32_t> ids;
        if (it->is_number_integer()) {
            ids.push_back(it->get<std::int32_t>());
        } else if (it->is_array()) {
            for (const auto& id : *it) {
                if (!id.is_number_integer()) throw Error(path + ": \"eos_token_id\" holds a non-integer");
                ids.push_back(id.get<std::int32_t>());
            }
        } else {
            throw Error(path + ": \"eos_token_id\" is neither an integer nor a list");
        }
        out.eos_ids = std::move(ids);
    }
}

// transformers' BitNet integration: "bitlinear" (the default) divides by weight_scale;
// "autobitlinear" in "offline" mode multiplies. Other quant methods are not ternary checkpoints.
void read_quantization(const json& config, HfModelConfig& out, const std::string& path) {
    const auto it = config.find("quantization_config");
    if (it == config.end() || it->is_null()) return;
    if (!it->is_object()) throw Error(path + ": \"quantization_config\" is not an object");
    const std::string method = it->value("quant_method", std::string());
    if (method != "bitnet") {
        throw Error(path + ": quantization_config.quant_method is \"" + method +
                    "\"; only BitNet (\"bitnet\") checkpoints can be converted");
    }
    const std::string linear_class = it->value("linear_class", std::string("bitlinear"));
    const std::string mode = it->value("quantization_mode", std::string("offline"));
    if (linear_class == "bitlinear") {
        out.packed_scale = PackedScale::Divide;
    } else if (linear_class == "autobitlinear" && mode == "offline") {
        out.packed_scale = PackedScale::Multiply;
    } else if (linear_class == "autobitlinear" && mode == "online") {
        out.packed_scale.reset(); // latent weights, ternarized at conversion
    } else {
        throw Error(path + ": quantization_config has an unknown linear_class \"" + linear_class +
                    "\" / quantization_mode \"" + mode + "\"");
    }
    out.quantization_note = "quantization_config: linear_class " + linear_class + ", mode " + mode;
}

} // namespace

HfModelConfig read_hf_config(const std::filesystem::path& dir) {
    const auto config_path = dir / "config.json";
    HfModelConfig out;
    out.config_path = config_path.string();
    const std::string& path = out.config_path;
    std::error_code ec;
    if (!std::filesystem::exists(config_path, ec)) {
        throw Error(path + ": missing (a Hugging Face checkpoint needs its config.json)");
    }
    const json config = read_json(config_path);

    const auto arch_it = config.find("architectures");
    if (arch_it == config.end() || !arch_it->is_array() || arch_it->empty() ||
        !(*arch_it)[0].is_string()) {
        throw Error(path + ": missing \"architectures\"");
    }
    out.hf_class = (*arch_it)[0].get<std::string>();
    out.hidden_act = config.value("hidden_act", std::string("silu"));
    read_quantization(config, out, path);
    if (out.hf_class == "BitNetForCausalLM" || out.hf_class == "BitnetForCausalLM") {
        // 2B4T (BitNetForCausalLM, relu²) and the 1bitLLM models (BitnetForCausalLM, SiLU) share
        // the sub-norm block; the activation tells the two graphs apart.
        out.architecture = out.hidden_act == "relu2" ? "bitnet-b1.58" : "bitnet";
    } else if (out.hf_class == "LlamaForCausalLM") {
        if (config.find("quantization_config") == config.end()) {
            throw Error(path + ": a LlamaForCausalLM checkpoint without a BitNet "
                               "quantization_config is not a 1.58-bit model");
        }
        out.architecture = "llama";
    } else {
        throw Error(path + ": unsupported architecture \"" + out.hf_class +
                    "\" (supported: BitNetForCausalLM, BitnetForCausalLM, LlamaForCausalLM "
                    "with a BitNet quantization_config)");
    }
    if (out.hidden_act != "relu2" && out.hidden_act != "silu") {
        throw Error(path + ": unsupported hidden_act \"" + out.hidden_act + "\" (relu2 or silu)");
    }
    if (out.architecture == "llama" && out.hidden_act != "silu") {
        throw Error(path + ": a llama graph needs hidden_act silu, not \"" + out.hidden_act + "\"");
    }

    out.vocab_size = positive_int(config, "vocab_size", path);
    out.hidden_size = positive_int(config, "hidden_size", path);
    out.intermediate_size = positive_int(config, "intermediate_size", path);
    out.layers = positive_int(config, "num_hidden_layers", path);
    out.heads = positive_int(config, "num_attention_heads", path);
    out.kv_heads = optional_int(config, "num_key_value_heads", path).value_or(out.heads);
    out.context_length = optional_int(config, "max_position_embeddings", path).value_or(2048);
    if (out.heads % out.kv_heads != 0) {
        throw Error(path + ": num_attention_heads " + std::to_string(out.heads) +
                    " is not a multiple of num_key_value_heads " + std::to_string(out.kv_heads));
    }
    if (const auto head_dim = optional_int(config, "head_dim", path)) {
        out.head_dim = *head_dim;
    } else {
        if (out.hidden_size % out.heads != 0) {
            throw Error(path + ": hidden_size " + std::to_string(out.hidden_size) +
                        " is not a multiple of num_attention_heads " + std::to_string(out.heads));
        }
        out.head_dim = out.hidden_size / out.heads;
    }
    if (out.head_dim % 2 != 0) {
        throw Error(path + ": the head dimension " + std::to_string(out.head_dim) +
                    " is odd; rotary embedding needs pairs");
    }
    out.rms_norm_eps = optional_float(config, "rms_norm_eps", 1e-5f, path);
    out.rope_theta = optional_float(config, "rope_theta", 10000.0f, path);
    if (const auto it = config.find("rope_scaling"); it != config.end() && !it->is_null()) {
        throw Error(path + ": rope_scaling " + it->dump() + " is not supported by this converter");
    }
    if (const auto it = config.find("tie_word_embeddings"); it != config.end() && it->is_boolean()) {
        out.tie_word_embeddings = it->get<bool>();
    }
    read_token_ids(config, out, path);
    const auto generation_path = dir / "generation_config.json";
    if (std::filesystem::exists(generation_path, ec)) {
        read_token_ids(read_json(generation_path), out, generation_path.string());
    }
    out.name = dir.filename().string();
    if (out.name.empty()) out.name = dir.parent_path().filename().string();
    return out;
}

} // namespace tern::downloader::convert
