// The subcommands of tern-cli. Each lives in its own cmd_<name>.cpp and is listed in commands.cpp.
#pragma once

#include <span>
#include <string_view>

namespace tern::cli {

struct Command {
    std::string_view name;
    std::string_view summary; // one line for `tern-cli --help`
    // args[0] is the subcommand's name; returns the process exit code.
    int (*run)(std::span<char* const> args);
};

std::span<const Command> all_commands();

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

} // namespace tern::cli
