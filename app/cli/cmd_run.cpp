// tern-cli run: complete a prompt (no chat template), streaming the text to stdout.
#include "cli_options.h"
#include "command.h"


#include "tern/engine/tokenizer.h"

#include <csignal>
#include <cstdio>

namespace tern::cli {

namespace {

constexpr const char* kHelp =
    "Usage: tern-cli run [-m FILE] -p TEXT [options]\n\n"
    "Continues TEXT with the model (plain completion; `tern-cli chat` applies the chat template)\n"
    "and prints the continuation as it is generated. Figures go to stderr.\n\n"
    "Options:\n"
    "  -m, --model FILE      the GGUF model (default: the built-in demo model)\n"
    "  -p, --prompt TEXT     the text to continue\n"
    "  -f, --file FILE       read the prompt from a file\n"
    "  --tokens LIST         the prompt as token ids instead (e.g. 1,450,4996)\n"
    "  -t, --threads N       threads (default: physical cores)\n"
    "  -c, --ctx N           context length (default: the model's, at most 4096)\n"
    "  --ignore-eos          keep going past end-of-text tokens\n"
    "  --q8-head             re-quantize an F16 output head to Q8_0 at load time\n";

engine::Session* g_session = nullptr;
extern "C" void tern_run_on_interrupt(int) {
    if (g_session != nullptr) {
        g_session->cancel(); // an atomic store: safe in a signal handler
    }
}

} // namespace

int run_run(std::span<char* const> args) {
    try {
        ArgReader in("run", args);
        std::string prompt, prompt_file;
        std::vector<engine::Token> tokens;
        bool have_prompt = false;
        ModelFlags flags;
        engine::GenerateOptions gen = default_generation_options();
        while (in.next()) {
            if (in.is("-h", "--help")) {
                std::printf("%s%s", kHelp, kGenerationHelp);
                return kExitOk;
            } else if (flags.parse(in)) {
            } else if (in.is("-p", "--prompt")) {
                prompt = in.value();
                have_prompt = true;
            } else if (in.is("-f", "--file")) {
                prompt_file = in.value();
            } else if (in.is("--tokens")) {
                tokens = parse_token_list(in.value(), "--tokens");
            } else if (in.is("-c", "--ctx")) {
                flags.load.context_length = in.int_value(1, 1 << 24);
            } else if (in.is("--ignore-eos")) {
                gen.ignore_eos = true;
            } else if (!parse_generation_flag(in, gen)) {
                in.unknown();
            }
        }
        const int sources = (have_prompt ? 1 : 0) + (prompt_file.empty() ? 0 : 1) + (tokens.empty() ? 0 : 1);
        if (sources != 1) throw UsageError{"give exactly one of -p TEXT, -f FILE and --tokens LIST"};
        if (!prompt_file.empty()) {
            prompt = read_text_file(prompt_file);
        }
        try {
            engine::check_sampling_params(gen.sampling);
        } catch (const engine::Error& e) {
            throw UsageError{e.what()};
        }
        auto model = load_model(flags.path_or_demo(), flags.load);
        if (tokens.empty()) {
            const auto& tok = model->tokenizer();
            tokens = tok.encode(prompt, tok.bos() >= 0, false);
        }
        engine::Session session(model);
        g_session = &session;
        const auto previous = std::signal(SIGINT, tern_run_on_interrupt);
        const auto stats = session.generate(tokens, gen, [](std::string_view piece) {
            std::fwrite(piece.data(), 1, piece.size(), stdout);
            std::fflush(stdout);
        });
        std::signal(SIGINT, previous);
        g_session = nullptr;
        std::printf("\n");
        print_turn_stats(stats);
        return kExitOk;
    } catch (const UsageError& e) {
        return usage_error("run", e.message);
    }
}

} // namespace tern::cli
