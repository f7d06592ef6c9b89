#include "jinja_value.h"

#include <cmath>
#include <cstdlib>
#include <cstdio>

namespace tern::engine::jinja {

Value Value::none() {
    Value v;
    v.kind = Kind::None;
    return v;
}
Value Value::from(bool b) {
    Value v;
    v.kind = Kind::Bool;
    v.boolean = b;
    return v;
}
Value Value::from(std::int64_t i) {
    Value v;
    v.kind = Kind::Int;
    v.integer = i;
    return v;
}
Value Value::from(double d) {
    Value v;
    v.kind = Kind::Float;
    v.real = d;
    return v;
}
Value Value::from(std::string s) {
    Value v;
    v.kind = Kind::String;
    v.string = std::move(s);
    return v;
}
Value Value::from(List l) {
    Value v;
    v.kind = Kind::List;
    v.list = std::make_shared<List>(std::move(l));
    return v;
}
Value Value::from(Dict d) {
    Value v;
    v.kind = Kind::Dict;
    v.dict = std::make_shared<Dict>(std::move(d));
    return v;
}
Value Value::from(Function f) {
    Value v;
    v.kind = Kind::Function;
    v.function = std::make_shared<Function>(std::move(f));
    return v;
}

const char* kind_name(Value::Kind kind) {
    switch (kind) {
    case Value::Kind::Undefined: return "undefined";
    case Value::Kind::None: return "none";
    case Value::Kind::Bool: return "bool";
    case Value::Kind::Int: return "int";
    case Value::Kind::Float: return "float";
    case Value::Kind::String: return "string";
    case Value::Kind::List: return "list";
    case Value::Kind::Dict: return "dict";
    case Value::Kind::Function: return "function";
    }
    return "?";
}

bool Value::truthy() const {
    switch (kind) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool: return boolean;
    case Kind::Int: return integer != 0;
    case Kind::Float: return real != 0.0;
    case Kind::String: return !string.empty();
    case Kind::List: return !list->empty();
    case Kind::Dict: return !dict->empty();
    case Kind::Function: return true;
    }
    return false;
}

double Value::as_double() const {
    if (kind == Kind::Int) return static_cast<double>(integer);
    if (kind == Kind::Float) return real;
    if (kind == Kind::Bool) return boolean ? 1.0 : 0.0;
    throw TemplateError(std::string("expected a number, got ") + kind_name(kind));
}

namespace {

std::string float_text(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    // Python prints the shortest text that reads back the same, and keeps ".0" on integers.
    char buffer[40];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buffer, sizeof buffer, "%.*g", precision, d);
        if (std::strtod(buffer, nullptr) == d) break;
    }
    std::string text = buffer;
    if (text.find_first_of(".en") == std::string::npos) text += ".0";
    return text;
}

std::string quoted(const std::string& s) {
    // Python picks single quotes unless the text holds one and no double quote.
    const bool use_double = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
    const char quote = use_double ? '"' : '\'';
    std::string out(1, quote);
    for (const char c : s) {
        if (c == '\\') out += "\\\\";
        else if (c == quote) (out += '\\') += c;
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else out += c;
    }
    return out + quote;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buffer[8];
                std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned char>(c));
                out += buffer;
            } else {
                out += c;
            }
        }
    }
    return out + '"';
}

} // namespace

std::string Value::str() const {
    switch (kind) {
    case Kind::Undefined: return "";
    case Kind::None: return "None";
    case Kind::Bool: return boolean ? "True" : "False";
    case Kind::Int: return std::to_string(integer);
    case Kind::Float: return float_text(real);
    case Kind::String: return string;
    default: return repr();
    }
}

std::string Value::repr() const {
    switch (kind) {
    case Kind::String: return quoted(string);
    case Kind::List: {
        std::string out = "[";
        for (std::size_t i = 0; i < list->size(); ++i) {
            if (i > 0) out += ", ";
            out += (*list)[i].repr();
        }
        return out + "]";
    }
    case Kind::Dict: {
        std::string out = "{";
        for (std::size_t i = 0; i < dict->size(); ++i) {
            if (i > 0) out += ", ";
            out += quoted((*dict)[i].first);
            out += ": ";
            out += (*dict)[i].second.repr();
        }
        return out + "}";
    }
    case Kind::Function: return "<function>";
    default: return str();
    }
}

std::string Value::to_json(int indent, int depth) const {
    const auto newline = [&](int level) {
        std::string text;
        if (indent >= 0) {
            text += '\n';
            text.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(level), ' ');
        }
        return text;
    };
    const std::string comma = indent < 0 ? ", " : ",";
    switch (kind) {
    case Kind::Undefined:
    case Kind::None: return "null";
    case Kind::Bool: return boolean ? "true" : "false";
    case Kind::Int: return std::to_string(integer);
    case Kind::Float: return float_text(real);
    case Kind::String: return json_string(string);
    case Kind::List: {
        if (list->empty()) return "[]";
        std::string out = "[";
        for (std::size_t i = 0; i < list->size(); ++i) {
            if (i > 0) out += comma;
            out += newline(depth + 1);
            out += (*list)[i].to_json(indent, depth + 1);
        }
        return out + newline(depth) + "]";
    }
    case Kind::Dict: {
        if (dict->empty()) return "{}";
        std::string out = "{";
        for (std::size_t i = 0; i < dict->size(); ++i) {
            if (i > 0) out += comma;
            out += newline(depth + 1);
            out += json_string((*dict)[i].first);
            out += ": ";
            out += (*dict)[i].second.to_json(indent, depth + 1);
        }
        return out + newline(depth) + "}";
    }
    case Kind::Function: throw TemplateError("a function cannot be written as JSON");
    }
    return "null";
}

const Value* Value::find(std::string_view key) const {
    if (kind != Kind::Dict) return nullptr;
    for (const auto& [k, v] : *dict) {
        if (k == key) return &v;
    }
    return nullptr;
}

void Value::set(const std::string& key, Value v) {
    for (auto& [k, existing] : *dict) {
        if (k == key) {
            existing = std::move(v);
            return;
        }
    }
    dict->emplace_back(key, std::move(v));
}

bool equals(const Value& a, const Value& b) {
    using K = Value::Kind;
    if ((a.is_number() || a.kind == K::Bool) && (b.is_number() || b.kind == K::Bool)) {
        if (a.kind == K::Int && b.kind == K::Int) return a.integer == b.integer;
        return a.as_double() == b.as_double();
    }
    if (a.kind != b.kind) return false;
    switch (a.kind) {
    case K::Undefined:
    case K::None: return true;
    case K::String: return a.string == b.string;
    case K::List:
        if (a.list->size() != b.list->size()) return false;
        for (std::size_t i = 0; i < a.list->size(); ++i) {
            if (!equals((*a.list)[i], (*b.list)[i])) return false;
        }
        return true;
    case K::Dict:
        if (a.dict->size() != b.dict->size()) return false;
        for (const auto& [k, v] : *a.dict) {
            const Value* other = b.find(k);
            if (other == nullptr || !equals(v, *other)) return false;
        }
        return true;
    default: return a.function == b.function;
    }
}

int compare(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.kind == Value::Kind::Int && b.kind == Value::Kind::Int) {
            return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
        }
        const double x = a.as_double(), y = b.as_double();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.is_string() && b.is_string()) return a.string.compare(b.string) < 0 ? -1 : a.string == b.string ? 0 : 1;
    if (a.is_list() && b.is_list()) {
        for (std::size_t i = 0; i < a.list->size() && i < b.list->size(); ++i) {
            const int c = compare((*a.list)[i], (*b.list)[i]);
            if (c != 0) return c;
        }
        return a.list->size() < b.list->size() ? -1 : a.list->size() > b.list->size() ? 1 : 0;
    }
    throw TemplateError(std::string("cannot order a ") + kind_name(a.kind) + " and a " + kind_name(b.kind));
}

} // namespace tern::engine::jinja
