// Chat templates: a conversation rendered into the prompt text a model was trained on.
//
// Templates are Jinja (Hugging Face's tokenizer.chat_template, rendered by our own Jinja subset)
// or built in: BitNet b1.58 2B4T, LLaMA-3, Falcon3 and plain completion. The 2B4T official GGUF
// carries a broken placeholder template; for_model() detects it and uses the built-in 2B4T one.
#pragma once

#include "tern/engine/engine.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::engine {

class Tokenizer;

enum class ChatFormat {
    Jinja,      // a model's or a user's own template
    BitNet2B4T, // <bos>System: ...<|eot_id|>User: ...<|eot_id|>Assistant: ...
    Llama3,     // <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|>
    Falcon3,    // <|system|>\n...\n<|user|>\n...\n<|assistant|>\n
    Completion, // the messages' text one after the other, no markup
};

struct ChatRenderOptions {
    bool add_generation_prompt = true; // end with the cue for the assistant's reply
    std::string bos_token;             // text of the bos token ("<|begin_of_text|>"), "" if none
    std::string eos_token;
    // Used as the system message when the conversation has none; "" for none.
    std::string system_prompt;
};

// A rendered prompt, with the byte ranges that came from message contents: special tokens
// written there are user text, not control tokens (see Tokenizer::encode_chat).
struct RenderedChat {
    std::string text;
    std::vector<std::pair<std::size_t, std::size_t>> content_ranges; // [begin, end) offsets
};

class ChatTemplate {
public:
    // A Jinja template. Throws Error naming the line when it does not parse.
    static ChatTemplate from_jinja(std::string_view source);
    static ChatTemplate builtin(ChatFormat format);
    // "2b4t" (or "bitnet"), "llama3", "falcon3", "completion"; nullopt for other names.
    static std::optional<ChatFormat> builtin_by_name(std::string_view name);

    // The template to use for a model. `user_override`: a built-in name or Jinja source, used
    // when not empty. Otherwise the model's own template, unless it is broken (any template
    // that does not put the messages into its output, or, for a 2B4T model with the LLaMA-3
    // vocabulary, one that does not produce the 2B4T format: the official GGUF's placeholder); then a
    // built-in chosen from the architecture and the vocabulary's tokens (2B4T for
    // "bitnet-b1.58"/"bitnet-25", LLaMA-3 when <|start_header_id|> exists, Falcon3 when
    // <|assistant|> exists), else plain completion. `tokenizer` may be null.
    static ChatTemplate for_model(std::string_view model_template, std::string_view architecture,
                                  const Tokenizer* tokenizer, std::string_view user_override = {});

    ChatTemplate(ChatTemplate&&) noexcept;
    ChatTemplate& operator=(ChatTemplate&&) noexcept;
    ~ChatTemplate();

    // The prompt text. Throws Error when the template refuses the conversation
    // (raise_exception) or fails while rendering.
    std::string render(std::span<const ChatMessage> messages, const ChatRenderOptions& options) const;
    RenderedChat render_with_ranges(std::span<const ChatMessage> messages,
                                    const ChatRenderOptions& options) const;
    // Rendered and tokenized as the model expects: special tokens of the template parsed,
    // those inside message contents not; bos added when the tokenizer wants one and the
    // template did not write it. bos/eos token texts come from the tokenizer.
    std::vector<Token> render_tokens(const Tokenizer& tokenizer, std::span<const ChatMessage> messages,
                                     bool add_generation_prompt = true,
                                     const std::string& system_prompt = {}) const;

    // What the template writes after an assistant message ("<|eot_id|>", "\n\n"...), for use as a
    // stop string: models that never learned an end-of-text token (the demo model) would
    // otherwise run on into the next speaker's turn. Empty when the template ends turns with
    // nothing distinctive (plain completion, a lone newline, only spaces) or cannot render.
    std::string assistant_turn_end() const;

    ChatFormat format() const { return format_; }
    // The Jinja source (built-ins are Jinja too).
    const std::string& source() const { return source_; }
    // "2b4t", "llama3", "falcon3", "completion" or "jinja".
    std::string name() const;

private:
    ChatTemplate(ChatFormat format, std::string source);
    struct Compiled;
    ChatFormat format_;
    std::string source_;
    std::shared_ptr<const Compiled> compiled_;
};

// The Jinja source of a built-in template.
const std::string& builtin_chat_template_source(ChatFormat format);

// True when `model_template` cannot serve as a chat template: the 2B4T GGUF's placeholder, a
// template that does not parse, or one whose output for a probe conversation lacks the
// messages' text.
bool is_broken_chat_template(std::string_view model_template);

// Fills bos_token/eos_token from a tokenizer's vocabulary.
ChatRenderOptions chat_options_for(const Tokenizer& tokenizer);

} // namespace tern::engine
