// The node types of the template tree; each evaluates itself (jinja_nodes.cpp).
#pragma once

#include "jinja_ast.h"

#include <optional>

namespace tern::engine::jinja {

struct LiteralExpr final : Expr {
    Value value;
    Value eval(Context&) const override { return value; }
};

struct ListExpr final : Expr {
    std::vector<ExprPtr> items;
    Value eval(Context& context) const override;
};

struct DictExpr final : Expr {
    std::vector<std::pair<ExprPtr, ExprPtr>> items;
    Value eval(Context& context) const override;
};

struct NameExpr final : Expr {
    std::string name;
    Value eval(Context& context) const override;
};

struct AttributeExpr final : Expr {
    ExprPtr object;
    std::string name;
    Value eval(Context& context) const override;
};

struct IndexExpr final : Expr {
    ExprPtr object;
    ExprPtr index;
    Value eval(Context& context) const override;
};

struct SliceExpr final : Expr {
    ExprPtr object;
    ExprPtr start, stop, step; // each may be null
    Value eval(Context& context) const override;
};

struct CallArguments {
    std::vector<ExprPtr> positional;
    std::vector<std::pair<std::string, ExprPtr>> keyword;
    void eval(Context& context, Arguments& args, KeywordArguments& kwargs) const;
};

struct CallExpr final : Expr {
    ExprPtr callee; // a method call when it is an AttributeExpr
    CallArguments arguments;
    Value eval(Context& context) const override;
};

struct FilterExpr final : Expr {
    ExprPtr input;
    std::string name;
    CallArguments arguments;
    Value eval(Context& context) const override;
};

struct TestExpr final : Expr {
    ExprPtr input;
    std::string name;
    bool negated = false;
    std::vector<ExprPtr> arguments;
    Value eval(Context& context) const override;
};

struct UnaryExpr final : Expr {
    char op = '!'; // '!' not, '-' negate, '+'
    ExprPtr operand;
    Value eval(Context& context) const override;
};

struct BinaryExpr final : Expr {
    std::string op; // + - * / // % ** ~ == != < > <= >= in notin and or
    ExprPtr left, right;
    Value eval(Context& context) const override;
};

struct ConditionalExpr final : Expr {
    ExprPtr condition, then_value, else_value; // else_value may be null
    Value eval(Context& context) const override;
};

struct TextStmt final : Stmt {
    std::string text;
    Flow exec(Context& context) const override;
};

struct OutputStmt final : Stmt {
    ExprPtr value;
    Flow exec(Context& context) const override;
};

struct IfStmt final : Stmt {
    std::vector<std::pair<ExprPtr, Body>> branches;
    Body otherwise;
    Flow exec(Context& context) const override;
};

struct ForStmt final : Stmt {
    std::vector<std::string> targets;
    ExprPtr iterable;
    ExprPtr filter; // may be null
    Body body;
    Body otherwise;
    Flow exec(Context& context) const override;
};

struct SetStmt final : Stmt {
    std::vector<std::string> targets; // one name, or several to unpack
    std::string attribute;            // set ns.attribute = ...
    ExprPtr value;
    Body block; // {% set x %}...{% endset %} when value is null
    Flow exec(Context& context) const override;
};

struct FlowStmt final : Stmt {
    Flow flow = Flow::Break;
    Flow exec(Context&) const override { return flow; }
};

struct MacroStmt final : Stmt {
    std::string name;
    std::vector<std::pair<std::string, ExprPtr>> parameters; // default may be null
    std::shared_ptr<Body> body;
    Flow exec(Context& context) const override;
};

} // namespace tern::engine::jinja
