// tern-cli tokenize: the token ids a model's tokenizer gives for a text.
#include "command.h"

#include "tern/engine/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace tern::cli {

namespace {

void print_tokenize_help() {
    std::printf(
        "Usage: tern-cli tokenize -m FILE (-p TEXT | -f FILE) [--bos] [--special] [--pieces]\n"
        "                         [--bench RUNS]\n\n"
        "Prints the token ids of a text on one line, separated by spaces.\n\n"
        "  -m, --model FILE   a GGUF model or vocabulary-only GGUF, a tokenizer.model\n"
        "                     (SentencePiece or tiktoken ranks), or a tokenizer.json\n"
        "  -p, --prompt TEXT  the text to tokenize\n"
        "  -f, --file FILE    read the text from FILE (bytes as they are)\n"
        "  --bos              start with the beginning-of-text token\n"
        "  --special          turn special tokens written in the text (<|eot_id|>) into ids\n"
        "  --pieces           print one 'id<TAB>piece' line per token instead\n"
        "  --bench RUNS       encode RUNS times on one thread and print the speed (median,\n"
        "                     min, max in MB/s) instead of the ids\n");
}

int usage_error(const std::string& message) {
    std::fprintf(stderr, "tern-cli tokenize: %s (see tern-cli tokenize --help)\n", message.c_str());
    return kExitUsage;
}

} // namespace

int run_tokenize(std::span<char* const> args) {
    std::string model_path;
    std::string text;
    std::string text_file;
    bool have_text = false;
    bool bos = false;
    bool special = false;
    bool pieces = false;
    int bench_runs = 0;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const auto value = [&]() -> const char* {
            return i + 1 < args.size() ? args[++i] : nullptr;
        };
        if (arg == "-h" || arg == "--help") {
            print_tokenize_help();
            return kExitOk;
        } else if (arg == "-m" || arg == "--model") {
            const char* v = value();
            if (v == nullptr) return usage_error("-m needs a file");
            model_path = v;
        } else if (arg == "-p" || arg == "--prompt") {
            const char* v = value();
            if (v == nullptr) return usage_error("-p needs a text");
            text = v;
            have_text = true;
        } else if (arg == "-f" || arg == "--file") {
            const char* v = value();
            if (v == nullptr) return usage_error("-f needs a file");
            text_file = v;
        } else if (arg == "--bos") {
            bos = true;
        } else if (arg == "--special") {
            special = true;
        } else if (arg == "--pieces") {
            pieces = true;
        } else if (arg == "--bench") {
            const char* v = value();
            bench_runs = v != nullptr ? std::atoi(v) : 0;
            if (bench_runs <= 0) return usage_error("--bench needs a positive number of runs");
        } else {
            return usage_error("unknown option '" + std::string(arg) + "'");
        }
    }
    if (model_path.empty()) return usage_error("-m FILE is required");
    if (have_text == !text_file.empty()) return usage_error("give exactly one of -p TEXT and -f FILE");
    if (!text_file.empty()) {
        std::ifstream in(text_file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "tern-cli tokenize: %s: cannot open\n", text_file.c_str());
            return kExitFailure;
        }
        std::ostringstream contents;
        contents << in.rdbuf();
        text = std::move(contents).str();
    }
    try {
        const auto tokenizer = engine::Tokenizer::from_file(model_path);
        if (bench_runs > 0) {
            // Wall time and this process's CPU time: on a busy machine the CPU-time figure is the
            // steadier measure of what one core does.
            std::vector<double> wall_speeds;
            std::vector<double> cpu_speeds;
            std::size_t count = 0;
            const double megabytes = static_cast<double>(text.size()) / 1e6;
            for (int run = 0; run < bench_runs; ++run) {
                const auto start = std::chrono::steady_clock::now();
                const std::clock_t cpu_start = std::clock();
                count = tokenizer->encode(text, bos, special).size();
                const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
                const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
                wall_speeds.push_back(megabytes / seconds.count());
                cpu_speeds.push_back(megabytes / std::max(cpu_seconds, 1e-9));
            }
            std::sort(wall_speeds.begin(), wall_speeds.end());
            std::sort(cpu_speeds.begin(), cpu_speeds.end());
            std::printf("%zu bytes -> %zu tokens, %d runs, one thread\n", text.size(), count, bench_runs);
            std::printf("  wall: median %.2f MB/s (min %.2f, max %.2f)\n", wall_speeds[wall_speeds.size() / 2],
                        wall_speeds.front(), wall_speeds.back());
            std::printf("  cpu:  median %.2f MB/s (min %.2f, max %.2f)\n", cpu_speeds[cpu_speeds.size() / 2],
                        cpu_speeds.front(), cpu_speeds.back());
            return kExitOk;
        }
        const auto ids = tokenizer->encode(text, bos, special);
        if (pieces) {
            for (const auto id : ids) {
                std::printf("%d\t%.*s\n", id, static_cast<int>(tokenizer->piece(id, true).size()),
                            tokenizer->piece(id, true).data());
            }
            return kExitOk;
        }
        std::string line;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (i > 0) line += ' ';
            line += std::to_string(ids[i]);
        }
        std::printf("%s\n", line.c_str());
        return kExitOk;
    } catch (const engine::Error& e) {
        std::fprintf(stderr, "tern-cli tokenize: %s\n", e.what());
        return kExitFailure;
    }
}

} // namespace tern::cli
