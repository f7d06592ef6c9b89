// tern-cli logits: raw float32 logits of every position, for comparisons with other implementations.
#include "cli_options.h"
#include "command.h"


#include <cstdio>
#include <fstream>

namespace tern::cli {

namespace {

constexpr const char* kHelp =
    "Usage: tern-cli logits -m FILE (--tokens 1,2,3 | --tokens-file FILE) -o OUT [-t N]\n\n"
    "Runs the token ids through the model and writes the logits of every position to OUT as raw\n"
    "little-endian float32: one row of vocabulary-size values per token, in order. No tokenizer\n"
    "is involved, so the result can be compared with any other implementation.\n\n"
    "Options:\n"
    "  -m, --model FILE     the GGUF model (default: the built-in demo model)\n"
    "  --tokens LIST        token ids separated by commas or spaces\n"
    "  --tokens-file FILE   a file of whitespace-separated token ids\n"
    "  -o, --output OUT     where to write the logits\n"
    "  -t, --threads N      threads (default: physical cores)\n"
    "  --q8-head            re-quantize an F16 output head to Q8_0 at load time\n";

} // namespace

int run_logits(std::span<char* const> args) {
    try {
        ArgReader in("logits", args);
        std::string output;
        std::vector<engine::Token> tokens;
        ModelFlags flags;
        while (in.next()) {
            if (in.is("-h", "--help")) {
                std::printf("%s", kHelp);
                return kExitOk;
            } else if (flags.parse(in)) {
            } else if (in.is("--tokens")) {
                tokens = parse_token_list(in.value(), "--tokens");
            } else if (in.is("--tokens-file")) {
                tokens = read_token_file(in.value());
            } else if (in.is("-o", "--output")) {
                output = in.value();
            } else {
                in.unknown();
            }
        }
        if (tokens.empty()) throw UsageError{"--tokens or --tokens-file is required"};
        if (output.empty()) throw UsageError{"-o OUT is required"};
        const std::string model_path = flags.path_or_demo();
        auto model = load_model(model_path, flags.load, true);
        if (static_cast<int>(tokens.size()) > model->info().context_length) {
            flags.load.context_length = std::min<int>(static_cast<int>(tokens.size()), model->info().train_context_length);
            model = load_model(model_path, flags.load, true);
        }
        engine::Session session(model);
        std::ofstream out(output, std::ios::binary);
        if (!out) {
            throw engine::Error(output + ": cannot create");
        }
        session.evaluate(tokens, [&](std::size_t, std::span<const float> row) {
            out.write(reinterpret_cast<const char*>(row.data()), static_cast<std::streamsize>(row.size_bytes()));
        });
        out.close();
        if (!out) {
            throw engine::Error(output + ": write failed");
        }
        std::fprintf(stderr, "wrote %zu x %d logits to %s\n", tokens.size(), model->info().vocab_size,
                     output.c_str());
        return kExitOk;
    } catch (const UsageError& e) {
        return usage_error("logits", e.message);
    }
}

} // namespace tern::cli
