#include "jinja_nodes.h"

#include <algorithm>
#include <cmath>

namespace tern::engine::jinja {

void fail(int line, const std::string& message) {
    throw TemplateError("chat template line " + std::to_string(line) + ": " + message);
}

Context::Context(const Dict& variables) {
    scopes_.emplace_back();
    for (const auto& [name, value] : variables) scopes_.front()[name] = value;
}

Value Context::lookup(const std::string& name) const {
    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
        if (const auto it = scope->find(name); it != scope->end()) return it->second;
    }
    return global_function(name);
}

void Context::assign(const std::string& name, Value value) { scopes_.back()[name] = std::move(value); }

Flow exec_body(const Body& body, Context& context) {
    for (const auto& stmt : body) {
        const Flow flow = stmt->exec(context);
        if (flow != Flow::Normal) return flow;
    }
    return Flow::Normal;
}

namespace {

// Python-style index: negative counts from the end; nullopt when out of range.
std::optional<std::size_t> normalize_index(std::int64_t index, std::size_t size) {
    if (index < 0) index += static_cast<std::int64_t>(size);
    if (index < 0 || index >= static_cast<std::int64_t>(size)) return std::nullopt;
    return static_cast<std::size_t>(index);
}

Value get_item(const Value& object, const Value& key, int line) {
    if (object.is_dict()) {
        if (!key.is_string()) return {};
        const Value* found = object.find(key.string);
        return found != nullptr ? *found : Value{};
    }
    if (object.is_list() || object.is_string()) {
        if (key.kind != Value::Kind::Int) fail(line, "list index must be an integer");
        const std::size_t size = object.is_list() ? object.list->size() : object.string.size();
        const auto index = normalize_index(key.integer, size);
        if (!index) return {};
        if (object.is_list()) return (*object.list)[*index];
        return Value::from(std::string(1, object.string[*index]));
    }
    return {}; // undefined stays undefined, as with Jinja's lenient Undefined
}

} // namespace

Value ListExpr::eval(Context& context) const {
    List list;
    for (const auto& item : items) list.push_back(item->eval(context));
    return Value::from(std::move(list));
}

Value DictExpr::eval(Context& context) const {
    Value dict = Value::from(Dict{});
    for (const auto& [key, value] : items) {
        const Value k = key->eval(context);
        if (!k.is_string()) fail(line, "dict keys must be strings");
        dict.set(k.string, value->eval(context));
    }
    return dict;
}

Value NameExpr::eval(Context& context) const { return context.lookup(name); }

Value AttributeExpr::eval(Context& context) const {
    const Value o = object->eval(context);
    if (o.is_dict()) {
        const Value* found = o.find(name);
        return found != nullptr ? *found : Value{};
    }
    return {};
}

Value IndexExpr::eval(Context& context) const {
    return get_item(object->eval(context), index->eval(context), line);
}

Value SliceExpr::eval(Context& context) const {
    const Value o = object->eval(context);
    if (!o.is_list() && !o.is_string()) fail(line, std::string("cannot slice a ") + kind_name(o.kind));
    const auto size = static_cast<std::int64_t>(o.is_list() ? o.list->size() : o.string.size());
    const auto given = [&](const ExprPtr& e) -> std::optional<std::int64_t> {
        if (!e) return std::nullopt;
        const Value v = e->eval(context);
        if (v.is_none()) return std::nullopt;
        if (v.kind != Value::Kind::Int) fail(line, "slice bounds must be integers");
        return v.integer;
    };
    const std::int64_t s = given(step).value_or(1);
    if (s == 0) fail(line, "slice step cannot be zero");
    // Python's rules: negative bounds count from the end, then clamp to the valid range.
    const auto adjust = [&](std::int64_t v) {
        if (v < 0) v += size;
        return s > 0 ? std::clamp<std::int64_t>(v, 0, size) : std::clamp<std::int64_t>(v, -1, size - 1);
    };
    const auto first = given(start);
    const auto last = given(stop);
    const std::int64_t a = first ? adjust(*first) : (s > 0 ? 0 : size - 1);
    const std::int64_t b = last ? adjust(*last) : (s > 0 ? size : -1);
    List list;
    std::string text;
    for (std::int64_t i = a; s > 0 ? i < b : i > b; i += s) {
        if (o.is_list()) list.push_back((*o.list)[static_cast<std::size_t>(i)]);
        else text += o.string[static_cast<std::size_t>(i)];
    }
    return o.is_list() ? Value::from(std::move(list)) : Value::from(std::move(text));
}

void CallArguments::eval(Context& context, Arguments& args, KeywordArguments& kwargs) const {
    for (const auto& p : positional) args.push_back(p->eval(context));
    for (const auto& [name, e] : keyword) kwargs.emplace_back(name, e->eval(context));
}

Value CallExpr::eval(Context& context) const {
    Arguments args;
    KeywordArguments kwargs;
    if (const auto* method = dynamic_cast<const AttributeExpr*>(callee.get())) {
        const Value object = method->object->eval(context);
        // A dict entry holding a function (namespace objects, macros in dicts) is called as is.
        const Value* member = object.find(method->name);
        arguments.eval(context, args, kwargs);
        if (member != nullptr && member->kind == Value::Kind::Function) return (*member->function)(args, kwargs);
        return call_method(object, method->name, args, kwargs, line);
    }
    const Value f = callee->eval(context);
    if (f.kind != Value::Kind::Function) {
        const auto* name = dynamic_cast<const NameExpr*>(callee.get());
        fail(line, name != nullptr ? "'" + name->name + "' is not a function" : "calling a value that is not a function");
    }
    arguments.eval(context, args, kwargs);
    try {
        return (*f.function)(args, kwargs);
    } catch (const TemplateError&) {
        throw;
    } catch (const std::exception& e) {
        fail(line, e.what());
    }
}

Value FilterExpr::eval(Context& context) const {
    const Value in = input->eval(context);
    Arguments args;
    KeywordArguments kwargs;
    arguments.eval(context, args, kwargs);
    return apply_filter(name, in, args, kwargs, line);
}

Value TestExpr::eval(Context& context) const {
    const Value in = input->eval(context);
    Arguments args;
    for (const auto& a : arguments) args.push_back(a->eval(context));
    return Value::from(apply_test(name, in, args, line) != negated);
}

Value UnaryExpr::eval(Context& context) const {
    const Value v = operand->eval(context);
    if (op == '!') return Value::from(!v.truthy());
    if (v.kind == Value::Kind::Int) return Value::from(op == '-' ? -v.integer : v.integer);
    if (v.kind == Value::Kind::Float) return Value::from(op == '-' ? -v.real : v.real);
    fail(line, std::string("unary ") + op + " needs a number");
}

namespace {

Value arithmetic(const std::string& op, const Value& a, const Value& b, int line) {
    if (op == "+" && a.is_string() && b.is_string()) return Value::from(a.string + b.string);
    if (op == "+" && a.is_list() && b.is_list()) {
        List joined = *a.list;
        joined.insert(joined.end(), b.list->begin(), b.list->end());
        return Value::from(std::move(joined));
    }
    if (op == "*" && a.is_string() && b.kind == Value::Kind::Int) {
        std::string out;
        for (std::int64_t i = 0; i < b.integer; ++i) out += a.string;
        return Value::from(std::move(out));
    }
    const bool numbers = (a.is_number() || a.kind == Value::Kind::Bool) && (b.is_number() || b.kind == Value::Kind::Bool);
    if (!numbers) {
        fail(line, std::string("unsupported operand types for ") + op + ": " + kind_name(a.kind) +
                       " and " + kind_name(b.kind));
    }
    const bool ints = a.kind != Value::Kind::Float && b.kind != Value::Kind::Float;
    const std::int64_t x = a.kind == Value::Kind::Bool ? a.boolean : a.integer;
    const std::int64_t y = b.kind == Value::Kind::Bool ? b.boolean : b.integer;
    const double p = a.as_double(), q = b.as_double();
    if (op == "+") return ints ? Value::from(x + y) : Value::from(p + q);
    if (op == "-") return ints ? Value::from(x - y) : Value::from(p - q);
    if (op == "*") return ints ? Value::from(x * y) : Value::from(p * q);
    if (op == "/") {
        if (q == 0) fail(line, "division by zero");
        return Value::from(p / q);
    }
    if (op == "//" || op == "%") {
        if (q == 0) fail(line, "division by zero");
        if (ints) {
            std::int64_t quotient = x / y;
            if ((x % y != 0) && ((x < 0) != (y < 0))) --quotient; // floor, as Python
            return op == "//" ? Value::from(quotient) : Value::from(x - quotient * y);
        }
        const double quotient = std::floor(p / q);
        return op == "//" ? Value::from(quotient) : Value::from(p - quotient * q);
    }
    if (op == "**") {
        if (ints && y >= 0) {
            std::int64_t r = 1;
            for (std::int64_t i = 0; i < y; ++i) r *= x;
            return Value::from(r);
        }
        return Value::from(std::pow(p, q));
    }
    fail(line, "unknown operator " + op);
}

bool contains(const Value& container, const Value& item, int line) {
    if (container.is_string()) {
        if (!item.is_string()) fail(line, "'in <string>' needs a string on the left");
        return container.string.find(item.string) != std::string::npos;
    }
    if (container.is_list()) {
        for (const auto& v : *container.list) {
            if (equals(v, item)) return true;
        }
        return false;
    }
    if (container.is_dict()) return item.is_string() && container.find(item.string) != nullptr;
    if (container.is_undefined() || container.is_none()) return false;
    fail(line, std::string("'in' needs a string, list or dict, not ") + kind_name(container.kind));
}

} // namespace

Value BinaryExpr::eval(Context& context) const {
    if (op == "and") {
        const Value a = left->eval(context);
        return a.truthy() ? right->eval(context) : a;
    }
    if (op == "or") {
        const Value a = left->eval(context);
        return a.truthy() ? a : right->eval(context);
    }
    const Value a = left->eval(context);
    const Value b = right->eval(context);
    if (op == "~") return Value::from(a.str() + b.str());
    if (op == "==") return Value::from(equals(a, b));
    if (op == "!=") return Value::from(!equals(a, b));
    if (op == "in") return Value::from(contains(b, a, line));
    if (op == "notin") return Value::from(!contains(b, a, line));
    if (op == "<" || op == ">" || op == "<=" || op == ">=") {
        int c = 0;
        try {
            c = compare(a, b);
        } catch (const TemplateError& e) {
            fail(line, e.what());
        }
        if (op == "<") return Value::from(c < 0);
        if (op == ">") return Value::from(c > 0);
        if (op == "<=") return Value::from(c <= 0);
        return Value::from(c >= 0);
    }
    return arithmetic(op, a, b, line);
}

Value ConditionalExpr::eval(Context& context) const {
    if (condition->eval(context).truthy()) return then_value->eval(context);
    return else_value ? else_value->eval(context) : Value{};
}

Flow TextStmt::exec(Context& context) const {
    context.output += text;
    return Flow::Normal;
}

Flow OutputStmt::exec(Context& context) const {
    context.output += value->eval(context).str();
    return Flow::Normal;
}

Flow IfStmt::exec(Context& context) const {
    for (const auto& [condition, body] : branches) {
        if (condition->eval(context).truthy()) return exec_body(body, context);
    }
    return exec_body(otherwise, context);
}

Flow ForStmt::exec(Context& context) const {
    const Value source = iterable->eval(context);
    List items;
    if (source.is_list()) {
        items = *source.list;
    } else if (source.is_dict()) {
        for (const auto& [k, v] : *source.dict) items.push_back(Value::from(k)); // keys, as Python
    } else if (source.is_string()) {
        for (const char c : source.string) items.push_back(Value::from(std::string(1, c)));
    } else if (!source.is_undefined() && !source.is_none()) {
        fail(line, std::string("cannot loop over a ") + kind_name(source.kind));
    }
    const auto bind = [&](const Value& item) {
        if (targets.size() == 1) {
            context.assign(targets[0], item);
            return;
        }
        if (!item.is_list() || item.list->size() != targets.size()) {
            fail(line, "cannot unpack the loop item into " + std::to_string(targets.size()) + " names");
        }
        for (std::size_t t = 0; t < targets.size(); ++t) context.assign(targets[t], (*item.list)[t]);
    };
    context.push_scope();
    if (filter) {
        // The loop's own "if" filters before loop.index/length are computed.
        List kept;
        for (const auto& item : items) {
            bind(item);
            if (filter->eval(context).truthy()) kept.push_back(item);
        }
        items = std::move(kept);
    }
    const auto length = static_cast<std::int64_t>(items.size());
    for (std::int64_t i = 0; i < length; ++i) {
        bind(items[static_cast<std::size_t>(i)]);
        Value loop = Value::from(Dict{});
        loop.set("index", Value::from(i + 1));
        loop.set("index0", Value::from(i));
        loop.set("revindex", Value::from(length - i));
        loop.set("revindex0", Value::from(length - i - 1));
        loop.set("first", Value::from(i == 0));
        loop.set("last", Value::from(i == length - 1));
        loop.set("length", Value::from(length));
        loop.set("previtem", i > 0 ? items[static_cast<std::size_t>(i - 1)] : Value{});
        loop.set("nextitem", i + 1 < length ? items[static_cast<std::size_t>(i + 1)] : Value{});
        context.assign("loop", loop);
        if (exec_body(body, context) == Flow::Break) break;
    }
    context.pop_scope();
    if (length == 0) return exec_body(otherwise, context);
    return Flow::Normal;
}

Flow SetStmt::exec(Context& context) const {
    Value v;
    if (value) {
        v = value->eval(context);
    } else {
        std::string saved;
        saved.swap(context.output);
        exec_body(block, context);
        v = Value::from(context.output);
        context.output = std::move(saved);
    }
    if (!attribute.empty()) {
        Value object = context.lookup(targets[0]);
        if (!object.is_dict() || !object.is_namespace) {
            fail(line, "'" + targets[0] + "' is not a namespace(): cannot set ." + attribute);
        }
        object.set(attribute, std::move(v));
        return Flow::Normal;
    }
    if (targets.size() == 1) {
        context.assign(targets[0], std::move(v));
        return Flow::Normal;
    }
    if (!v.is_list() || v.list->size() != targets.size()) fail(line, "cannot unpack the value");
    for (std::size_t t = 0; t < targets.size(); ++t) context.assign(targets[t], (*v.list)[t]);
    return Flow::Normal;
}

Flow MacroStmt::exec(Context& context) const {
    Context* ctx = &context; // macros never outlive the render that defines them
    const auto body_ptr = body;
    const auto* self = this;
    context.assign(name, Value::from(Function([ctx, body_ptr, self](const Arguments& args, const KeywordArguments& kwargs) {
        ctx->push_scope();
        for (std::size_t p = 0; p < self->parameters.size(); ++p) {
            const auto& [param, fallback] = self->parameters[p];
            Value v = p < args.size() ? args[p] : (fallback ? fallback->eval(*ctx) : Value{});
            for (const auto& [k, kv] : kwargs) {
                if (k == param) v = kv;
            }
            ctx->assign(param, v);
        }
        std::string saved;
        saved.swap(ctx->output);
        exec_body(*body_ptr, *ctx);
        Value result = Value::from(ctx->output);
        ctx->output = std::move(saved);
        ctx->pop_scope();
        return result;
    })));
    return Flow::Normal;
}

} // namespace tern::engine::jinja
