// The built-in chat formats, written as Jinja so that a model's template and ours go through the
// same renderer (and Model::chat_template() can hand either one out as text).
#include "tern/engine/chat_template.h"

namespace tern::engine {

namespace {

// BitNet b1.58 2B4T (FORMATS.md): bos, then "Role: text<|eot_id|>" per message, and
// "Assistant: " to prompt a reply.
const std::string kBitNet2B4T =
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ 'System: ' + message['content'] + '<|eot_id|>' }}"
    "{% elif message['role'] == 'user' %}{{ 'User: ' + message['content'] + '<|eot_id|>' }}"
    "{% elif message['role'] == 'assistant' %}{{ 'Assistant: ' + message['content'] + '<|eot_id|>' }}"
    "{% else %}{{ raise_exception('2B4T chat format: unknown role ' + message['role']) }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ 'Assistant: ' }}{% endif %}";

// Meta LLaMA-3 Instruct: header-delimited turns, contents trimmed.
const std::string kLlama3 =
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

// Falcon3 Instruct: <|role|> lines; an assistant turn ends with eos.
const std::string kFalcon3 =
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ '<|system|>\\n' + message['content'] + '\\n' }}"
    "{% elif message['role'] == 'user' %}{{ '<|user|>\\n' + message['content'] + '\\n' }}"
    "{% elif message['role'] == 'assistant' %}{{ '<|assistant|>\\n' + message['content'] + eos_token }}"
    "{% if not loop.last %}{{ '\\n' }}{% endif %}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";

// Plain completion: the texts one after the other, a blank line between them.
const std::string kCompletion =
    "{% for message in messages %}"
    "{% if not loop.first %}{{ '\\n\\n' }}{% endif %}{{ message['content'] }}"
    "{% endfor %}";

const std::string kNone;

} // namespace

const std::string& builtin_chat_template_source(ChatFormat format) {
    switch (format) {
    case ChatFormat::BitNet2B4T: return kBitNet2B4T;
    case ChatFormat::Llama3: return kLlama3;
    case ChatFormat::Falcon3: return kFalcon3;
    case ChatFormat::Completion: return kCompletion;
    case ChatFormat::Jinja: break;
    }
    return kNone;
}

} // namespace tern::engine
