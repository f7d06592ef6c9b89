// A Jinja2 subset sufficient for Hugging Face chat templates: {{ }}, {% if/elif/else %},
// {% for %} with loop.*, {% set %} (also namespace attributes), break/continue, filters, tests,
// string and dict methods, slicing, raise_exception(), namespace(), range(), strftime_now().
// Whitespace follows transformers' settings: trim_blocks and lstrip_blocks on, plus the
// {%- -%} markers.
#pragma once

#include "jinja_value.h"

#include <memory>
#include <string>
#include <string_view>

namespace tern::engine::jinja {

class Template {
public:
    // Throws TemplateError naming the line and the problem.
    explicit Template(std::string_view source);
    ~Template();
    Template(Template&&) noexcept;
    Template& operator=(Template&&) noexcept;

    // Renders with these top-level variables (messages, bos_token, add_generation_prompt...).
    // Throws TemplateError (raise_exception() included).
    std::string render(const Dict& variables) const;

private:
    struct Parsed;
    std::shared_ptr<const Parsed> parsed_;
};

} // namespace tern::engine::jinja
