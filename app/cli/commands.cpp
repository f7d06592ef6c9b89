#include "command.h"

namespace tern::cli {

int run_sysinfo(std::span<char* const> args);
int run_synth(std::span<char* const> args);
int run_logits(std::span<char* const> args);
int run_perplexity(std::span<char* const> args);
int run_bench(std::span<char* const> args);
int run_run(std::span<char* const> args);
int run_chat(std::span<char* const> args);
int run_download(std::span<char* const> args);
int run_bench_kernels(std::span<char* const> args);
int run_convert(std::span<char* const> args);
int run_tokenize(std::span<char* const> args);
int run_template(std::span<char* const> args);

std::span<const Command> all_commands() {
    static const Command commands[] = {
        {"convert", "convert a Hugging Face checkpoint folder to a GGUF file", run_convert},
        {"sysinfo", "show the CPU, its features, the kernel variant in use and memory", run_sysinfo},
        {"run", "continue a prompt with a model, streaming the text", run_run},
        {"chat", "talk with a model in the terminal (its chat template; Ctrl+C stops a reply)", run_chat},
        {"perplexity", "measure perplexity on a text or a token file", run_perplexity},
        {"logits", "dump the raw logits of every position (for comparisons)", run_logits},
        {"bench", "prompt and generation speed against the memory-bandwidth limit", run_bench},
        {"synth", "write a model with real shapes and random weights (benchmarks)", run_synth},
        {"download", "download a model from Hugging Face (resumable, verified)", run_download},
        {"bench-kernels", "measure the I2_S kernels against memory bandwidth and int8 peak", run_bench_kernels},
        {"tokenize", "print the token ids of a text with a model's tokenizer", run_tokenize},
        {"template", "print the chat prompt a model sees for a conversation", run_template},
    };
    return commands;
}

} // namespace tern::cli
