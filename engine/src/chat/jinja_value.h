// Values of the Jinja subset that chat templates use: Python-like semantics (truthiness,
// equality, str() and repr()), because templates are written against Jinja2 on Python.
#pragma once

#include "tern/engine/engine.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::engine::jinja {

// A template that cannot be parsed or rendered; the message says where and why.
class TemplateError : public Error {
public:
    using Error::Error;
};

struct Value;
using List = std::vector<Value>;
using Dict = std::vector<std::pair<std::string, Value>>; // insertion order, as Python dicts
using Arguments = std::vector<Value>;
using KeywordArguments = std::vector<std::pair<std::string, Value>>;
using Function = std::function<Value(const Arguments&, const KeywordArguments&)>;

struct Value {
    enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Function };
    Kind kind = Kind::Undefined;
    bool boolean = false;
    std::int64_t integer = 0;
    double real = 0;
    std::string string;
    // Lists and dicts are shared, as Python objects are: namespace() attributes and
    // list.append() mutate the object every name refers to.
    std::shared_ptr<List> list;
    std::shared_ptr<Dict> dict;
    std::shared_ptr<Function> function;
    bool is_namespace = false;

    Value() = default;
    static Value none();
    static Value from(bool b);
    static Value from(std::int64_t i);
    static Value from(int i) { return from(static_cast<std::int64_t>(i)); }
    static Value from(double d);
    static Value from(std::string s);
    static Value from(const char* s) { return from(std::string(s)); }
    static Value from(List l);
    static Value from(Dict d);
    static Value from(Function f);

    bool is_undefined() const { return kind == Kind::Undefined; }
    bool is_none() const { return kind == Kind::None; }
    bool is_string() const { return kind == Kind::String; }
    bool is_number() const { return kind == Kind::Int || kind == Kind::Float; }
    bool is_list() const { return kind == Kind::List; }
    bool is_dict() const { return kind == Kind::Dict; }

    bool truthy() const;
    double as_double() const;
    // Python's str(): strings as they are, None as "None", True as "True"; undefined prints "".
    std::string str() const;
    // Python's repr(): strings quoted (used inside lists and dicts).
    std::string repr() const;
    // JSON as Python's json.dumps(ensure_ascii=False) writes it; indent < 0: one line.
    std::string to_json(int indent = -1, int depth = 0) const;

    // Dict lookup; Undefined when missing (or when this is not a dict).
    const Value* find(std::string_view key) const;
    void set(const std::string& key, Value v); // dicts only
};

bool equals(const Value& a, const Value& b);
// -1, 0, 1; throws TemplateError for values that do not order (a dict and a number...).
int compare(const Value& a, const Value& b);
const char* kind_name(Value::Kind kind);

} // namespace tern::engine::jinja
