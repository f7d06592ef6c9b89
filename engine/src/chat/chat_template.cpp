// Choosing, rendering and tokenizing chat templates.
#include "tern/engine/chat_template.h"

#include "jinja.h"
#include "tern/engine/tokenizer.h"

namespace tern::engine {

namespace {

// U+FDD0 / U+FDD1 are Unicode noncharacters, reserved for a program's internal use: they mark
// where each message's content lies in the rendered text.
constexpr std::string_view kOpen = "\xEF\xB7\x90";
constexpr std::string_view kClose = "\xEF\xB7\x91";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string without_markers(std::string text) {
    for (const auto marker : {kOpen, kClose}) {
        for (std::size_t p = text.find(marker); p != std::string::npos; p = text.find(marker, p)) {
            text.erase(p, marker.size());
        }
    }
    return text;
}

// Markers go inside the surrounding whitespace so that trim/strip in templates still work.
std::string marked(const std::string& content) {
    std::size_t a = 0, b = content.size();
    while (a < b && is_space(content[a])) ++a;
    while (b > a && is_space(content[b - 1])) --b;
    return content.substr(0, a) + std::string(kOpen) + content.substr(a, b - a) + std::string(kClose) +
           content.substr(b);
}

jinja::Value message_list(std::span<const ChatMessage> messages, const ChatRenderOptions& options,
                          bool with_markers) {
    jinja::List list;
    const bool add_system = !options.system_prompt.empty() && (messages.empty() || messages.front().role != "system");
    const auto add = [&](const std::string& role, const std::string& content) {
        jinja::Dict message;
        message.emplace_back("role", jinja::Value::from(role));
        message.emplace_back("content", jinja::Value::from(with_markers ? marked(without_markers(content)) : content));
        list.push_back(jinja::Value::from(std::move(message)));
    };
    if (add_system) add("system", options.system_prompt);
    for (const auto& m : messages) add(m.role, m.content);
    return jinja::Value::from(std::move(list));
}

bool is_bitnet_2b4t(std::string_view architecture) {
    return architecture == "bitnet-b1.58" || architecture == "bitnet-25";
}

// A probe conversation: a usable template puts every message's text into its output.
const ChatMessage kProbe[] = {{"system", "tern-probe-system"},
                              {"user", "tern-probe-user-1"},
                              {"assistant", "tern-probe-assistant"},
                              {"user", "tern-probe-user-2"}};

std::optional<std::string> try_render(const ChatTemplate& t, std::span<const ChatMessage> messages) {
    ChatRenderOptions options;
    options.bos_token = "<|begin_of_text|>";
    options.eos_token = "<|eot_id|>";
    try {
        return t.render(messages, options);
    } catch (const Error&) {
        return std::nullopt;
    }
}

bool renders_2b4t_format(std::string_view model_template) {
    try {
        const auto t = ChatTemplate::from_jinja(model_template);
        const auto out = try_render(t, kProbe);
        return out && out->find("User: tern-probe-user-1<|eot_id|>Assistant: tern-probe-assistant<|eot_id|>") !=
                          std::string::npos &&
               out->size() >= 11 && out->compare(out->size() - 11, 11, "Assistant: ") == 0;
    } catch (const Error&) {
        return false;
    }
}

} // namespace

struct ChatTemplate::Compiled {
    jinja::Template jinja;
};

ChatTemplate::ChatTemplate(ChatFormat format, std::string source)
    : format_(format), source_(std::move(source)) {
    try {
        compiled_ = std::make_shared<const Compiled>(Compiled{jinja::Template(source_)});
    } catch (const jinja::TemplateError& e) {
        throw Error(e.what());
    }
}

ChatTemplate::ChatTemplate(ChatTemplate&&) noexcept = default;
ChatTemplate& ChatTemplate::operator=(ChatTemplate&&) noexcept = default;
ChatTemplate::~ChatTemplate() = default;

ChatTemplate ChatTemplate::from_jinja(std::string_view source) {
    return ChatTemplate(ChatFormat::Jinja, std::string(source));
}

ChatTemplate ChatTemplate::builtin(ChatFormat format) {
    if (format == ChatFormat::Jinja) throw Error("ChatFormat::Jinja is not a built-in template");
    return ChatTemplate(format, builtin_chat_template_source(format));
}

std::optional<ChatFormat> ChatTemplate::builtin_by_name(std::string_view name) {
    if (name == "2b4t" || name == "bitnet") return ChatFormat::BitNet2B4T;
    if (name == "llama3") return ChatFormat::Llama3;
    if (name == "falcon3") return ChatFormat::Falcon3;
    if (name == "completion") return ChatFormat::Completion;
    return std::nullopt;
}

std::string ChatTemplate::name() const {
    switch (format_) {
    case ChatFormat::BitNet2B4T: return "2b4t";
    case ChatFormat::Llama3: return "llama3";
    case ChatFormat::Falcon3: return "falcon3";
    case ChatFormat::Completion: return "completion";
    case ChatFormat::Jinja: break;
    }
    return "jinja";
}

bool is_broken_chat_template(std::string_view model_template) {
    std::optional<ChatTemplate> t;
    try {
        t.emplace(ChatTemplate::from_jinja(model_template));
    } catch (const Error&) {
        return true;
    }
    // Some templates refuse system messages: try without one too.
    for (const std::span<const ChatMessage> probe : {std::span<const ChatMessage>(kProbe),
                                                     std::span<const ChatMessage>(kProbe).subspan(1)}) {
        const auto out = try_render(*t, probe);
        if (!out) continue;
        bool all = true;
        for (const auto& m : probe) all = all && out->find(m.content) != std::string::npos;
        if (all) return false;
    }
    return true;
}

ChatTemplate ChatTemplate::for_model(std::string_view model_template, std::string_view architecture,
                                     const Tokenizer* tokenizer, std::string_view user_override) {
    if (!user_override.empty()) {
        if (const auto format = builtin_by_name(user_override)) return builtin(*format);
        return from_jinja(user_override);
    }
    if (is_bitnet_2b4t(architecture)) {
        // The official GGUF (LLaMA-3 vocabulary) carries a placeholder: with that vocabulary, keep
        // a model template only when it really produces the 2B4T format. Other 2B4T-shaped
        // models (the demo model, fine-tunes with their own vocabulary) keep a working template.
        const bool llama3_vocabulary = tokenizer == nullptr || tokenizer->find_token("<|eot_id|>") >= 0;
        if (model_template.empty() || is_broken_chat_template(model_template) ||
            (llama3_vocabulary && !renders_2b4t_format(model_template))) {
            return builtin(ChatFormat::BitNet2B4T);
        }
        return from_jinja(model_template);
    }
    if (!model_template.empty() && !is_broken_chat_template(model_template)) return from_jinja(model_template);
    if (tokenizer != nullptr) {
        if (tokenizer->find_token("<|start_header_id|>") >= 0) return builtin(ChatFormat::Llama3);
        if (tokenizer->find_token("<|assistant|>") >= 0) return builtin(ChatFormat::Falcon3);
    }
    return builtin(ChatFormat::Completion);
}

std::string ChatTemplate::render(std::span<const ChatMessage> messages, const ChatRenderOptions& options) const {
    jinja::Dict variables;
    variables.emplace_back("messages", message_list(messages, options, false));
    variables.emplace_back("bos_token", jinja::Value::from(options.bos_token));
    variables.emplace_back("eos_token", jinja::Value::from(options.eos_token));
    variables.emplace_back("add_generation_prompt", jinja::Value::from(options.add_generation_prompt));
    variables.emplace_back("tools", jinja::Value::none());
    try {
        return compiled_->jinja.render(variables);
    } catch (const jinja::TemplateError& e) {
        throw Error(e.what());
    }
}

std::string ChatTemplate::assistant_turn_end() const {
    // In plain completion a blank line separates paragraphs as much as turns.
    if (format_ == ChatFormat::Completion) return {};
    // Render one exchange whose reply is a marker no template alters, and read what follows it.
    static constexpr std::string_view kMarker = "\x01tern-reply\x01";
    const ChatMessage exchange[] = {{"user", "hi"}, {"assistant", std::string(kMarker)}};
    ChatRenderOptions options;
    options.add_generation_prompt = false;
    std::string text;
    try {
        text = render(exchange, options);
    } catch (const Error&) {
        return {};
    }
    const std::size_t at = text.rfind(kMarker);
    if (at == std::string::npos) return {};
    std::string end = text.substr(at + kMarker.size());
    if (end.find_first_not_of(" \t") == std::string::npos || end == "\n") return {};
    return end;
}

RenderedChat ChatTemplate::render_with_ranges(std::span<const ChatMessage> messages,
                                              const ChatRenderOptions& options) const {
    RenderedChat result;
    const std::string plain = render(messages, options);
    jinja::Dict variables;
    variables.emplace_back("messages", message_list(messages, options, true));
    variables.emplace_back("bos_token", jinja::Value::from(options.bos_token));
    variables.emplace_back("eos_token", jinja::Value::from(options.eos_token));
    variables.emplace_back("add_generation_prompt", jinja::Value::from(options.add_generation_prompt));
    variables.emplace_back("tools", jinja::Value::none());
    std::string with_markers;
    try {
        with_markers = compiled_->jinja.render(variables);
    } catch (const jinja::TemplateError&) {
        with_markers.clear();
    }
    // Strip the markers, noting where the contents are. If the template did something the
    // markers do not survive (compared or sliced a content), fall back to finding each content.
    std::string text;
    bool balanced = true;
    std::size_t open_at = std::string::npos;
    for (std::size_t p = 0; p < with_markers.size();) {
        if (with_markers.compare(p, kOpen.size(), kOpen) == 0) {
            balanced = balanced && open_at == std::string::npos;
            open_at = text.size();
            p += kOpen.size();
        } else if (with_markers.compare(p, kClose.size(), kClose) == 0) {
            balanced = balanced && open_at != std::string::npos;
            if (open_at != std::string::npos && open_at < text.size()) result.content_ranges.emplace_back(open_at, text.size());
            open_at = std::string::npos;
            p += kClose.size();
        } else {
            text += with_markers[p++];
        }
    }
    if (balanced && open_at == std::string::npos && text == plain) {
        result.text = std::move(text);
        return result;
    }
    result.text = plain;
    result.content_ranges.clear();
    std::size_t from = 0;
    for (const auto& m : messages) {
        if (m.content.empty()) continue;
        const std::size_t at = plain.find(m.content, from);
        if (at == std::string::npos) continue;
        result.content_ranges.emplace_back(at, at + m.content.size());
        from = at + m.content.size();
    }
    return result;
}

ChatRenderOptions chat_options_for(const Tokenizer& tokenizer) {
    ChatRenderOptions options;
    if (tokenizer.bos() >= 0) options.bos_token = std::string(tokenizer.token_text(tokenizer.bos()));
    if (tokenizer.eos() >= 0) options.eos_token = std::string(tokenizer.token_text(tokenizer.eos()));
    return options;
}

std::vector<Token> ChatTemplate::render_tokens(const Tokenizer& tokenizer, std::span<const ChatMessage> messages,
                                               bool add_generation_prompt, const std::string& system_prompt) const {
    ChatRenderOptions options = chat_options_for(tokenizer);
    options.add_generation_prompt = add_generation_prompt;
    options.system_prompt = system_prompt;
    const RenderedChat rendered = render_with_ranges(messages, options);
    const bool has_bos = !options.bos_token.empty() && rendered.text.compare(0, options.bos_token.size(), options.bos_token) == 0;
    return tokenizer.encode_chat(rendered.text, tokenizer.add_bos_by_default() && !has_bos, rendered.content_ranges);
}

} // namespace tern::engine
