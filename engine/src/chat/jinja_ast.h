// The syntax tree of a parsed Jinja template, and the rendering context it runs in.
#pragma once

#include "jinja_value.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace tern::engine::jinja {

class Context;

struct Expr {
    int line = 0;
    virtual ~Expr() = default;
    virtual Value eval(Context& context) const = 0;
};
using ExprPtr = std::unique_ptr<Expr>;

// What a statement asks of the loop around it.
enum class Flow { Normal, Break, Continue };

struct Stmt {
    int line = 0;
    virtual ~Stmt() = default;
    virtual Flow exec(Context& context) const = 0;
};
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

Flow exec_body(const Body& body, Context& context);

class Context {
public:
    explicit Context(const Dict& variables);
    Value lookup(const std::string& name) const;
    void assign(const std::string& name, Value value); // in the innermost scope
    void push_scope() { scopes_.emplace_back(); }
    void pop_scope() { scopes_.pop_back(); }
    std::string output;

private:
    std::vector<std::unordered_map<std::string, Value>> scopes_;
};

// Built-in filters, tests, methods and global functions (jinja_builtins.cpp).
Value apply_filter(const std::string& name, const Value& input, const Arguments& args,
                   const KeywordArguments& kwargs, int line);
bool apply_test(const std::string& name, const Value& input, const Arguments& args, int line);
Value call_method(const Value& object, const std::string& name, const Arguments& args,
                  const KeywordArguments& kwargs, int line);
Value global_function(const std::string& name); // Undefined when there is none

[[noreturn]] void fail(int line, const std::string& message);

} // namespace tern::engine::jinja
