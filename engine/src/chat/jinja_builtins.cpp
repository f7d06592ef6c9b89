// Filters, tests, methods and global functions of the Jinja subset, with Python's behaviour.
#include "jinja_ast.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>

namespace tern::engine::jinja {

namespace {

bool is_py_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string strip(const std::string& s, bool left, bool right, const Value* chars = nullptr) {
    const auto strip_char = [&](char c) {
        return chars != nullptr && chars->is_string() ? chars->string.find(c) != std::string::npos : is_py_space(c);
    };
    std::size_t a = 0, b = s.size();
    if (left) while (a < b && strip_char(s[a])) ++a;
    if (right) while (b > a && strip_char(s[b - 1])) --b;
    return s.substr(a, b - a);
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}
std::string capitalize(const std::string& s) {
    std::string out = lower(s);
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}
std::string title(const std::string& s) {
    std::string out;
    bool start = true;
    for (const char c : s) {
        const bool alpha = std::isalpha(static_cast<unsigned char>(c)) != 0;
        out += static_cast<char>(alpha ? (start ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c))) : c);
        start = !alpha;
    }
    return out;
}
std::string replace_all(std::string s, const std::string& from, const std::string& to, std::int64_t count = -1) {
    if (from.empty()) return s;
    std::size_t pos = 0;
    while (count != 0 && (pos = s.find(from, pos)) != std::string::npos) {
        s.replace(pos, from.size(), to);
        pos += to.size();
        --count;
    }
    return s;
}

const Value* keyword(const KeywordArguments& kwargs, const char* name) {
    for (const auto& [k, v] : kwargs) {
        if (k == name) return &v;
    }
    return nullptr;
}

// Positional argument `index`, else keyword `name`, else nullptr.
const Value* argument(const Arguments& args, const KeywordArguments& kwargs, std::size_t index, const char* name) {
    if (index < args.size()) return &args[index];
    return keyword(kwargs, name);
}

std::string need_string(const Value& v, const std::string& what, int line) {
    if (!v.is_string()) fail(line, what + " needs a string, got " + kind_name(v.kind));
    return v.string;
}

List as_list(const Value& v, const std::string& what, int line) {
    if (v.is_list()) return *v.list;
    if (v.is_dict()) {
        List keys;
        for (const auto& [k, value] : *v.dict) keys.push_back(Value::from(k));
        return keys;
    }
    if (v.is_string()) {
        List chars;
        for (const char c : v.string) chars.push_back(Value::from(std::string(1, c)));
        return chars;
    }
    if (v.is_undefined() || v.is_none()) return {};
    fail(line, what + " needs a sequence, got " + kind_name(v.kind));
}

Value items_of(const Value& v, int line) {
    if (!v.is_dict()) {
        if (v.is_undefined() || v.is_none()) return Value::from(List{});
        fail(line, std::string("items() needs a dict, got ") + kind_name(v.kind));
    }
    List items;
    for (const auto& [k, value] : *v.dict) items.push_back(Value::from(List{Value::from(k), value}));
    return Value::from(std::move(items));
}

Value attribute_of(const Value& v, const std::string& path) {
    Value current = v;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t dot = path.find('.', start);
        const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        const Value* next = current.find(part);
        if (next == nullptr) return {};
        current = *next;
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return current;
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&#34;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

} // namespace

Value apply_filter(const std::string& name, const Value& in, const Arguments& args,
                   const KeywordArguments& kwargs, int line) {
    const Value* a0 = args.empty() ? nullptr : &args[0];
    if (name == "trim") return Value::from(strip(in.str(), true, true, argument(args, kwargs, 0, "chars")));
    if (name == "upper") return Value::from(upper(in.str()));
    if (name == "lower") return Value::from(lower(in.str()));
    if (name == "capitalize") return Value::from(capitalize(in.str()));
    if (name == "title") return Value::from(title(in.str()));
    if (name == "string") return Value::from(in.str());
    if (name == "safe") return in;
    if (name == "e" || name == "escape") return Value::from(html_escape(in.str()));
    if (name == "length" || name == "count") {
        if (in.is_string()) return Value::from(static_cast<std::int64_t>(in.string.size()));
        if (in.is_dict()) return Value::from(static_cast<std::int64_t>(in.dict->size()));
        return Value::from(static_cast<std::int64_t>(as_list(in, "length", line).size()));
    }
    if (name == "first" || name == "last") {
        const List l = as_list(in, name, line);
        if (l.empty()) return {};
        return name == "first" ? l.front() : l.back();
    }
    if (name == "list") return Value::from(as_list(in, "list", line));
    if (name == "reverse") {
        if (in.is_string()) return Value::from(std::string(in.string.rbegin(), in.string.rend()));
        List l = as_list(in, "reverse", line);
        std::reverse(l.begin(), l.end());
        return Value::from(std::move(l));
    }
    if (name == "join") {
        const Value* sep = argument(args, kwargs, 0, "d");
        const Value* attr = argument(args, kwargs, 1, "attribute");
        std::string out;
        bool first = true;
        for (const auto& item : as_list(in, "join", line)) {
            out += (first ? "" : (sep != nullptr ? sep->str() : "")) +
                   (attr != nullptr ? attribute_of(item, attr->str()).str() : item.str());
            first = false;
        }
        return Value::from(std::move(out));
    }
    if (name == "default" || name == "d") {
        const Value* boolean = argument(args, kwargs, 1, "boolean");
        const bool use_default = in.is_undefined() || (boolean != nullptr && boolean->truthy() && !in.truthy());
        return use_default ? (a0 != nullptr ? *a0 : Value::from(std::string())) : in;
    }
    if (name == "replace") {
        if (args.size() < 2) fail(line, "replace needs two arguments");
        const Value* count = argument(args, kwargs, 2, "count");
        return Value::from(replace_all(in.str(), args[0].str(), args[1].str(),
                                       count != nullptr && count->kind == Value::Kind::Int ? count->integer : -1));
    }
    if (name == "tojson") {
        const Value* indent = argument(args, kwargs, 0, "indent");
        return Value::from(in.to_json(indent != nullptr && indent->kind == Value::Kind::Int ? static_cast<int>(indent->integer) : -1));
    }
    if (name == "items") return items_of(in, line);
    if (name == "int") {
        if (in.kind == Value::Kind::Float) return Value::from(static_cast<std::int64_t>(in.real));
        if (in.kind == Value::Kind::Int) return in;
        try {
            return Value::from(static_cast<std::int64_t>(std::stoll(strip(in.str(), true, true))));
        } catch (const std::exception&) {
            return Value::from(a0 != nullptr && a0->kind == Value::Kind::Int ? a0->integer : 0);
        }
    }
    if (name == "float") {
        if (in.is_number()) return Value::from(in.as_double());
        try {
            return Value::from(std::stod(in.str()));
        } catch (const std::exception&) {
            return Value::from(0.0);
        }
    }
    if (name == "abs") {
        if (in.kind == Value::Kind::Int) return Value::from(in.integer < 0 ? -in.integer : in.integer);
        return Value::from(std::fabs(in.as_double()));
    }
    if (name == "round") {
        const Value* precision = argument(args, kwargs, 0, "precision");
        const double scale = std::pow(10.0, precision != nullptr ? precision->as_double() : 0.0);
        return Value::from(std::round(in.as_double() * scale) / scale);
    }
    if (name == "indent") {
        const Value* width = argument(args, kwargs, 0, "width");
        const Value* first = argument(args, kwargs, 1, "first");
        const std::string pad(width != nullptr && width->kind == Value::Kind::Int ? static_cast<std::size_t>(width->integer) : 4, ' ');
        std::string out;
        const std::string s = in.str();
        for (std::size_t i = 0; i < s.size(); ++i) {
            out += s[i];
            if (s[i] == '\n' && i + 1 < s.size() && s[i + 1] != '\n') out += pad;
        }
        return Value::from(first != nullptr && first->truthy() ? pad + out : out);
    }
    if (name == "map") {
        const Value* attr = keyword(kwargs, "attribute");
        List out;
        for (const auto& item : as_list(in, "map", line)) {
            if (attr != nullptr) out.push_back(attribute_of(item, attr->str()));
            else if (a0 != nullptr) out.push_back(apply_filter(a0->str(), item, Arguments(args.begin() + 1, args.end()), {}, line));
            else fail(line, "map needs a filter name or attribute=");
        }
        return Value::from(std::move(out));
    }
    if (name == "selectattr" || name == "rejectattr" || name == "select" || name == "reject") {
        const bool by_attribute = name == "selectattr" || name == "rejectattr";
        const bool keep_matching = name == "selectattr" || name == "select";
        const std::size_t test_at = by_attribute ? 1 : 0;
        if (by_attribute && args.empty()) fail(line, name + " needs an attribute name");
        List out;
        for (const auto& item : as_list(in, name, line)) {
            const Value subject = by_attribute ? attribute_of(item, args[0].str()) : item;
            const bool match = args.size() > test_at
                                   ? apply_test(args[test_at].str(), subject, Arguments(args.begin() + static_cast<std::ptrdiff_t>(test_at) + 1, args.end()), line)
                                   : subject.truthy();
            if (match == keep_matching) out.push_back(item);
        }
        return Value::from(std::move(out));
    }
    if (name == "unique") {
        List out;
        for (const auto& item : as_list(in, "unique", line)) {
            if (std::none_of(out.begin(), out.end(), [&](const Value& v) { return equals(v, item); })) out.push_back(item);
        }
        return Value::from(std::move(out));
    }
    if (name == "sort" || name == "dictsort") {
        List l = name == "dictsort" ? *items_of(in, line).list : as_list(in, "sort", line);
        const Value* reverse = keyword(kwargs, "reverse");
        const Value* attr = keyword(kwargs, "attribute");
        std::stable_sort(l.begin(), l.end(), [&](const Value& x, const Value& y) {
            const Value& p = attr != nullptr ? attribute_of(x, attr->str()) : x;
            const Value& q = attr != nullptr ? attribute_of(y, attr->str()) : y;
            return compare(p, q) < 0;
        });
        if (reverse != nullptr && reverse->truthy()) std::reverse(l.begin(), l.end());
        return Value::from(std::move(l));
    }
    if (name == "wordcount") {
        std::int64_t words = 0;
        bool in_word = false;
        for (const char c : in.str()) {
            const bool space = is_py_space(c);
            words += !space && !in_word;
            in_word = !space;
        }
        return Value::from(words);
    }
    fail(line, "unknown filter '" + name + "'");
}

bool apply_test(const std::string& name, const Value& in, const Arguments& args, int line) {
    using K = Value::Kind;
    if (name == "defined") return !in.is_undefined();
    if (name == "undefined") return in.is_undefined();
    if (name == "none") return in.is_none();
    if (name == "string") return in.is_string();
    if (name == "number") return in.is_number();
    if (name == "integer") return in.kind == K::Int;
    if (name == "float") return in.kind == K::Float;
    if (name == "boolean") return in.kind == K::Bool;
    if (name == "true") return in.kind == K::Bool && in.boolean;
    if (name == "false") return in.kind == K::Bool && !in.boolean;
    if (name == "mapping") return in.is_dict();
    if (name == "sequence") return in.is_list() || in.is_string() || in.is_dict();
    if (name == "iterable") return in.is_list() || in.is_string() || in.is_dict();
    if (name == "callable") return in.kind == K::Function;
    if (name == "lower") return in.is_string() && lower(in.string) == in.string;
    if (name == "upper") return in.is_string() && upper(in.string) == in.string;
    if (name == "odd" || name == "even") {
        if (in.kind != K::Int) fail(line, "'" + name + "' needs an integer");
        return (in.integer % 2 != 0) == (name == "odd");
    }
    if (args.empty() && (name == "equalto" || name == "eq" || name == "==" || name == "ne" || name == "divisibleby" ||
                         name == "in" || name == "sameas")) {
        fail(line, "test '" + name + "' needs an argument");
    }
    if (name == "equalto" || name == "eq" || name == "sameas") return equals(in, args[0]);
    if (name == "ne") return !equals(in, args[0]);
    if (name == "divisibleby") return args[0].kind == K::Int && args[0].integer != 0 && in.kind == K::Int && in.integer % args[0].integer == 0;
    if (name == "in") {
        if (args[0].is_string()) return in.is_string() && args[0].string.find(in.string) != std::string::npos;
        const List l = as_list(args[0], "in", line);
        return std::any_of(l.begin(), l.end(), [&](const Value& v) { return equals(v, in); });
    }
    fail(line, "unknown test '" + name + "'");
}

Value call_method(const Value& object, const std::string& name, const Arguments& args,
                  const KeywordArguments& kwargs, int line) {
    const Value* a0 = args.empty() ? nullptr : &args[0];
    if (object.is_string()) {
        const std::string& s = object.string;
        if (name == "strip") return Value::from(strip(s, true, true, a0));
        if (name == "lstrip") return Value::from(strip(s, true, false, a0));
        if (name == "rstrip") return Value::from(strip(s, false, true, a0));
        if (name == "upper") return Value::from(upper(s));
        if (name == "lower") return Value::from(lower(s));
        if (name == "capitalize") return Value::from(capitalize(s));
        if (name == "title") return Value::from(title(s));
        if (name == "startswith" || name == "endswith") {
            if (a0 == nullptr) fail(line, name + "() needs an argument");
            List prefixes = a0->is_list() ? *a0->list : List{*a0};
            for (const auto& p : prefixes) {
                const std::string t = need_string(p, name + "()", line);
                const bool hit = name == "startswith" ? s.compare(0, t.size(), t) == 0
                                                      : s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
                if (hit) return Value::from(true);
            }
            return Value::from(false);
        }
        if (name == "replace") {
            if (args.size() < 2) fail(line, "replace() needs two arguments");
            return Value::from(replace_all(s, args[0].str(), args[1].str(), args.size() > 2 && args[2].kind == Value::Kind::Int ? args[2].integer : -1));
        }
        if (name == "find") return Value::from(a0 == nullptr ? -1 : static_cast<std::int64_t>(s.find(a0->str()) == std::string::npos ? -1 : static_cast<std::int64_t>(s.find(a0->str()))));
        if (name == "count") {
            const std::string t = a0 != nullptr ? a0->str() : "";
            std::int64_t n = 0;
            for (std::size_t p = t.empty() ? std::string::npos : s.find(t); p != std::string::npos; p = s.find(t, p + t.size())) ++n;
            return Value::from(n);
        }
        if (name == "split") {
            const Value* sep = argument(args, kwargs, 0, "sep");
            const Value* max = argument(args, kwargs, 1, "maxsplit");
            std::int64_t remaining = max != nullptr && max->kind == Value::Kind::Int ? max->integer : -1;
            List parts;
            if (sep == nullptr || sep->is_none()) {
                std::size_t p = 0;
                while (true) {
                    while (p < s.size() && is_py_space(s[p])) ++p;
                    if (p >= s.size()) break;
                    if (remaining == 0) {
                        parts.push_back(Value::from(strip(s.substr(p), false, true)));
                        break;
                    }
                    std::size_t e = p;
                    while (e < s.size() && !is_py_space(s[e])) ++e;
                    parts.push_back(Value::from(s.substr(p, e - p)));
                    --remaining;
                    p = e;
                }
            } else {
                const std::string t = need_string(*sep, "split()", line);
                if (t.empty()) fail(line, "split() separator is empty");
                std::size_t p = 0;
                while (true) {
                    const std::size_t e = remaining == 0 ? std::string::npos : s.find(t, p);
                    if (e == std::string::npos) {
                        parts.push_back(Value::from(s.substr(p)));
                        break;
                    }
                    parts.push_back(Value::from(s.substr(p, e - p)));
                    p = e + t.size();
                    --remaining;
                }
            }
            return Value::from(std::move(parts));
        }
        if (name == "join") {
            std::string out;
            bool first = true;
            for (const auto& item : as_list(a0 != nullptr ? *a0 : Value{}, "join()", line)) {
                out += (first ? "" : s) + item.str();
                first = false;
            }
            return Value::from(std::move(out));
        }
    }
    if (object.is_dict()) {
        if (name == "items") return items_of(object, line);
        if (name == "keys" || name == "values") {
            List out;
            for (const auto& [k, v] : *object.dict) out.push_back(name == "keys" ? Value::from(k) : v);
            return Value::from(std::move(out));
        }
        if (name == "get") {
            if (a0 == nullptr) fail(line, "get() needs a key");
            const Value* found = a0->is_string() ? object.find(a0->string) : nullptr;
            return found != nullptr ? *found : (args.size() > 1 ? args[1] : Value::none());
        }
    }
    if (object.is_list()) {
        if (name == "append") {
            if (a0 == nullptr) fail(line, "append() needs a value");
            object.list->push_back(*a0);
            return Value::none();
        }
        if (name == "index") {
            for (std::size_t i = 0; i < object.list->size(); ++i) {
                if (a0 != nullptr && equals((*object.list)[i], *a0)) return Value::from(static_cast<std::int64_t>(i));
            }
            fail(line, "index(): value not in list");
        }
    }
    fail(line, std::string("a ") + kind_name(object.kind) + " has no method '" + name + "'");
}

Value global_function(const std::string& name) {
    if (name == "raise_exception") {
        return Value::from(Function([](const Arguments& args, const KeywordArguments&) -> Value {
            throw TemplateError("the chat template refused the conversation: " + (args.empty() ? std::string("(no message)") : args[0].str()));
        }));
    }
    if (name == "namespace") {
        return Value::from(Function([](const Arguments&, const KeywordArguments& kwargs) {
            Value ns = Value::from(Dict(kwargs.begin(), kwargs.end()));
            ns.is_namespace = true;
            return ns;
        }));
    }
    if (name == "dict") {
        return Value::from(Function([](const Arguments&, const KeywordArguments& kwargs) {
            return Value::from(Dict(kwargs.begin(), kwargs.end()));
        }));
    }
    if (name == "range") {
        return Value::from(Function([](const Arguments& args, const KeywordArguments&) {
            std::int64_t start = 0, stop = 0, step = 1;
            for (const auto& a : args) {
                if (a.kind != Value::Kind::Int) throw TemplateError("range() needs integers");
            }
            if (args.size() == 1) stop = args[0].integer;
            else if (args.size() >= 2) start = args[0].integer, stop = args[1].integer;
            if (args.size() >= 3) step = args[2].integer;
            if (step == 0) throw TemplateError("range() step cannot be zero");
            if ((stop - start) / step > 1'000'000) throw TemplateError("range() is too long");
            List out;
            for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(Value::from(i));
            return Value::from(std::move(out));
        }));
    }
    if (name == "strftime_now") {
        return Value::from(Function([](const Arguments& args, const KeywordArguments&) {
            const std::time_t now = std::time(nullptr);
            std::tm local{};
#ifdef _WIN32
            localtime_s(&local, &now);
#else
            localtime_r(&now, &local);
#endif
            char buffer[128] = {};
            const std::string format = args.empty() ? "%Y-%m-%d" : args[0].str();
            std::strftime(buffer, sizeof buffer, format.c_str(), &local);
            return Value::from(std::string(buffer));
        }));
    }
    return {};
}

} // namespace tern::engine::jinja
