// tern-cli perplexity: how well the model predicts a text (lower is better).
#include "cli_options.h"
#include "command.h"

#include "tern/engine/tokenizer.h"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace tern::cli {

namespace {

constexpr const char* kHelp =
    "Usage: tern-cli perplexity -m FILE (-f TEXT | --tokens FILE) [-c N] [--chunks N] [-t N]\n\n"
    "Splits the tokens into chunks of N (the window), runs each chunk from an empty context, and\n"
    "scores every next-token prediction inside it: perplexity = exp(mean negative log-likelihood).\n"
    "With --tokens the ids are used as they are (no tokenizer), so results can be compared with\n"
    "other implementations exactly.\n\n"
    "Options:\n"
    "  -m, --model FILE   the GGUF model (default: the built-in demo model)\n"
    "  -f, --file TEXT    a UTF-8 text file (tokenized with the model's tokenizer, with BOS)\n"
    "  --tokens FILE      a file of whitespace-separated token ids\n"
    "  -c, --ctx N        the window in tokens (default 512, at most the model's context)\n"
    "  --chunks N         score at most N chunks (default: all)\n"
    "  -t, --threads N    threads (default: physical cores)\n"
    "  --q8-head          re-quantize an F16 output head to Q8_0 at load time\n";

} // namespace

int run_perplexity(std::span<char* const> args) {
    try {
        ArgReader in("perplexity", args);
        std::string text_path, tokens_path;
        int window = 512;
        int max_chunks = 0;
        ModelFlags flags;
        while (in.next()) {
            if (in.is("-h", "--help")) {
                std::printf("%s", kHelp);
                return kExitOk;
            } else if (flags.parse(in)) {
            } else if (in.is("-f", "--file")) {
                text_path = in.value();
            } else if (in.is("--tokens")) {
                tokens_path = in.value();
            } else if (in.is("-c", "--ctx")) {
                window = in.int_value(2, 1 << 20);
            } else if (in.is("--chunks")) {
                max_chunks = in.int_value(1, 1 << 30);
            } else {
                in.unknown();
            }
        }
        if (text_path.empty() == tokens_path.empty()) throw UsageError{"give exactly one of -f TEXT and --tokens FILE"};
        const std::string model_path = flags.path_or_demo();
        auto model = load_model(model_path, flags.load);
        if (window > model->info().train_context_length) {
            throw UsageError{"-c " + std::to_string(window) + " exceeds the model's context of " +
                             std::to_string(model->info().train_context_length)};
        }
        if (window > model->info().context_length) {
            flags.load.context_length = window;
            model = load_model(model_path, flags.load, true);
        }
        std::vector<engine::Token> tokens;
        if (!tokens_path.empty()) {
            tokens = read_token_file(tokens_path);
        } else {
            const auto& tok = model->tokenizer();
            tokens = tok.encode(read_text_file(text_path), tok.bos() >= 0, false);
        }
        if (tokens.size() < 2) {
            throw engine::Error("need at least 2 tokens to score, got " + std::to_string(tokens.size()));
        }
        engine::Session session(model);
        double nll = 0;
        std::size_t scored = 0;
        int chunks = 0;
        const auto start = std::chrono::steady_clock::now();
        const auto w = static_cast<std::size_t>(window);
        for (std::size_t begin = 0; begin + 1 < tokens.size(); begin += w) {
            if (max_chunks > 0 && chunks >= max_chunks) {
                break;
            }
            const std::size_t n = std::min(w, tokens.size() - begin);
            if (n < 2) {
                break;
            }
            const std::span<const engine::Token> chunk(tokens.data() + begin, n);
            session.reset();
            double chunk_nll = 0;
            session.evaluate(chunk, [&](std::size_t i, std::span<const float> logits) {
                if (i + 1 >= n) {
                    return;
                }
                double max = logits[0];
                for (float l : logits) {
                    max = std::max(max, static_cast<double>(l));
                }
                double sum = 0;
                for (float l : logits) {
                    sum += std::exp(static_cast<double>(l) - max);
                }
                const auto target = static_cast<std::size_t>(chunk[i + 1]);
                chunk_nll += -(static_cast<double>(logits[target]) - max - std::log(sum));
            });
            nll += chunk_nll;
            scored += n - 1;
            ++chunks;
            std::fprintf(stderr, "[%d] %.4f\n", chunks, std::exp(nll / static_cast<double>(scored)));
        }
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("perplexity: %.4f over %zu predictions in %d chunks of up to %d tokens (%.1f tokens/s)\n",
                    std::exp(nll / static_cast<double>(scored)), scored, chunks, window,
                    static_cast<double>(scored + static_cast<std::size_t>(chunks)) / secs);
        return kExitOk;
    } catch (const UsageError& e) {
        return usage_error("perplexity", e.message);
    }
}

} // namespace tern::cli
