#include "command.h"

namespace tern::cli {

int run_sysinfo(std::span<char* const> args);
int run_download(std::span<char* const> args);

std::span<const Command> all_commands() {
    static const Command commands[] = {
        {"sysinfo", "show the CPU, its features, the kernel variant in use and memory", run_sysinfo},
        {"download", "download a model from Hugging Face (resumable, verified)", run_download},
    };
    return commands;
}

} // namespace tern::cli
