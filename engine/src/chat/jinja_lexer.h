// Splits template source into text and the tokens inside {{ }} and {% %}, applying the
// whitespace rules (trim_blocks, lstrip_blocks, and the - markers).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tern::engine::jinja {

struct Token {
    enum class Kind { Text, ExprBegin, ExprEnd, StmtBegin, StmtEnd, Name, Int, Float, String, Op, End };
    Kind kind;
    std::string text; // Text, Name, String (unescaped), Op, and numbers as written
    int line;
};

// Throws TemplateError for unterminated tags or strings and unknown characters.
std::vector<Token> lex_template(std::string_view source);

} // namespace tern::engine::jinja
