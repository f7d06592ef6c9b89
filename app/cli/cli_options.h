// Small helpers shared by the model subcommands of tern-cli: flag parsing with errors a user can
// act on, token-list parsing, and the model flags of the model commands (-m, -t, --q8-head).
#pragma once

#include "tern/engine/engine.h"

#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tern::cli {

// A usage error: main prints it with the command's name and exits with code 2.
struct UsageError {
    std::string message;
};

// Walks argv of one subcommand. `value()` takes the argument after a flag.
class ArgReader {
public:
    ArgReader(std::string_view command, std::span<char* const> args) : command_(command), args_(args) {}
    bool next(); // advances; false at the end
    std::string_view flag() const { return args_[i_]; }
    bool is(std::string_view a, std::string_view b = {}) const {
        return flag() == a || (!b.empty() && flag() == b);
    }
    std::string value();
    int int_value(int min, int max);
    double double_value();
    std::uint64_t u64_value();
    [[noreturn]] void unknown() const;

private:
    std::string_view command_;
    std::span<char* const> args_;
    std::size_t i_ = 0;
};

// "1,2,3" or "1 2 3" (any mix of commas and whitespace) to ids; throws UsageError naming `what`.
std::vector<engine::Token> parse_token_list(std::string_view text, const std::string& what);
// A file of whitespace-separated ids.
std::vector<engine::Token> read_token_file(const std::string& path);
std::string read_text_file(const std::string& path);

// Prints `usage` to stderr with the error and returns kExitUsage.
int usage_error(std::string_view command, const std::string& message);

// Sampling and length flags shared by run and chat: -n, --temp, --top-k, --top-p, --min-p,
// --repeat-penalty, --repeat-last-n, --presence-penalty, --seed, --stop. Returns false when the
// current flag is none of them. CLI defaults are llama.cpp's: no repetition penalty.
bool parse_generation_flag(ArgReader& in, engine::GenerateOptions& options);
extern const char* const kGenerationHelp;
// Prints the turn's figures to stderr.
void print_turn_stats(const engine::TurnStats& stats);
engine::GenerateOptions default_generation_options();

// The model flags of run, chat, perplexity and logits: -m/--model, -t/--threads and --q8-head.
// (-c differs: the context for run and chat, the scoring window for perplexity.)
struct ModelFlags {
    std::string path;
    engine::LoadOptions load;
    // Takes the current flag if it is one of the above; false otherwise.
    bool parse(ArgReader& in);
    // The chosen file, or the built-in demo model (tern/engine/data_paths.h) when none was given.
    std::string path_or_demo() const;
};

// Loads a model, printing a one-line summary to stderr.
std::shared_ptr<engine::Model> load_model(const std::string& path, const engine::LoadOptions& options,
                                          bool quiet = false);

} // namespace tern::cli
