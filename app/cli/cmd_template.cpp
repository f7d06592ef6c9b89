// tern-cli template: the prompt a model sees for a conversation.
#include "command.h"

#include "tern/engine/chat_template.h"
#include "tern/engine/gguf.h"
#include "tern/engine/tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace tern::cli {

namespace {

void print_template_help() {
    std::printf(
        "Usage: tern-cli template -m FILE --messages JSON [--template NAME|FILE] [--system TEXT]\n"
        "                         [--no-generation-prompt] [--tokens]\n\n"
        "Prints the chat prompt a model sees for a conversation.\n\n"
        "  -m, --model FILE        a GGUF model or vocabulary, a tokenizer.json (its\n"
        "                          tokenizer_config.json beside it gives the template), or a\n"
        "                          tokenizer.model\n"
        "  --messages JSON         the conversation: [{\"role\":\"user\",\"content\":\"Hi\"}, ...]\n"
        "                          (or @FILE to read the JSON from FILE)\n"
        "  --template NAME|FILE    use a built-in template (2b4t, llama3, falcon3, completion)\n"
        "                          or the Jinja template in FILE instead of the model's own\n"
        "  --system TEXT           system prompt, used when the messages have none\n"
        "  --no-generation-prompt  do not end with the cue for the assistant's reply\n"
        "  --tokens                print the token ids of the prompt instead of its text\n");
}

int usage_error(const std::string& message) {
    std::fprintf(stderr, "tern-cli template: %s (see tern-cli template --help)\n", message.c_str());
    return kExitUsage;
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw engine::Error(path + ": cannot open");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<engine::ChatMessage> parse_messages(const std::string& json_text) {
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::exception& e) {
        throw engine::Error(std::string("--messages: not valid JSON: ") + e.what());
    }
    if (!json.is_array()) throw engine::Error("--messages: expected a JSON array of {role, content}");
    std::vector<engine::ChatMessage> messages;
    for (const auto& m : json) {
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content") ||
            !m["content"].is_string()) {
            throw engine::Error("--messages: each message needs string 'role' and 'content'");
        }
        messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
    }
    return messages;
}

} // namespace

int run_template(std::span<char* const> args) {
    std::string model_path;
    std::string messages_json;
    std::string template_choice;
    std::string system_prompt;
    bool generation_prompt = true;
    bool tokens = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const auto value = [&]() -> const char* { return i + 1 < args.size() ? args[++i] : nullptr; };
        if (arg == "-h" || arg == "--help") {
            print_template_help();
            return kExitOk;
        } else if (arg == "-m" || arg == "--model" || arg == "--messages" || arg == "--template" ||
                   arg == "--system") {
            const char* v = value();
            if (v == nullptr) return usage_error(std::string(arg) + " needs a value");
            (arg == "--messages"   ? messages_json
             : arg == "--template" ? template_choice
             : arg == "--system"   ? system_prompt
                                   : model_path) = v;
        } else if (arg == "--no-generation-prompt") {
            generation_prompt = false;
        } else if (arg == "--tokens") {
            tokens = true;
        } else {
            return usage_error("unknown option '" + std::string(arg) + "'");
        }
    }
    if (model_path.empty()) return usage_error("-m FILE is required");
    if (messages_json.empty()) return usage_error("--messages JSON is required");
    try {
        if (messages_json[0] == '@') messages_json = read_text_file(messages_json.substr(1));
        const auto messages = parse_messages(messages_json);
        const auto tokenizer = engine::Tokenizer::from_file(model_path);
        std::string architecture;
        {
            std::ifstream probe(model_path, std::ios::binary);
            char magic[4] = {};
            if (probe.read(magic, 4) && std::string_view(magic, 4) == "GGUF") {
                architecture = engine::GgufFile::open(model_path)->find_string("general.architecture").value_or("");
            }
        }
        std::string override_source = template_choice;
        if (!template_choice.empty() && !engine::ChatTemplate::builtin_by_name(template_choice)) {
            override_source = read_text_file(template_choice);
        }
        const auto chat = engine::ChatTemplate::for_model(tokenizer->chat_template(), architecture,
                                                          tokenizer.get(), override_source);
        if (tokens) {
            const auto ids = chat.render_tokens(*tokenizer, messages, generation_prompt, system_prompt);
            std::string line;
            for (std::size_t k = 0; k < ids.size(); ++k) line += (k ? " " : "") + std::to_string(ids[k]);
            std::printf("%s\n", line.c_str());
            return kExitOk;
        }
        auto options = engine::chat_options_for(*tokenizer);
        options.add_generation_prompt = generation_prompt;
        options.system_prompt = system_prompt;
        const std::string prompt = chat.render(messages, options);
        std::fwrite(prompt.data(), 1, prompt.size(), stdout);
        std::printf("\n");
        return kExitOk;
    } catch (const engine::Error& e) {
        std::fprintf(stderr, "tern-cli template: %s\n", e.what());
        return kExitFailure;
    }
}

} // namespace tern::cli
