// tern-cli: the command-line face of the Tern engine.
#include "command.h"

#include "tern/engine/build_info.h"

#include <cstdio>
#include <exception>
#include <span>
#include <string_view>

namespace {

void print_help(std::FILE* out) {
    std::fprintf(out,
                 "tern-cli %s: run 1.58-bit (ternary) language models on the CPU\n\n"
                 "Usage: tern-cli <command> [options]\n"
                 "       tern-cli <command> --help\n\n"
                 "Commands:\n",
                 tern::engine::version().c_str());
    for (const auto& command : tern::cli::all_commands()) {
        std::fprintf(out, "  %-12.*s %.*s\n", static_cast<int>(command.name.size()),
                     command.name.data(), static_cast<int>(command.summary.size()),
                     command.summary.data());
    }
    std::fprintf(out, "\nOptions:\n"
                      "  -h, --help     show this help\n"
                      "  -V, --version  show the version\n\n"
                      "Environment:\n"
                      "  TERN_CPU=scalar|avx2|avx512|neon|neon-dotprod  force a kernel variant\n");
}

} // namespace

int main(int argc, char** argv) {
    const std::span<char* const> args(argv, static_cast<std::size_t>(argc));
    if (args.size() < 2) {
        print_help(stderr);
        return tern::cli::kExitUsage;
    }
    const std::string_view first = args[1];
    if (first == "-h" || first == "--help" || first == "help") {
        print_help(stdout);
        return tern::cli::kExitOk;
    }
    if (first == "-V" || first == "--version") {
        std::printf("tern-cli %s (%s)\n", tern::engine::version().c_str(),
                    tern::engine::build_description().c_str());
        return tern::cli::kExitOk;
    }
    for (const auto& command : tern::cli::all_commands()) {
        if (command.name == first) {
            try {
                return command.run(args.subspan(1));
            } catch (const std::exception& e) {
                std::fprintf(stderr, "tern-cli %s: error: %s\n", argv[1], e.what());
                return tern::cli::kExitFailure;
            }
        }
    }
    std::fprintf(stderr, "tern-cli: unknown command '%s'. Run 'tern-cli --help' for the list.\n",
                 argv[1]);
    return tern::cli::kExitUsage;
}
