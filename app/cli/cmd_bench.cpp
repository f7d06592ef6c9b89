// tern-cli bench: prompt and generation speed, against the machine's memory bandwidth measured in
// the same run (decoding reads every weight once per token, so bandwidth is its limit).
#include "cli_options.h"
#include "command.h"

#include "tern/kernels/bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <thread>
#include <vector>

namespace tern::cli {

namespace {

constexpr const char* kHelp =
    "Usage: tern-cli bench -m FILE [-p 512] [-n 128] [-t T] [-r 5] [--q8-head]\n\n"
    "Measures, over R repetitions each (median and spread reported):\n"
    "  - prompt processing: P random tokens from an empty context, in tokens/s;\n"
    "  - generation: N tokens decoded one by one after a 16-token prompt, in tokens/s;\n"
    "  - the memory read bandwidth of T threads, right after the generation runs (passes over a\n"
    "    1 GiB buffer, prefetching ahead as the kernels do);\n"
    "  - the ratio of generation speed to its bandwidth limit: tokens/s x bytes of weights read per\n"
    "    token / bandwidth (1.0 = every byte of weights streamed at the measured bandwidth).\n\n"
    "Options:\n"
    "  -m, --model FILE   the GGUF model (tern-cli synth makes one with real shapes)\n"
    "  -p N               prompt tokens (default 512; 0 skips the prompt test)\n"
    "  -n N               generated tokens (default 128; 0 skips the generation test)\n"
    "  -t, --threads T    threads (default: physical cores); a list like 1,2 runs each\n"
    "  -r N               repetitions (default 5)\n"
    "  --q8-head          re-quantize an F16 output head to Q8_0 at load time\n";

using clock_type = std::chrono::steady_clock;
double since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

// Read bandwidth of `threads` threads, one figure per pass over a buffer far larger than the
// caches (the same prefetching read the kernel benchmarks compare against).
std::vector<double> measure_bandwidth(int threads, int passes) {
    const std::size_t bytes = std::size_t{1} << 30;
    std::unique_ptr<std::uint8_t[]> buffer(new std::uint8_t[bytes]);
    std::memset(buffer.get(), 0x5a, bytes);
    kernels::time_read_pass(buffer.get(), bytes, threads); // warm-up: page tables, clock speed
    std::vector<double> rates;
    for (int p = 0; p < passes; ++p) {
        rates.push_back(static_cast<double>(bytes) / kernels::time_read_pass(buffer.get(), bytes, threads));
    }
    return rates;
}

} // namespace

int run_bench(std::span<char* const> args) {
    try {
        ArgReader in("bench", args);
        std::string model_path;
        int prompt = 512, generate = 128, reps = 5;
        std::vector<int> thread_counts;
        bool q8_head = false;
        while (in.next()) {
            if (in.is("-h", "--help")) {
                std::printf("%s", kHelp);
                return kExitOk;
            } else if (in.is("-m", "--model")) {
                model_path = in.value();
            } else if (in.is("-p")) {
                prompt = in.int_value(0, 1 << 16);
            } else if (in.is("-n")) {
                generate = in.int_value(0, 1 << 16);
            } else if (in.is("-r")) {
                reps = in.int_value(1, 1000);
            } else if (in.is("-t", "--threads")) {
                for (auto t : parse_token_list(in.value(), "-t")) {
                    if (t < 1 || t > 1024) throw UsageError{"-t: thread counts must be 1 to 1024"};
                    thread_counts.push_back(t);
                }
            } else if (in.is("--q8-head")) {
                q8_head = true;
            } else {
                in.unknown();
            }
        }
        if (model_path.empty()) throw UsageError{"-m FILE is required"};
        if (thread_counts.empty()) thread_counts.push_back(0);

        kernels::set_bench_clock(kernels::BenchClock::wall);
        for (int threads : thread_counts) {
            engine::LoadOptions load;
            load.threads = threads;
            load.requantize_output_to_q8_0 = q8_head;
            const int need = std::max(prompt, 16 + generate) + 1;
            // Peak memory of this thread count alone, not of the runs before it.
            const bool peak_is_own = engine::reset_peak_resident_memory();
            // Load to first token, warm: map, check, start threads, evaluate a short prompt. The
            // first load fills the page cache; the median of the next three is reported.
            std::vector<double> first_token;
            for (int r = 0; r < 4; ++r) {
                const auto start = clock_type::now();
                auto fresh = engine::Model::load(model_path, load);
                engine::Session s(fresh);
                const std::vector<engine::Token> t = {1, 2, 3, 4, 5, 6, 7, 8};
                s.evaluate(t, nullptr);
                if (r > 0) first_token.push_back(since(start));
            }
            const auto load_start = clock_type::now();
            auto model = load_model(model_path, load);
            const double load_secs = since(load_start);
            if (need > model->info().context_length) {
                load.context_length = std::min(need, model->info().train_context_length);
                model = load_model(model_path, load, true);
            }
            const auto info = model->info();
            std::mt19937 rng(1234);
            std::uniform_int_distribution<int> pick(0, info.vocab_size - 1);
            auto random_tokens = [&](int n) {
                std::vector<engine::Token> t(static_cast<std::size_t>(n));
                for (auto& x : t) x = pick(rng);
                return t;
            };
            auto session = std::make_unique<engine::Session>(model);

            std::vector<double> prompt_rates, gen_rates;
            for (int r = 0; r < reps && prompt > 0; ++r) {
                const auto tokens = random_tokens(prompt);
                session->reset();
                const auto start = clock_type::now();
                session->evaluate(tokens, nullptr);
                prompt_rates.push_back(prompt / since(start));
            }
            for (int r = 0; r < reps && generate > 0; ++r) {
                auto tokens = random_tokens(16);
                session->reset();
                session->evaluate(tokens, nullptr);
                const auto start = clock_type::now();
                for (int i = 0; i < generate; ++i) {
                    tokens.push_back(pick(rng));
                    session->evaluate(tokens, nullptr); // reuses the cache: one new position
                }
                gen_rates.push_back(generate / since(start));
            }
            const std::uint64_t peak_rss = engine::peak_resident_memory();
            const std::size_t kv_bytes = session->kv_cache_bytes();
            // Free the model before the bandwidth buffer exists, so neither inflates the other's
            // memory; the bandwidth is measured right after the generation runs.
            session.reset();
            model.reset();
            const auto bandwidth = kernels::summarize(measure_bandwidth(info.threads, std::max(reps, 3)));
            const auto p = kernels::summarize(prompt_rates);
            const auto g = kernels::summarize(gen_rates);
            const auto ftt = kernels::summarize(first_token);
            const double bytes = static_cast<double>(info.weight_bytes_per_token);
            std::printf("threads %d | %s | %s weights, %s head | kernels %s\n", info.threads, info.name.c_str(),
                        info.weight_type.c_str(), info.output_type.c_str(), info.kernel_variant.c_str());
            std::printf("  load %.3f s, load to first token (warm) median %.3f s (min %.3f, max %.3f, 3 runs)\n",
                        load_secs, ftt.median, ftt.min, ftt.max);
            if (prompt > 0) {
                std::printf("  prompt %d tokens:  median %.2f tokens/s  (min %.2f, max %.2f, %d runs)\n", prompt,
                            p.median, p.min, p.max, reps);
            }
            if (generate > 0) {
                std::printf("  generate %d tokens: median %.2f tokens/s  (min %.2f, max %.2f, %d runs)\n", generate,
                            g.median, g.min, g.max, reps);
                const double limit = bandwidth.median / bytes;
                std::printf("  weights read per token %.1f MB, read bandwidth median %.2f GB/s (min %.2f, max %.2f)"
                            " -> limit %.2f tokens/s\n",
                            bytes / 1e6, bandwidth.median / 1e9, bandwidth.min / 1e9, bandwidth.max / 1e9, limit);
                std::printf("  generation at %.0f%% of the bandwidth limit\n", 100.0 * g.median / limit);
            }
            if (prompt > 0 && generate > 0) {
                std::printf("  prompt / generation speed ratio: %.2f\n", p.median / g.median);
            }
            std::printf("  peak resident memory %.1f MB%s (file %.1f MB, KV cache %.1f MB)\n",
                        static_cast<double>(peak_rss) / 1e6, peak_is_own ? "" : " since the process started",
                        static_cast<double>(info.file_size) / 1e6, static_cast<double>(kv_bytes) / 1e6);
            std::fflush(stdout);
        }
        return kExitOk;
    } catch (const UsageError& e) {
        return usage_error("bench", e.message);
    }
}

} // namespace tern::cli
