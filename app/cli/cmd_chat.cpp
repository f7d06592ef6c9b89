// tern-cli chat: an interactive conversation in the terminal, with the model's chat template.
#include "cli_options.h"
#include "command.h"


#include "tern/engine/chat_template.h"
#include "tern/engine/tokenizer.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace tern::cli {

namespace {

constexpr const char* kHelp =
    "Usage: tern-cli chat [-m FILE] [options]\n\n"
    "Talk with the model: type a message and press Enter. Ctrl+C stops a reply; Ctrl+C at the\n"
    "prompt, Ctrl+D or /exit quits; /reset starts a new conversation. Each turn reuses the\n"
    "previous turns' KV cache, so only the new text is processed.\n\n"
    "Options:\n"
    "  -m, --model FILE      the GGUF model (default: the built-in demo model)\n"
    "  --system TEXT         a system message\n"
    "  --template NAME|JINJA force a chat template: 2b4t, llama3, falcon3, completion, or Jinja\n"
    "  -t, --threads N       threads (default: physical cores)\n"
    "  -c, --ctx N           context length (default: the model's, at most 4096)\n"
    "  --q8-head             re-quantize an F16 output head to Q8_0 at load time\n";

std::atomic<engine::Session*> g_generating{nullptr};
extern "C" void tern_chat_on_interrupt(int) {
    if (engine::Session* s = g_generating.load()) {
        s->cancel();
    } else {
        std::_Exit(130);
    }
}

} // namespace

int run_chat(std::span<char* const> args) {
    try {
        ArgReader in("chat", args);
        std::string system_prompt, template_override;
        ModelFlags flags;
        engine::GenerateOptions gen = default_generation_options();
        gen.max_tokens = -1;
        while (in.next()) {
            if (in.is("-h", "--help")) {
                std::printf("%s%s", kHelp, kGenerationHelp);
                return kExitOk;
            } else if (flags.parse(in)) {
            } else if (in.is("--system")) {
                system_prompt = in.value();
            } else if (in.is("--template")) {
                template_override = in.value();
            } else if (in.is("-c", "--ctx")) {
                flags.load.context_length = in.int_value(1, 1 << 24);
            } else if (!parse_generation_flag(in, gen)) {
                in.unknown();
            }
        }
        try {
            engine::check_sampling_params(gen.sampling);
        } catch (const engine::Error& e) {
            throw UsageError{e.what()};
        }
        auto model = load_model(flags.path_or_demo(), flags.load);
        const auto& tok = model->tokenizer();
        const auto chat_template =
            engine::ChatTemplate::for_model(model->chat_template(), model->info().architecture, &tok,
                                            template_override);
        std::fprintf(stderr, "chat template: %s. Ctrl+C stops a reply; /exit quits.\n",
                     chat_template.name().c_str());
        engine::Session session(model);
        std::vector<engine::ChatMessage> messages;
        if (!system_prompt.empty()) {
            messages.push_back({"system", system_prompt});
        }
        std::signal(SIGINT, tern_chat_on_interrupt);
        std::string line;
        for (;;) {
            std::fprintf(stdout, "\n> ");
            std::fflush(stdout);
            if (!std::getline(std::cin, line) || line == "/exit") {
                break;
            }
            if (line == "/reset") {
                messages.resize(system_prompt.empty() ? 0 : 1);
                std::fprintf(stderr, "(new conversation)\n");
                continue;
            }
            if (line.empty()) {
                continue;
            }
            messages.push_back({"user", line});
            const auto prompt = chat_template.render_tokens(tok, messages);
            std::string reply;
            g_generating.store(&session);
            engine::TurnStats stats;
            try {
                stats = session.generate(prompt, gen, [&](std::string_view piece) {
                    reply += piece;
                    std::fwrite(piece.data(), 1, piece.size(), stdout);
                    std::fflush(stdout);
                });
            } catch (const engine::Error& e) {
                g_generating.store(nullptr);
                std::fprintf(stderr, "\nerror: %s\n", e.what());
                messages.pop_back();
                continue;
            }
            g_generating.store(nullptr);
            std::printf("\n");
            print_turn_stats(stats);
            messages.push_back({"assistant", reply});
        }
        return kExitOk;
    } catch (const UsageError& e) {
        return usage_error("chat", e.message);
    }
}

} // namespace tern::cli
