// Recursive-descent parser for the Jinja subset; precedence as in Jinja2 (filters and tests bind
// tighter than arithmetic; "not" looser than comparisons).
#include "jinja.h"
#include "jinja_lexer.h"
#include "jinja_nodes.h"

#include <set>

namespace tern::engine::jinja {

namespace {

using K = Token::Kind;

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

    Body parse_all() {
        Body body = parse_body({});
        if (peek().kind != K::End) fail(peek().line, "unexpected {% " + stmt_keyword() + " %}");
        return body;
    }

private:
    const Token& peek(std::size_t ahead = 0) const {
        return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
    }
    const Token& next() { return tokens_[std::min(pos_++, tokens_.size() - 1)]; }
    bool is_op(const char* op, std::size_t ahead = 0) const {
        return peek(ahead).kind == K::Op && peek(ahead).text == op;
    }
    bool is_name(const char* name, std::size_t ahead = 0) const {
        return peek(ahead).kind == K::Name && peek(ahead).text == name;
    }
    void expect_op(const char* op) {
        if (!is_op(op)) fail(peek().line, std::string("expected '") + op + "', found '" + describe(peek()) + "'");
        ++pos_;
    }
    std::string expect_name() {
        if (peek().kind != K::Name) fail(peek().line, "expected a name, found '" + describe(peek()) + "'");
        return next().text;
    }
    void expect_kind(K kind, const char* what) {
        if (peek().kind != kind) fail(peek().line, std::string("expected ") + what + ", found '" + describe(peek()) + "'");
        ++pos_;
    }
    static std::string describe(const Token& t) {
        switch (t.kind) {
        case K::End: return "end of template";
        case K::ExprEnd: return "}}";
        case K::StmtEnd: return "%}";
        case K::Text: return "text";
        default: return t.text;
        }
    }
    // The keyword of the statement starting at the current {% (for error messages and ends).
    std::string stmt_keyword() const {
        return peek().kind == K::StmtBegin && peek(1).kind == K::Name ? peek(1).text : std::string();
    }

    // Statements until one of `ends` (a {% keyword %} left unconsumed) or the end.
    Body parse_body(const std::set<std::string>& ends) {
        Body body;
        while (true) {
            const Token& t = peek();
            if (t.kind == K::End) {
                if (!ends.empty()) fail(t.line, "missing {% " + *ends.rbegin() + " %}");
                return body;
            }
            if (t.kind == K::Text) {
                auto s = std::make_unique<TextStmt>();
                s->line = t.line;
                s->text = next().text;
                body.push_back(std::move(s));
            } else if (t.kind == K::ExprBegin) {
                ++pos_;
                auto s = std::make_unique<OutputStmt>();
                s->line = t.line;
                s->value = parse_expression();
                expect_kind(K::ExprEnd, "'}}'");
                body.push_back(std::move(s));
            } else if (t.kind == K::StmtBegin) {
                if (ends.count(stmt_keyword()) != 0) return body;
                body.push_back(parse_statement());
            } else {
                fail(t.line, "unexpected '" + describe(t) + "'");
            }
        }
    }

    StmtPtr parse_statement() {
        const int line = next().line; // {%
        const std::string keyword = expect_name();
        if (keyword == "if") return parse_if(line);
        if (keyword == "for") return parse_for(line);
        if (keyword == "set") return parse_set(line);
        if (keyword == "macro") return parse_macro(line);
        if (keyword == "break" || keyword == "continue") {
            auto s = std::make_unique<FlowStmt>();
            s->line = line;
            s->flow = keyword == "break" ? Flow::Break : Flow::Continue;
            expect_kind(K::StmtEnd, "'%}'");
            return s;
        }
        if (keyword == "generation" || keyword == "endgeneration") {
            // transformers' marker for assistant tokens: renders nothing.
            expect_kind(K::StmtEnd, "'%}'");
            auto nothing = std::make_unique<TextStmt>();
            nothing->line = line;
            return nothing;
        }
        fail(line, "unsupported statement '" + keyword + "'");
    }

    void end_tag(const char* keyword) {
        ++pos_; // {%
        if (expect_name() != keyword) fail(peek().line, std::string("expected {% ") + keyword + " %}");
        expect_kind(K::StmtEnd, "'%}'");
    }

    StmtPtr parse_if(int line) {
        auto s = std::make_unique<IfStmt>();
        s->line = line;
        ExprPtr condition = parse_expression();
        expect_kind(K::StmtEnd, "'%}'");
        while (true) {
            Body body = parse_body({"elif", "else", "endif"});
            s->branches.emplace_back(std::move(condition), std::move(body));
            const std::string keyword = stmt_keyword();
            pos_ += 2;
            if (keyword == "elif") {
                condition = parse_expression();
                expect_kind(K::StmtEnd, "'%}'");
                continue;
            }
            expect_kind(K::StmtEnd, "'%}'");
            if (keyword == "else") {
                s->otherwise = parse_body({"endif"});
                end_tag("endif");
            }
            return s;
        }
    }

    StmtPtr parse_for(int line) {
        auto s = std::make_unique<ForStmt>();
        s->line = line;
        s->targets.push_back(expect_name());
        while (is_op(",")) {
            ++pos_;
            s->targets.push_back(expect_name());
        }
        if (!is_name("in")) fail(peek().line, "expected 'in' in for loop");
        ++pos_;
        s->iterable = parse_or();
        if (is_name("if")) {
            ++pos_;
            s->filter = parse_or();
        }
        if (is_name("recursive")) fail(peek().line, "recursive loops are not supported");
        expect_kind(K::StmtEnd, "'%}'");
        s->body = parse_body({"else", "endfor"});
        if (stmt_keyword() == "else") {
            pos_ += 2;
            expect_kind(K::StmtEnd, "'%}'");
            s->otherwise = parse_body({"endfor"});
        }
        end_tag("endfor");
        return s;
    }

    StmtPtr parse_set(int line) {
        auto s = std::make_unique<SetStmt>();
        s->line = line;
        s->targets.push_back(expect_name());
        if (is_op(".")) {
            ++pos_;
            s->attribute = expect_name();
        }
        while (is_op(",")) {
            ++pos_;
            s->targets.push_back(expect_name());
        }
        if (peek().kind == K::StmtEnd) {
            ++pos_;
            s->block = parse_body({"endset"});
            end_tag("endset");
            return s;
        }
        expect_op("=");
        s->value = parse_expression();
        expect_kind(K::StmtEnd, "'%}'");
        return s;
    }

    StmtPtr parse_macro(int line) {
        auto s = std::make_unique<MacroStmt>();
        s->line = line;
        s->name = expect_name();
        expect_op("(");
        while (!is_op(")")) {
            std::string param = expect_name();
            ExprPtr fallback;
            if (is_op("=")) {
                ++pos_;
                fallback = parse_expression();
            }
            s->parameters.emplace_back(std::move(param), std::move(fallback));
            if (!is_op(")")) expect_op(",");
        }
        ++pos_;
        expect_kind(K::StmtEnd, "'%}'");
        s->body = std::make_shared<Body>(parse_body({"endmacro"}));
        end_tag("endmacro");
        return s;
    }

    template <class T> std::unique_ptr<T> node(int line) {
        auto n = std::make_unique<T>();
        n->line = line;
        return n;
    }

    ExprPtr parse_expression() {
        ExprPtr value = parse_or();
        if (is_name("if")) {
            auto c = node<ConditionalExpr>(next().line);
            c->then_value = std::move(value);
            c->condition = parse_or();
            if (is_name("else")) {
                ++pos_;
                c->else_value = parse_expression();
            }
            return c;
        }
        return value;
    }

    ExprPtr binary(std::string op, ExprPtr left, ExprPtr right, int line) {
        auto b = node<BinaryExpr>(line);
        b->op = std::move(op);
        b->left = std::move(left);
        b->right = std::move(right);
        return b;
    }

    ExprPtr parse_or() {
        ExprPtr left = parse_and();
        while (is_name("or")) {
            const int line = next().line;
            left = binary("or", std::move(left), parse_and(), line);
        }
        return left;
    }

    ExprPtr parse_and() {
        ExprPtr left = parse_not();
        while (is_name("and")) {
            const int line = next().line;
            left = binary("and", std::move(left), parse_not(), line);
        }
        return left;
    }

    ExprPtr parse_not() {
        if (is_name("not")) {
            auto u = node<UnaryExpr>(next().line);
            u->op = '!';
            u->operand = parse_not();
            return u;
        }
        return parse_compare();
    }

    ExprPtr parse_compare() {
        ExprPtr left = parse_concat();
        while (true) {
            const int line = peek().line;
            if (peek().kind == K::Op && (peek().text == "==" || peek().text == "!=" || peek().text == "<" ||
                                         peek().text == ">" || peek().text == "<=" || peek().text == ">=")) {
                const std::string op = next().text;
                left = binary(op, std::move(left), parse_concat(), line);
            } else if (is_name("in")) {
                ++pos_;
                left = binary("in", std::move(left), parse_concat(), line);
            } else if (is_name("not") && is_name("in", 1)) {
                pos_ += 2;
                left = binary("notin", std::move(left), parse_concat(), line);
            } else {
                return left;
            }
        }
    }

    ExprPtr parse_concat() {
        ExprPtr left = parse_sum();
        while (is_op("~")) {
            const int line = next().line;
            left = binary("~", std::move(left), parse_sum(), line);
        }
        return left;
    }

    ExprPtr parse_sum() {
        ExprPtr left = parse_product();
        while (is_op("+") || is_op("-")) {
            const Token& t = next();
            left = binary(t.text, std::move(left), parse_product(), t.line);
        }
        return left;
    }

    ExprPtr parse_product() {
        ExprPtr left = parse_power();
        while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
            const Token& t = next();
            left = binary(t.text, std::move(left), parse_power(), t.line);
        }
        return left;
    }

    ExprPtr parse_power() {
        ExprPtr left = parse_unary();
        while (is_op("**")) {
            const int line = next().line;
            left = binary("**", std::move(left), parse_unary(), line);
        }
        return left;
    }

    ExprPtr parse_unary() {
        if (is_op("-") || is_op("+")) {
            auto u = node<UnaryExpr>(peek().line);
            u->op = next().text[0];
            u->operand = parse_unary();
            return u;
        }
        return parse_filters(parse_postfix(parse_primary()));
    }

    CallArguments parse_call_arguments() {
        CallArguments arguments;
        expect_op("(");
        while (!is_op(")")) {
            if (peek().kind == K::Name && is_op("=", 1)) {
                std::string name = next().text;
                ++pos_;
                arguments.keyword.emplace_back(std::move(name), parse_expression());
            } else {
                arguments.positional.push_back(parse_expression());
            }
            if (!is_op(")")) expect_op(",");
        }
        ++pos_;
        return arguments;
    }

    ExprPtr parse_postfix(ExprPtr value) {
        while (true) {
            const int line = peek().line;
            if (is_op(".")) {
                ++pos_;
                auto a = node<AttributeExpr>(line);
                a->object = std::move(value);
                a->name = expect_name();
                value = std::move(a);
            } else if (is_op("[")) {
                ++pos_;
                ExprPtr first;
                if (!is_op(":")) first = parse_expression();
                if (is_op(":")) {
                    auto s = node<SliceExpr>(line);
                    s->object = std::move(value);
                    s->start = std::move(first);
                    ++pos_;
                    if (!is_op("]") && !is_op(":")) s->stop = parse_expression();
                    if (is_op(":")) {
                        ++pos_;
                        if (!is_op("]")) s->step = parse_expression();
                    }
                    value = std::move(s);
                } else {
                    auto i = node<IndexExpr>(line);
                    i->object = std::move(value);
                    i->index = std::move(first);
                    value = std::move(i);
                }
                expect_op("]");
            } else if (is_op("(")) {
                auto c = node<CallExpr>(line);
                c->callee = std::move(value);
                c->arguments = parse_call_arguments();
                value = std::move(c);
            } else {
                return value;
            }
        }
    }

    ExprPtr parse_filters(ExprPtr value) {
        while (true) {
            const int line = peek().line;
            if (is_op("|")) {
                ++pos_;
                auto f = node<FilterExpr>(line);
                f->input = std::move(value);
                f->name = expect_name();
                if (is_op("(")) f->arguments = parse_call_arguments();
                value = parse_postfix(std::move(f));
            } else if (is_name("is")) {
                ++pos_;
                auto t = node<TestExpr>(line);
                if (is_name("not")) {
                    ++pos_;
                    t->negated = true;
                }
                t->input = std::move(value);
                t->name = expect_name();
                if (is_op("(")) {
                    CallArguments a = parse_call_arguments();
                    t->arguments = std::move(a.positional);
                } else if (peek().kind == K::String || peek().kind == K::Int || peek().kind == K::Float ||
                           (peek().kind == K::Name && !is_name("and") && !is_name("or") && !is_name("else") &&
                            !is_name("if") && !is_name("is") && !is_name("in") && !is_name("not"))) {
                    // "is divisibleby 3", "is equalto x": one argument without parentheses.
                    t->arguments.push_back(parse_postfix(parse_primary()));
                }
                value = std::move(t);
            } else {
                return value;
            }
        }
    }

    ExprPtr parse_primary() {
        const Token& t = peek();
        const int line = t.line;
        if (t.kind == K::String) {
            auto l = node<LiteralExpr>(line);
            std::string text = next().text;
            while (peek().kind == K::String) text += next().text; // adjacent literals concatenate
            l->value = Value::from(std::move(text));
            return l;
        }
        if (t.kind == K::Int || t.kind == K::Float) {
            auto l = node<LiteralExpr>(line);
            const std::string text = next().text;
            try {
                l->value = t.kind == K::Int ? Value::from(static_cast<std::int64_t>(std::stoll(text)))
                                            : Value::from(std::stod(text));
            } catch (const std::exception&) {
                fail(line, "bad number '" + text + "'");
            }
            return l;
        }
        if (t.kind == K::Name) {
            const std::string name = next().text;
            auto l = node<LiteralExpr>(line);
            if (name == "true" || name == "True") l->value = Value::from(true);
            else if (name == "false" || name == "False") l->value = Value::from(false);
            else if (name == "none" || name == "None") l->value = Value::none();
            else {
                auto n = node<NameExpr>(line);
                n->name = name;
                return n;
            }
            return l;
        }
        if (is_op("(")) {
            ++pos_;
            ExprPtr inner = parse_expression();
            if (is_op(",")) { // a tuple: treated as a list
                auto list = node<ListExpr>(line);
                list->items.push_back(std::move(inner));
                while (is_op(",")) {
                    ++pos_;
                    if (is_op(")")) break;
                    list->items.push_back(parse_expression());
                }
                inner = std::move(list);
            }
            expect_op(")");
            return inner;
        }
        if (is_op("[")) {
            ++pos_;
            auto list = node<ListExpr>(line);
            while (!is_op("]")) {
                list->items.push_back(parse_expression());
                if (!is_op("]")) expect_op(",");
            }
            ++pos_;
            return list;
        }
        if (is_op("{")) {
            ++pos_;
            auto dict = node<DictExpr>(line);
            while (!is_op("}")) {
                ExprPtr key = parse_expression();
                expect_op(":");
                dict->items.emplace_back(std::move(key), parse_expression());
                if (!is_op("}")) expect_op(",");
            }
            ++pos_;
            return dict;
        }
        fail(line, "unexpected '" + describe(t) + "' in an expression");
    }

    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
};

} // namespace

struct Template::Parsed {
    Body body;
};

Template::Template(std::string_view source) {
    auto parsed = std::make_shared<Parsed>();
    parsed->body = Parser(lex_template(source)).parse_all();
    parsed_ = std::move(parsed);
}

Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

std::string Template::render(const Dict& variables) const {
    Context context(variables);
    exec_body(parsed_->body, context);
    return std::move(context.output);
}

} // namespace tern::engine::jinja
