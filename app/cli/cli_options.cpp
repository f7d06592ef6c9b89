#include "cli_options.h"

#include "command.h"

#include "tern/engine/data_paths.h"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace tern::cli {

bool ArgReader::next() {
    if (i_ + 1 >= args_.size()) {
        return false;
    }
    ++i_;
    return true;
}

std::string ArgReader::value() {
    if (i_ + 1 >= args_.size()) {
        throw UsageError{"option " + std::string(flag()) + " needs a value"};
    }
    ++i_;
    return args_[i_];
}

int ArgReader::int_value(int min, int max) {
    const std::string f(flag());
    const std::string v = value();
    int out = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || end != v.data() + v.size() || out < min || out > max) {
        throw UsageError{"option " + f + " needs a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", not '" + v + "'"};
    }
    return out;
}

std::uint64_t ArgReader::u64_value() {
    const std::string f(flag());
    const std::string v = value();
    std::uint64_t out = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || end != v.data() + v.size()) {
        throw UsageError{"option " + f + " needs a non-negative whole number, not '" + v + "'"};
    }
    return out;
}

double ArgReader::double_value() {
    const std::string f(flag());
    const std::string v = value();
    char* end = nullptr;
    errno = 0;
    const double out = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || errno != 0) {
        throw UsageError{"option " + f + " needs a number, not '" + v + "'"};
    }
    return out;
}

void ArgReader::unknown() const {
    throw UsageError{"unknown option '" + std::string(flag()) + "' (see tern-cli " + std::string(command_) +
                     " --help)"};
}

std::vector<engine::Token> parse_token_list(std::string_view text, const std::string& what) {
    std::vector<engine::Token> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            ++i;
            continue;
        }
        std::int32_t v = 0;
        const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), v);
        if (ec != std::errc() || v < 0) {
            std::size_t j = i;
            while (j < text.size() && text[j] != ',' && text[j] != ' ' && text[j] != '\n') {
                ++j;
            }
            throw UsageError{what + ": '" + std::string(text.substr(i, j - i)) +
                             "' is not a token id (non-negative whole number)"};
        }
        out.push_back(v);
        i = static_cast<std::size_t>(end - text.data());
    }
    if (out.empty()) {
        throw UsageError{what + ": no token ids"};
    }
    return out;
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw engine::Error(path + ": cannot open");
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<engine::Token> read_token_file(const std::string& path) {
    return parse_token_list(read_text_file(path), path);
}

int usage_error(std::string_view command, const std::string& message) {
    std::fprintf(stderr, "tern-cli %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 message.c_str());
    return kExitUsage;
}

const char* const kGenerationHelp =
    "  -n N                  tokens to generate (default 256; -1: until the end of text)\n"
    "  --temp T              temperature (default 0.8; 0: greedy)\n"
    "  --top-k K             keep the K most likely tokens (default 40; 0: off)\n"
    "  --top-p P             keep the most likely tokens up to probability P (default 0.95; 1: off)\n"
    "  --min-p P             drop tokens below P x the top probability (default 0.05; 0: off)\n"
    "  --repeat-penalty R    penalize recently seen tokens (default 1.0: off)\n"
    "  --repeat-last-n N     how many recent tokens the penalties look at (default 64)\n"
    "  --presence-penalty P  subtract P from seen tokens' logits (default 0: off)\n"
    "  --seed N              random seed; the same seed gives the same text (default 0)\n"
    "  --stop TEXT           stop when TEXT is generated (repeatable; TEXT is not printed)\n";

engine::GenerateOptions default_generation_options() {
    engine::GenerateOptions g;
    g.max_tokens = 256;
    g.sampling.repetition_penalty = 1.0f;
    return g;
}

bool parse_generation_flag(ArgReader& in, engine::GenerateOptions& g) {
    if (in.is("-n", "--n-predict")) {
        g.max_tokens = in.int_value(-1, 1 << 24);
    } else if (in.is("--temp")) {
        g.sampling.temperature = static_cast<float>(in.double_value());
    } else if (in.is("--top-k")) {
        g.sampling.top_k = in.int_value(0, 1 << 24);
    } else if (in.is("--top-p")) {
        g.sampling.top_p = static_cast<float>(in.double_value());
    } else if (in.is("--min-p")) {
        g.sampling.min_p = static_cast<float>(in.double_value());
    } else if (in.is("--repeat-penalty")) {
        g.sampling.repetition_penalty = static_cast<float>(in.double_value());
    } else if (in.is("--repeat-last-n")) {
        g.sampling.penalty_last_n = in.int_value(0, 1 << 24);
    } else if (in.is("--presence-penalty")) {
        g.sampling.presence_penalty = static_cast<float>(in.double_value());
    } else if (in.is("--seed")) {
        g.sampling.seed = in.u64_value();
    } else if (in.is("--stop")) {
        g.stop_strings.push_back(in.value());
    } else {
        return false;
    }
    return true;
}

void print_turn_stats(const engine::TurnStats& st) {
    const char* reason = "end of text";
    switch (st.stop_reason) {
    case engine::StopReason::EndOfText: reason = "end of text"; break;
    case engine::StopReason::StopString: reason = "stop string"; break;
    case engine::StopReason::MaxTokens: reason = "token limit"; break;
    case engine::StopReason::Cancelled: reason = "cancelled"; break;
    case engine::StopReason::ContextFull: reason = "context full"; break;
    }
    std::fprintf(stderr,
                 "[prompt %d tokens (%d reused) at %.1f tokens/s | %d generated at %.1f tokens/s | "
                 "first token %.2f s | peak memory %.0f MB | stop: %s]\n",
                 st.prompt_tokens, st.reused_tokens, st.prompt_tokens_per_second, st.generated_tokens,
                 st.generation_tokens_per_second, st.time_to_first_token,
                 static_cast<double>(st.peak_resident_bytes) / 1e6, reason);
}

bool ModelFlags::parse(ArgReader& in) {
    if (in.is("-m", "--model")) {
        path = in.value();
    } else if (in.is("-t", "--threads")) {
        load.threads = in.int_value(1, 1024);
    } else if (in.is("--q8-head")) {
        load.requantize_output_to_q8_0 = true;
    } else {
        return false;
    }
    return true;
}

std::string ModelFlags::path_or_demo() const {
    return path.empty() ? engine::default_model_path().string() : path;
}

std::shared_ptr<engine::Model> load_model(const std::string& path, const engine::LoadOptions& options,
                                          bool quiet) {
    auto model = engine::Model::load(path, options);
    if (!quiet) {
        const auto& i = model->info();
        // Billions for real models, millions for the demo model and test models.
        const double params = static_cast<double>(i.parameters);
        const bool billions = params >= 1e9;
        std::fprintf(stderr, "model: %s (%s, %s weights, %s head, %.2f %s parameters, %d threads, %s kernels)\n",
                     i.name.c_str(), i.architecture.c_str(), i.weight_type.c_str(), i.output_type.c_str(),
                     billions ? params / 1e9 : params / 1e6, billions ? "B" : "M", i.threads,
                     i.kernel_variant.c_str());
    }
    return model;
}

} // namespace tern::cli
