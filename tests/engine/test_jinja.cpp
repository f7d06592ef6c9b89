// The Jinja subset on its own: syntax, whitespace rules, Python semantics, errors.
#include "jinja.h"

#include <gtest/gtest.h>

namespace tern::engine::jinja {
namespace {

std::string render(const std::string& source, Dict variables = {}) {
    return Template(source).render(variables);
}

Value messages() {
    List list;
    for (const auto& [role, content] : std::vector<std::pair<std::string, std::string>>{
             {"system", "S"}, {"user", "U1"}, {"assistant", "A1"}, {"user", "U2"}}) {
        list.push_back(Value::from(Dict{{"role", Value::from(role)}, {"content", Value::from(content)}}));
    }
    return Value::from(std::move(list));
}

TEST(Jinja, TextExpressionsAndComments) {
    EXPECT_EQ(render("plain"), "plain");
    EXPECT_EQ(render("a{{ 1 + 2 * 3 }}b{# gone #}c"), "a7bc");
    EXPECT_EQ(render("{{ 'x' ~ 1 ~ none ~ true }}"), "x1NoneTrue");
    EXPECT_EQ(render("{{ undefined_name }}|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ 7 % 3 }}|{{ 7 / 2 }}|{{ 2 ** 10 }}"),
              "|3|-4|1|3.5|1024");
    EXPECT_EQ(render("{{ \"a\\nb\" }}"), "a\nb");
    EXPECT_EQ(render("{{ [1, 'a', none] }}|{{ {'k': 'v'} }}"), "[1, 'a', None]|{'k': 'v'}");
}

TEST(Jinja, WhitespaceControlTrimAndLstripBlocks) {
    EXPECT_EQ(render("a  {{- 'b' -}}  c"), "abc");
    // trim_blocks: the newline after a block tag goes; lstrip_blocks: indentation before it.
    EXPECT_EQ(render("{% if true %}\n    x\n    {% endif %}\ny"), "    x\ny");
    EXPECT_EQ(render("a\n  {%- if true %}b{% endif %}"), "ab");
    EXPECT_EQ(render("{{ 'a' }}\n{{ 'b' }}"), "a\nb"); // expressions keep their newlines
    EXPECT_EQ(render("  {%+ if true %}x{% endif %}"), "  x");
}

TEST(Jinja, Conditionals) {
    const char* t = "{% if n > 2 %}big{% elif n == 2 %}two{% else %}small{% endif %}";
    EXPECT_EQ(render(t, {{"n", Value::from(3)}}), "big");
    EXPECT_EQ(render(t, {{"n", Value::from(2)}}), "two");
    EXPECT_EQ(render(t, {{"n", Value::from(1)}}), "small");
    EXPECT_EQ(render("{{ 'y' if x else 'n' }}{{ 'z' if not x }}", {{"x", Value::from(false)}}), "nz");
    EXPECT_EQ(render("{{ x is defined }}{{ x is not defined }}{{ none is none }}"), "FalseTrueTrue");
    EXPECT_EQ(render("{{ 'a' in 'cat' }}{{ 2 not in [1, 2] }}{{ 'k' in {'k': 1} }}"), "TrueFalseTrue");
    EXPECT_EQ(render("{{ 1 and 'x' }}{{ 0 or 'y' }}{{ not 1 == 2 }}"), "xyTrue");
}

TEST(Jinja, LoopsAndLoopVariables) {
    EXPECT_EQ(render("{% for m in messages %}{{ loop.index }}{{ m.role[0] }}{% if not loop.last %},{% endif %}{% endfor %}",
                     {{"messages", messages()}}),
              "1s,2u,3a,4u");
    EXPECT_EQ(render("{% for m in messages if m.role == 'user' %}{{ loop.index0 }}/{{ loop.length }}:{{ m['content'] }} {% endfor %}",
                     {{"messages", messages()}}),
              "0/2:U1 1/2:U2 ");
    EXPECT_EQ(render("{% for x in [] %}x{% else %}empty{% endfor %}"), "empty");
    EXPECT_EQ(render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}"), "a=1;b=2;");
    EXPECT_EQ(render("{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}"),
              "02");
    EXPECT_EQ(render("{% for m in messages %}{{ loop.first }}{{ loop.revindex }}{% endfor %}", {{"messages", messages()}}),
              "True4False3False2False1");
}

TEST(Jinja, ScopingAndNamespace) {
    // A set inside a loop does not leak out (that is what namespace() is for).
    EXPECT_EQ(render("{% set x = 1 %}{% for i in [1, 2] %}{% set x = i %}{% endfor %}{{ x }}"), "1");
    EXPECT_EQ(render("{% set ns = namespace(found=false) %}{% for i in [1, 2] %}{% if i == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}"),
              "True");
    EXPECT_EQ(render("{% set a, b = [1, 2] %}{{ b }}{{ a }}"), "21");
    EXPECT_EQ(render("{% set block %}x{{ 1 }}{% endset %}[{{ block }}]"), "[x1]");
}

TEST(Jinja, SlicingAndIndexing) {
    Dict v = {{"messages", messages()}};
    EXPECT_EQ(render("{{ messages[1:] | length }}{{ messages[-1].content }}{{ messages[0]['role'] }}", v), "3U2system");
    EXPECT_EQ(render("{{ 'hello'[1:3] }}{{ 'hello'[::-1] }}{{ [1,2,3,4][::2] }}{{ 'abc'[-2:] }}"), "elolleh[1, 3]bc");
    EXPECT_EQ(render("{{ messages[10] is defined }}", v), "False");
}

TEST(Jinja, FiltersAndMethods) {
    EXPECT_EQ(render("{{ '  a b  ' | trim }}|{{ ' x '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ ' y'.lstrip() }}"), "a b|x|hi|y");
    EXPECT_EQ(render("{{ 'Hello' | upper }}{{ 'Hello' | lower }}{{ 'hello world' | title }}{{ 'hELLO' | capitalize }}"),
              "HELLOhelloHello WorldHello");
    EXPECT_EQ(render("{{ [1, 2, 3] | join('-') }}{{ [3, 1] | first }}{{ [3, 1] | last }}{{ 'abc' | length }}"), "1-2-331" "3");
    EXPECT_EQ(render("{{ x | default('d') }}{{ '' | default('e', true) }}{{ 'a-b' | replace('-', '+') }}"), "de" "a+b");
    EXPECT_EQ(render("{{ {'a': [1, 'x'], 'b': none} | tojson }}"), "{\"a\": [1, \"x\"], \"b\": null}");
    EXPECT_EQ(render("{{ {'a': 1} | tojson(indent=2) }}"), "{\n  \"a\": 1\n}");
    EXPECT_EQ(render("{{ 'a,b,,c'.split(',') }}{{ ' a  b '.split() }}{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith(('x', 'c')) }}"),
              "['a', 'b', '', 'c']['a', 'b']TrueTrue");
    EXPECT_EQ(render("{{ {'k': 'v'}.get('k') }}{{ {'k': 'v'}.get('z', 'w') }}{{ {'a': 1}.keys() | list }}"), "vw['a']");
    EXPECT_EQ(render("{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}",
                     {{"messages", messages()}}),
              "U1,U2");
    EXPECT_EQ(render("{% set l = [] %}{% set _ = l.append(1) %}{{ l }}"), "[1]");
    EXPECT_EQ(render("{{ 3 is odd }}{{ 4 is divisibleby 2 }}{{ 'x' is string }}{{ {} is mapping }}"), "TrueTrueTrueTrue");
}

TEST(Jinja, Macros) {
    EXPECT_EQ(render("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', punct='?') }}"),
              "Hi A! Hi B?");
}

TEST(Jinja, ErrorsNameTheLineAndTheProblem) {
    const auto message_of = [](const std::string& source) {
        try {
            render(source);
        } catch (const TemplateError& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    EXPECT_NE(message_of("line one\n{% if x %}").find("line 2"), std::string::npos);
    EXPECT_NE(message_of("{% if x %}").find("endif"), std::string::npos);
    EXPECT_NE(message_of("{{ 1 + }}").find("unexpected"), std::string::npos);
    EXPECT_NE(message_of("{{ 'unterminated }}").find("unterminated"), std::string::npos);
    EXPECT_NE(message_of("{{ x | nosuchfilter }}").find("nosuchfilter"), std::string::npos);
    EXPECT_NE(message_of("{{ raise_exception('Roles must alternate') }}").find("Roles must alternate"), std::string::npos);
    EXPECT_NE(message_of("{{ 'a' + 1 }}").find("unsupported operand"), std::string::npos);
    EXPECT_NE(message_of("{% for %}").find("expected a name"), std::string::npos);
    EXPECT_NE(message_of("{% set x = 1 %}{% set x.y = 2 %}").find("namespace"), std::string::npos);
    EXPECT_NE(message_of("{{ 1 / 0 }}").find("division by zero"), std::string::npos);
}

} // namespace
} // namespace tern::engine::jinja
