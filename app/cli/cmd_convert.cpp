// tern-cli convert: a Hugging Face checkpoint folder to a GGUF file, with a progress bar.
#include "command.h"

#include "tern/downloader/converter.h"
#include "tern/engine/engine.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace tern::cli {

namespace {

void print_usage(std::FILE* out) {
    std::fprintf(out,
                 "Usage: tern-cli convert DIR -o FILE [--type i2_s|tq2_0] [--embed f16|q8_0]\n"
                 "                        [--packed-scale auto|multiply|divide] [-t N] [--quiet]\n\n"
                 "Converts the Hugging Face checkpoint in DIR (config.json, *.safetensors,\n"
                 "tokenizer.json or tokenizer.model, tokenizer_config.json) into the GGUF file FILE.\n"
                 "Supported: BitNet b1.58 2B4T (packed or bf16), the 1bitLLM models, Llama3-8B-1.58\n"
                 "and the Falcon 1.58-bit models.\n\n"
                 "  -o, --output FILE   the GGUF file to write (replaced only when complete)\n"
                 "  --type TYPE         block weights: i2_s (default, bitnet.cpp's format) or tq2_0\n"
                 "  --embed TYPE        embeddings and output head: f16 (default) or q8_0\n"
                 "  --packed-scale R    how a packed checkpoint's weight_scale applies: auto (default:\n"
                 "                      from quantization_config, else by magnitude), multiply, divide\n"
                 "  -t, --threads N     worker threads (default: one per hardware thread, at most 8);\n"
                 "                      the output is the same for any N\n"
                 "  -q, --quiet         no progress bar\n");
}

int usage_error(const std::string& what) {
    std::fprintf(stderr, "tern-cli convert: %s\nRun 'tern-cli convert --help' for usage.\n",
                 what.c_str());
    return kExitUsage;
}

class ProgressBar {
public:
    bool update(const downloader::ConvertProgress& p) {
        const auto now = std::chrono::steady_clock::now();
        const bool done = p.bytes_done == p.bytes_total;
        if (!done && now - last_ < std::chrono::milliseconds(100)) return true;
        last_ = now;
        const double fraction =
            p.bytes_total ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total) : 1.0;
        const int width = 30;
        const int filled = static_cast<int>(fraction * width);
        const double seconds = std::chrono::duration<double>(now - start_).count();
        const double mb_per_s = seconds > 0 ? static_cast<double>(p.bytes_done) / 1e6 / seconds : 0;
        std::fprintf(stderr, "\r[%.*s%.*s] %5.1f%%  %7.0f MB/s  %-32.32s", filled,
                     "##############################", width - filled,
                     "                              ", fraction * 100, mb_per_s, p.tensor.c_str());
        std::fflush(stderr);
        return true;
    }
    void finish() { std::fprintf(stderr, "\n"); }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_{};
};

} // namespace

int run_convert(std::span<char* const> args) {
    std::string input;
    std::string output;
    bool quiet = false;
    downloader::ConvertOptions options;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const auto value = [&](std::string_view name) -> std::string {
            if (i + 1 >= args.size()) throw std::invalid_argument(std::string(name) + " needs a value");
            return args[++i];
        };
        try {
            if (arg == "-h" || arg == "--help") {
                print_usage(stdout);
                return kExitOk;
            } else if (arg == "-o" || arg == "--output") {
                output = value(arg);
            } else if (arg == "--type") {
                const std::string type = value(arg);
                if (type == "i2_s" || type == "I2_S") options.ternary_type = downloader::TernaryType::I2_S;
                else if (type == "tq2_0" || type == "TQ2_0") options.ternary_type = downloader::TernaryType::TQ2_0;
                else return usage_error("--type must be i2_s or tq2_0, not '" + type + "'");
            } else if (arg == "--embed") {
                const std::string type = value(arg);
                if (type == "f16" || type == "F16") options.embedding_type = downloader::EmbeddingType::F16;
                else if (type == "q8_0" || type == "Q8_0") options.embedding_type = downloader::EmbeddingType::Q8_0;
                else return usage_error("--embed must be f16 or q8_0, not '" + type + "'");
            } else if (arg == "--packed-scale") {
                const std::string rule = value(arg);
                if (rule == "auto") options.packed_scale = downloader::PackedScale::Auto;
                else if (rule == "multiply") options.packed_scale = downloader::PackedScale::Multiply;
                else if (rule == "divide") options.packed_scale = downloader::PackedScale::Divide;
                else return usage_error("--packed-scale must be auto, multiply or divide, not '" + rule + "'");
            } else if (arg == "-t" || arg == "--threads") {
                const std::string text = value(arg);
                char* end = nullptr;
                const unsigned long n = std::strtoul(text.c_str(), &end, 10);
                if (text.empty() || *end != '\0' || n == 0 || n > 256) {
                    return usage_error("--threads must be a number from 1 to 256, not '" + text + "'");
                }
                options.threads = static_cast<unsigned>(n);
            } else if (arg == "-q" || arg == "--quiet") {
                quiet = true;
            } else if (!arg.empty() && arg[0] == '-') {
                return usage_error("unknown option '" + std::string(arg) + "'");
            } else if (input.empty()) {
                input = arg;
            } else {
                return usage_error("one checkpoint folder only ('" + input + "' and '" +
                                   std::string(arg) + "')");
            }
        } catch (const std::invalid_argument& e) {
            return usage_error(e.what());
        }
    }
    if (input.empty()) return usage_error("missing the checkpoint folder DIR");
    if (output.empty()) return usage_error("missing -o FILE");

    ProgressBar bar;
    if (!quiet) {
        options.on_progress = [&bar](const downloader::ConvertProgress& p) { return bar.update(p); };
    }
    const auto start = std::chrono::steady_clock::now();
    downloader::ConvertResult result;
    try {
        result = downloader::convert_checkpoint(input, output, options);
    } catch (...) {
        if (!quiet) bar.finish();
        throw;
    }
    if (!quiet) bar.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const auto& note : result.notes) std::fprintf(stderr, "note: %s\n", note.c_str());
    std::printf("%s: %s, %llu tensors, %.1f MB read, %.1f MB written in %.2f s (%.0f MB/s)\n",
                result.output.c_str(), result.architecture.c_str(),
                static_cast<unsigned long long>(result.tensor_count),
                static_cast<double>(result.bytes_read) / 1e6,
                static_cast<double>(result.bytes_written) / 1e6, seconds,
                seconds > 0 ? static_cast<double>(result.bytes_read) / 1e6 / seconds : 0.0);
    return kExitOk;
}

} // namespace tern::cli
