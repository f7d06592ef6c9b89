#include "jinja_lexer.h"

#include "jinja_ast.h"

namespace tern::engine::jinja {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
public:
    explicit Lexer(std::string_view source) : src_(source) {}

    std::vector<Token> run() {
        bool strip_next_text = false;
        while (pos_ < src_.size()) {
            const std::size_t open = find_tag(pos_);
            std::string text(src_.substr(pos_, open - pos_));
            if (strip_next_text) {
                std::size_t k = 0;
                while (k < text.size() && is_space(text[k])) ++k;
                text.erase(0, k);
            }
            strip_next_text = false;
            if (open == src_.size()) {
                emit_text(std::move(text));
                pos_ = open;
                break;
            }
            const char kind = src_[open + 1];
            const char marker = open + 2 < src_.size() ? src_[open + 2] : '\0';
            if (marker == '-') {
                while (!text.empty() && is_space(text.back())) text.pop_back();
            } else if (kind != '{' && marker != '+') {
                // lstrip_blocks: spaces and tabs between a line start and a block tag go.
                std::size_t k = text.size();
                while (k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\t')) --k;
                const bool line_start = k == 0 ? (open - text.size() == 0 || at_line_start(open - text.size()))
                                               : text[k - 1] == '\n';
                if (line_start) text.erase(k);
            }
            emit_text(std::move(text));
            count_lines(pos_, open);
            pos_ = open + 2 + ((marker == '-' || marker == '+') ? 1 : 0);
            bool strip_after = false;
            if (kind == '#') {
                const std::size_t close = src_.find("#}", pos_);
                if (close == std::string_view::npos) fail(line_, "unterminated comment");
                strip_after = close > pos_ && src_[close - 1] == '-';
                count_lines(pos_, close);
                pos_ = close + 2;
            } else {
                tokens_.push_back({kind == '{' ? Token::Kind::ExprBegin : Token::Kind::StmtBegin, "", line_});
                strip_after = lex_inside(kind == '{' ? '}' : '%');
                tokens_.push_back({kind == '{' ? Token::Kind::ExprEnd : Token::Kind::StmtEnd, "", line_});
            }
            if (strip_after) {
                strip_next_text = true;
            } else if (kind != '{') {
                // trim_blocks: the first newline after a block tag goes.
                if (pos_ < src_.size() && src_[pos_] == '\n') {
                    ++pos_;
                    ++line_;
                } else if (src_.compare(pos_, 2, "\r\n") == 0) {
                    pos_ += 2;
                    ++line_;
                }
            }
        }
        tokens_.push_back({Token::Kind::End, "", line_});
        return std::move(tokens_);
    }

private:
    std::size_t find_tag(std::size_t from) const {
        for (std::size_t i = from; i + 1 < src_.size(); ++i) {
            if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
        }
        return src_.size();
    }
    bool at_line_start(std::size_t at) const { return at == 0 || src_[at - 1] == '\n'; }
    void count_lines(std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to && i < src_.size(); ++i) line_ += src_[i] == '\n';
    }
    void emit_text(std::string text) {
        if (!text.empty()) tokens_.push_back({Token::Kind::Text, std::move(text), line_});
    }

    // Tokens up to the closing "}}" or "%}"; returns whether it was "-}}" / "-%}".
    bool lex_inside(char closer) {
        while (true) {
            while (pos_ < src_.size() && is_space(src_[pos_])) line_ += src_[pos_++] == '\n';
            if (pos_ >= src_.size()) fail(line_, "unterminated tag");
            const char c = src_[pos_];
            if (c == '-' && pos_ + 2 < src_.size() && src_[pos_ + 1] == closer && src_[pos_ + 2] == '}') {
                pos_ += 3;
                return true;
            }
            if (c == closer && pos_ + 1 < src_.size() && src_[pos_ + 1] == '}') {
                pos_ += 2;
                return false;
            }
            if (is_name_start(c)) {
                const std::size_t start = pos_;
                while (pos_ < src_.size() && (is_name_start(src_[pos_]) || is_digit(src_[pos_]))) ++pos_;
                tokens_.push_back({Token::Kind::Name, std::string(src_.substr(start, pos_ - start)), line_});
            } else if (is_digit(c)) {
                const std::size_t start = pos_;
                bool is_float = false;
                while (pos_ < src_.size() && (is_digit(src_[pos_]) || src_[pos_] == '_')) ++pos_;
                if (pos_ + 1 < src_.size() && src_[pos_] == '.' && is_digit(src_[pos_ + 1])) {
                    is_float = true;
                    ++pos_;
                    while (pos_ < src_.size() && is_digit(src_[pos_])) ++pos_;
                }
                std::string digits;
                for (const char d : src_.substr(start, pos_ - start)) {
                    if (d != '_') digits += d;
                }
                tokens_.push_back({is_float ? Token::Kind::Float : Token::Kind::Int, digits, line_});
            } else if (c == '\'' || c == '"') {
                tokens_.push_back({Token::Kind::String, string_literal(c), line_});
            } else {
                static const char* const kTwoChar[] = {"==", "!=", "<=", ">=", "//", "**"};
                std::string op(1, c);
                for (const char* two : kTwoChar) {
                    if (src_.compare(pos_, 2, two) == 0) op = two;
                }
                if (op.size() == 1 && std::string_view("+-*/%~<>=()[]{}.,:|!").find(c) == std::string_view::npos) {
                    fail(line_, std::string("unexpected character '") + c + "' in a tag");
                }
                pos_ += op.size();
                tokens_.push_back({Token::Kind::Op, op, line_});
            }
        }
    }

    std::string string_literal(char quote) {
        ++pos_;
        std::string out;
        while (pos_ < src_.size() && src_[pos_] != quote) {
            char c = src_[pos_++];
            if (c == '\n') ++line_;
            if (c == '\\' && pos_ < src_.size()) {
                const char e = src_[pos_++];
                switch (e) {
                case 'n': c = '\n'; break;
                case 't': c = '\t'; break;
                case 'r': c = '\r'; break;
                case '0': c = '\0'; break;
                case '\\': c = '\\'; break;
                case '\'': c = '\''; break;
                case '"': c = '"'; break;
                default: out += '\\'; c = e; break; // unknown escapes stay, as in Python
                }
            }
            out += c;
        }
        if (pos_ >= src_.size()) fail(line_, "unterminated string");
        ++pos_;
        return out;
    }

    std::string_view src_;
    std::size_t pos_ = 0;
    int line_ = 1;
    std::vector<Token> tokens_;
};

} // namespace

std::vector<Token> lex_template(std::string_view source) { return Lexer(source).run(); }

} // namespace tern::engine::jinja
