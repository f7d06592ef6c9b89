#include "tokenizer_metadata.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace tern::downloader::convert {

namespace {

using engine::Error;
using engine::Token;
using engine::TokenType;
using engine::Vocabulary;
using nlohmann::json;

// A tiktoken rank file starts with "<base64> <rank>"; a SentencePiece model is a protobuf whose
// first byte is a field key (0x0a for pieces).
bool looks_like_tiktoken_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    if (!std::getline(in, line)) return false;
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 >= line.size()) return false;
    for (std::size_t i = 0; i < space; ++i) {
        const char c = line[i];
        const bool base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
        if (!base64) return false;
    }
    for (std::size_t i = space + 1; i < line.size(); ++i) {
        if ((line[i] < '0' || line[i] > '9') && line[i] != '\r') return false;
    }
    return true;
}

// bos_token / eos_token in tokenizer_config.json: a string or an AddedToken object.
std::string token_text(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object() && value.contains("content") && value["content"].is_string()) {
        return value["content"].get<std::string>();
    }
    return {};
}

Token find_token(const Vocabulary& vocabulary, const std::string& text) {
    if (text.empty()) return -1;
    for (std::size_t i = 0; i < vocabulary.tokens.size(); ++i) {
        if (vocabulary.tokens[i] == text) return static_cast<Token>(i);
    }
    return -1;
}

void apply_tokenizer_config(const std::filesystem::path& path, Vocabulary& vocabulary) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot open");
    json config;
    try {
        config = json::parse(in);
    } catch (const json::exception& e) {
        throw Error(path.string() + ": not valid JSON: " + e.what());
    }
    if (!config.is_object()) throw Error(path.string() + ": not a JSON object");
    if (const auto it = config.find("chat_template"); it != config.end()) {
        if (it->is_string()) {
            vocabulary.chat_template = it->get<std::string>();
        } else if (it->is_array()) { // [{"name": "default", "template": "..."}, ...]
            for (const auto& entry : *it) {
                if (entry.is_object() && entry.value("name", std::string()) == "default" &&
                    entry.contains("template") && entry["template"].is_string()) {
                    vocabulary.chat_template = entry["template"].get<std::string>();
                }
            }
        } else if (!it->is_null()) {
            throw Error(path.string() + ": \"chat_template\" is neither a string nor a list");
        }
    }
    if (const auto it = config.find("add_bos_token"); it != config.end() && it->is_boolean()) {
        vocabulary.add_bos = it->get<bool>();
    }
    if (const auto it = config.find("add_eos_token"); it != config.end() && it->is_boolean()) {
        vocabulary.add_eos = it->get<bool>();
    }
    if (const auto it = config.find("bos_token"); it != config.end()) {
        if (const Token id = find_token(vocabulary, token_text(*it)); id >= 0) vocabulary.bos = id;
    }
    if (const auto it = config.find("eos_token"); it != config.end()) {
        if (const Token id = find_token(vocabulary, token_text(*it)); id >= 0) vocabulary.eos = id;
    }
}

} // namespace

Vocabulary read_checkpoint_vocabulary(const std::filesystem::path& dir, const HfModelConfig& config,
                                      std::vector<std::string>& notes) {
    std::error_code ec;
    const auto tokenizer_json = dir / "tokenizer.json";
    const auto tokenizer_model = dir / "tokenizer.model";
    const auto tokenizer_config = dir / "tokenizer_config.json";
    const bool has_config = std::filesystem::is_regular_file(tokenizer_config, ec);
    Vocabulary vocabulary;
    std::string source;
    if (std::filesystem::is_regular_file(tokenizer_json, ec)) {
        source = tokenizer_json.string();
        vocabulary = engine::vocabulary_from_tokenizer_json(
            source, has_config ? tokenizer_config.string() : std::string());
    } else if (std::filesystem::is_regular_file(tokenizer_model, ec)) {
        source = tokenizer_model.string();
        vocabulary = looks_like_tiktoken_file(tokenizer_model)
                         ? engine::vocabulary_from_tiktoken(source)
                         : engine::vocabulary_from_sentencepiece(source);
    } else {
        throw Error(dir.string() + ": no tokenizer.json or tokenizer.model");
    }
    if (has_config) apply_tokenizer_config(tokenizer_config, vocabulary);
    if (vocabulary.model == "gpt2" && vocabulary.pre.empty()) {
        // GGUF names a pre-tokenizer instead of storing its regexes; an unknown one becomes
        // "default", which may split text differently from the original.
        notes.push_back(source + ": pre-tokenizer not recognized (not llama-bpe or gpt-2); "
                                 "recorded as \"default\"");
    }
    // config.json / generation_config.json name the ids the model was trained to use.
    if (config.bos_id >= 0) vocabulary.bos = config.bos_id;
    if (!config.eos_ids.empty()) {
        vocabulary.eos = config.eos_ids.front();
        // A second eos id (LLaMA-3 instruct lists <|eot_id|>) is the end of a turn.
        if (config.eos_ids.size() > 1 && vocabulary.eot < 0) vocabulary.eot = config.eos_ids[1];
    }
    if (config.pad_id >= 0) vocabulary.pad = config.pad_id;
    if (vocabulary.eot < 0) vocabulary.eot = find_token(vocabulary, "<|eot_id|>");

    const std::size_t have = vocabulary.tokens.size();
    if (have > config.vocab_size) {
        throw Error(source + ": " + std::to_string(have) + " tokens, more than the vocab_size " +
                    std::to_string(config.vocab_size) + " of " + config.config_path);
    }
    if (have < config.vocab_size) {
        if (vocabulary.types.empty()) vocabulary.types.assign(have, static_cast<std::int32_t>(TokenType::Normal));
        for (std::size_t id = have; id < config.vocab_size; ++id) {
            vocabulary.tokens.push_back("[PAD" + std::to_string(id) + "]");
            vocabulary.types.push_back(static_cast<std::int32_t>(TokenType::Unused));
            if (!vocabulary.scores.empty()) vocabulary.scores.push_back(-1e9f);
        }
        notes.push_back("vocabulary padded from " + std::to_string(have) + " to " +
                        std::to_string(config.vocab_size) + " tokens with unused [PAD<id>] tokens");
    }
    const auto check_id = [&](Token id, const char* what) {
        if (id >= static_cast<Token>(vocabulary.tokens.size())) {
            throw Error(source + ": the " + std::string(what) + " token id " + std::to_string(id) +
                        " is beyond the vocabulary of " + std::to_string(vocabulary.tokens.size()));
        }
    };
    check_id(vocabulary.bos, "bos");
    check_id(vocabulary.eos, "eos");
    check_id(vocabulary.eot, "end-of-turn");
    check_id(vocabulary.unk, "unknown");
    check_id(vocabulary.pad, "padding");
    return vocabulary;
}

void write_tokenizer_metadata(engine::GgufWriter& writer, const Vocabulary& vocabulary) {
    writer.set_string("tokenizer.ggml.model", vocabulary.model);
    if (vocabulary.model == "gpt2") {
        writer.set_string("tokenizer.ggml.pre", vocabulary.pre.empty() ? "default" : vocabulary.pre);
    }
    writer.set_string_array("tokenizer.ggml.tokens", vocabulary.tokens);
    if (!vocabulary.scores.empty()) writer.set_f32_array("tokenizer.ggml.scores", vocabulary.scores);
    std::vector<std::int32_t> types = vocabulary.types;
    if (types.empty()) types.assign(vocabulary.tokens.size(), static_cast<std::int32_t>(TokenType::Normal));
    writer.set_i32_array("tokenizer.ggml.token_type", types);
    if (!vocabulary.merges.empty()) writer.set_string_array("tokenizer.ggml.merges", vocabulary.merges);
    const auto set_id = [&](const char* key, Token id) {
        if (id >= 0) writer.set_u32(key, static_cast<std::uint32_t>(id));
    };
    set_id("tokenizer.ggml.bos_token_id", vocabulary.bos);
    set_id("tokenizer.ggml.eos_token_id", vocabulary.eos);
    set_id("tokenizer.ggml.eot_token_id", vocabulary.eot);
    set_id("tokenizer.ggml.unknown_token_id", vocabulary.unk);
    set_id("tokenizer.ggml.padding_token_id", vocabulary.pad);
    writer.set_bool("tokenizer.ggml.add_bos_token", vocabulary.add_bos);
    writer.set_bool("tokenizer.ggml.add_eos_token", vocabulary.add_eos);
    if (vocabulary.model == "llama") {
        writer.set_bool("tokenizer.ggml.add_space_prefix", vocabulary.add_space_prefix);
    }
    if (!vocabulary.chat_template.empty()) {
        writer.set_string("tokenizer.chat_template", vocabulary.chat_template);
    }
}

} // namespace tern::downloader::convert
