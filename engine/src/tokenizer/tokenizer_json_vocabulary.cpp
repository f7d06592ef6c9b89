// A Hugging Face tokenizer.json (byte-level BPE) and its tokenizer_config.json as a Vocabulary.
#include "file_bytes.h"
#include "pretokenizer.h"
#include "tern/engine/tokenizer.h"

#include <nlohmann/json.hpp>

namespace tern::engine {

namespace {

using nlohmann::json;

json parse_json_file(const std::string& path) {
    const std::string text = tokenizer_detail::read_file_bytes(path);
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        throw Error(path + ": not valid JSON: " + e.what());
    }
}

// Escapes a literal string for use inside a regex.
std::string regex_literal(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

// Appends the regexes one pre-tokenizer entry stands for.
void add_pre_tokenizer(const json& pre, std::vector<std::string>& regexes, const std::string& path) {
    const std::string type = pre.value("type", "");
    const auto unsupported = [&](const std::string& what) {
        return Error(path + ": pre-tokenizer " + type + " with " + what + " is not supported");
    };
    if (type == "Sequence") {
        for (const auto& item : pre.at("pretokenizers")) add_pre_tokenizer(item, regexes, path);
    } else if (type == "Split") {
        const auto& pattern = pre.at("pattern");
        if (pre.value("invert", false)) throw unsupported("invert");
        if (pre.value("behavior", "Isolated") != "Isolated") throw unsupported("behavior " + pre.value("behavior", ""));
        if (pattern.contains("Regex")) regexes.push_back(pattern.at("Regex").get<std::string>());
        else regexes.push_back(regex_literal(pattern.at("String").get<std::string>()));
    } else if (type == "ByteLevel") {
        if (pre.value("add_prefix_space", false)) throw unsupported("add_prefix_space");
        if (pre.value("use_regex", true)) {
            bool ignored = false;
            const auto gpt2 = tokenizer_detail::pre_tokenizer_regexes("gpt-2", ignored);
            regexes.insert(regexes.end(), gpt2.begin(), gpt2.end());
        }
    } else if (type == "Digits") {
        regexes.push_back(pre.value("individual_digits", false) ? R"(\p{N})" : R"(\p{N}+)");
    } else if (type == "Punctuation") {
        const std::string behavior = pre.value("behavior", "Isolated");
        if (behavior == "Contiguous") regexes.push_back(R"([\p{P}\$\+<=>\^~\|`]+)");
        else if (behavior == "Isolated") regexes.push_back(R"([\p{P}\$\+<=>\^~\|`])");
        else throw unsupported("behavior " + behavior);
    } else {
        throw Error(path + ": pre-tokenizer type '" + type + "' is not supported");
    }
}

std::string token_content(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object() && value.contains("content")) return value.at("content").get<std::string>();
    return {};
}

} // namespace

Vocabulary vocabulary_from_tokenizer_json(const std::string& path, const std::string& config_path) {
    const json root = parse_json_file(path);
    Vocabulary vocabulary;
    vocabulary.model = "gpt2";
    try {
        const json& model = root.at("model");
        if (model.value("type", "BPE") != "BPE") {
            throw Error(path + ": model type '" + model.value("type", "") +
                        "' is not supported (byte-level BPE only)");
        }
        if (!root.contains("decoder") || root["decoder"].is_null() ||
            root["decoder"].value("type", "") != "ByteLevel") {
            throw Error(path + ": not a byte-level BPE tokenizer (decoder is not ByteLevel); "
                               "use the model's tokenizer.model instead");
        }
        if (root.contains("normalizer") && !root["normalizer"].is_null()) {
            throw Error(path + ": normalizer '" + root["normalizer"].value("type", "") +
                        "' is not supported");
        }
        const json& vocab = model.at("vocab");
        std::size_t size = 0;
        for (const auto& [text, id] : vocab.items()) size = std::max(size, id.get<std::size_t>() + 1);
        for (const auto& added : root.value("added_tokens", json::array())) {
            size = std::max(size, added.at("id").get<std::size_t>() + 1);
        }
        if (size > 10'000'000) throw Error(path + ": implausible vocabulary size");
        vocabulary.tokens.resize(size);
        vocabulary.types.assign(size, static_cast<std::int32_t>(TokenType::Unused));
        for (const auto& [text, id] : vocab.items()) {
            const auto index = id.get<std::size_t>();
            vocabulary.tokens[index] = text;
            vocabulary.types[index] = static_cast<std::int32_t>(TokenType::Normal);
        }
        for (const auto& added : root.value("added_tokens", json::array())) {
            const auto index = added.at("id").get<std::size_t>();
            vocabulary.tokens[index] = added.at("content").get<std::string>();
            vocabulary.types[index] = static_cast<std::int32_t>(
                added.value("special", false) ? TokenType::Control : TokenType::UserDefined);
        }
        for (std::size_t i = 0; i < size; ++i) {
            // Ids no entry names: give them distinct names so lookups stay unambiguous.
            if (vocabulary.tokens[i].empty()) vocabulary.tokens[i] = "[UNUSED_" + std::to_string(i) + "]";
        }
        for (const auto& merge : model.at("merges")) {
            if (merge.is_string()) {
                vocabulary.merges.push_back(merge.get<std::string>());
            } else {
                vocabulary.merges.push_back(merge.at(0).get<std::string>() + ' ' +
                                            merge.at(1).get<std::string>());
            }
        }
        vocabulary.ignore_merges = model.value("ignore_merges", false);
        if (root.contains("pre_tokenizer") && !root["pre_tokenizer"].is_null()) {
            add_pre_tokenizer(root["pre_tokenizer"], vocabulary.pre_regexes, path);
        }
        // Name the pre-tokenizer the way GGUF does when it is one we know.
        bool ignore = false;
        for (const char* name : {"llama-bpe", "gpt-2"}) {
            if (vocabulary.pre_regexes == tokenizer_detail::pre_tokenizer_regexes(name, ignore)) {
                vocabulary.pre = name;
            }
        }
        // A post-processor that starts every sequence with a special token adds bos.
        const json post = root.value("post_processor", json());
        if (post.is_object() && post.value("type", "") == "TemplateProcessing") {
            const json& single = post.at("single");
            if (!single.empty() && single[0].contains("SpecialToken")) {
                const std::string bos = single[0]["SpecialToken"].at("id").get<std::string>();
                for (std::size_t i = 0; i < size; ++i) {
                    if (vocabulary.tokens[i] == bos) vocabulary.bos = static_cast<Token>(i);
                }
                vocabulary.add_bos = vocabulary.bos >= 0;
            }
        }
    } catch (const json::exception& e) {
        throw Error(path + ": unexpected tokenizer.json structure: " + e.what());
    }

    if (!config_path.empty()) {
        const json config = parse_json_file(config_path);
        const auto find = [&](const std::string& text) -> Token {
            for (std::size_t i = 0; i < vocabulary.tokens.size(); ++i) {
                if (vocabulary.tokens[i] == text) return static_cast<Token>(i);
            }
            return -1;
        };
        try {
            if (config.contains("bos_token")) vocabulary.bos = find(token_content(config["bos_token"]));
            if (config.contains("eos_token")) vocabulary.eos = find(token_content(config["eos_token"]));
            if (config.contains("pad_token")) vocabulary.pad = find(token_content(config["pad_token"]));
            if (config.contains("add_bos_token") && config["add_bos_token"].is_boolean()) {
                vocabulary.add_bos = config["add_bos_token"].get<bool>();
            }
            if (config.contains("chat_template")) {
                const json& t = config["chat_template"];
                if (t.is_string()) {
                    vocabulary.chat_template = t.get<std::string>();
                } else if (t.is_array()) {
                    // Several named templates: the "default" one is for chat.
                    for (const auto& entry : t) {
                        if (entry.value("name", "") == "default") {
                            vocabulary.chat_template = entry.at("template").get<std::string>();
                        }
                    }
                }
            }
        } catch (const json::exception& e) {
            throw Error(config_path + ": unexpected tokenizer_config.json structure: " + e.what());
        }
    }
    vocabulary.add_bos = vocabulary.add_bos && vocabulary.bos >= 0;
    return vocabulary;
}

} // namespace tern::engine
