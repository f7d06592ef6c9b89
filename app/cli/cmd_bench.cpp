// tern-cli bench: prompt and generation speed, against the machine's memory bandwidth measured in
// the same run (decoding reads every weight once per token, so bandwidth is its limit).
#include "cli_options.h"
#include "command.h"

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
    "  - the memory read bandwidth of T threads (a pass over a buffer larger than the caches);\n"
    "  - the ratio of generation speed to its bandwidth limit: tokens/s x bytes of weights read per\n"
    "    token / bandwidth (1.0 = every byte of weights streamed at the measured bandwidth).\n\n"
    "Options:\n"
    "  -m, --model FILE   the GGUF model (tern-cli synth makes one with real shapes)\n"
    "  -p N               prompt tokens (default 512; 0 skips the prompt test)\n"
    "  -n N               generated tokens (default 128; 0 skips the generation test)\n"
    "  -t, --threads T    threads (default: physical cores); a list like 1,2 runs each\n"
    "  -r N               repetitions (default 5)\n"
    "  --q8-head          re-quantize an F16 output head to Q8_0 at load time\n";

struct Summary {
    double median = 0, min = 0, max = 0;
};

Summary summarize(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    Summary s;
    if (v.empty()) {
        return s;
    }
    const std::size_t n = v.size();
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    s.min = v.front();
    s.max = v.back();
    return s;
}

using clock_type = std::chrono::steady_clock;
double since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

// Read bandwidth of `threads` threads over `bytes` (each thread sums its own slice).
double measure_bandwidth(int threads, std::size_t bytes) {
    const std::size_t words = bytes / 8;
    std::unique_ptr<std::uint64_t[]> buffer(new std::uint64_t[words]);
    // Fill in parallel, so each slice's pages belong near the thread that reads them.
    auto slice = [&](int t, auto&& fn) {
        const std::size_t begin = words * static_cast<std::size_t>(t) / static_cast<std::size_t>(threads);
        const std::size_t end = words * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(threads);
        fn(begin, end);
    };
    auto parallel = [&](auto&& fn) {
        std::vector<std::thread> pool;
        for (int t = 1; t < threads; ++t) {
            pool.emplace_back([&, t] { slice(t, fn); });
        }
        slice(0, fn);
        for (auto& th : pool) {
            th.join();
        }
    };
    parallel([&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            buffer[i] = i * 0x9E3779B97F4A7C15ull;
        }
    });
    std::vector<std::uint64_t> sinks(static_cast<std::size_t>(threads));
    double best = 0;
    for (int pass = 0; pass < 5; ++pass) {
        const auto start = clock_type::now();
        std::vector<std::thread> pool;
        auto reader = [&](int t) {
            slice(t, [&](std::size_t b, std::size_t e) {
                std::uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
                std::size_t i = b;
                for (; i + 8 <= e; i += 8) {
                    a0 += buffer[i]; a1 += buffer[i + 1]; a2 += buffer[i + 2]; a3 += buffer[i + 3];
                    a4 += buffer[i + 4]; a5 += buffer[i + 5]; a6 += buffer[i + 6]; a7 += buffer[i + 7];
                }
                for (; i < e; ++i) {
                    a0 += buffer[i];
                }
                sinks[static_cast<std::size_t>(t)] += a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
            });
        };
        for (int t = 1; t < threads; ++t) {
            pool.emplace_back(reader, t);
        }
        reader(0);
        for (auto& th : pool) {
            th.join();
        }
        const double secs = since(start);
        best = std::max(best, static_cast<double>(words * 8) / secs);
    }
    volatile std::uint64_t keep = 0;
    for (auto s : sinks) {
        keep = keep + s;
    }
    (void)keep;
    return best;
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

        for (int threads : thread_counts) {
            engine::LoadOptions load;
            load.threads = threads;
            load.requantize_output_to_q8_0 = q8_head;
            const int need = std::max(prompt, 16 + generate) + 1;
            // Load to first token, warm (the page cache holds the file after the first run):
            // map, check, start threads, and evaluate a short prompt.
            double first_token = 0;
            {
                const auto start = clock_type::now();
                auto fresh = engine::Model::load(model_path, load);
                engine::Session s(fresh);
                const std::vector<engine::Token> t = {1, 2, 3, 4, 5, 6, 7, 8};
                s.evaluate(t, nullptr);
                first_token = since(start);
            }
            const auto load_start = clock_type::now();
            auto model = load_model(model_path, load);
            const double load_secs = since(load_start);
            if (need > model->info().context_length) {
                load.context_length = std::min(need, model->info().train_context_length);
                model = load_model(model_path, load, true);
            }
            const auto& info = model->info();
            std::mt19937 rng(1234);
            std::uniform_int_distribution<int> pick(0, info.vocab_size - 1);
            auto random_tokens = [&](int n) {
                std::vector<engine::Token> t(static_cast<std::size_t>(n));
                for (auto& x : t) x = pick(rng);
                return t;
            };
            engine::Session session(model);

            std::vector<double> prompt_rates, gen_rates;
            for (int r = 0; r < reps && prompt > 0; ++r) {
                const auto tokens = random_tokens(prompt);
                session.reset();
                const auto start = clock_type::now();
                session.evaluate(tokens, nullptr);
                prompt_rates.push_back(prompt / since(start));
            }
            for (int r = 0; r < reps && generate > 0; ++r) {
                auto tokens = random_tokens(16);
                session.reset();
                session.evaluate(tokens, nullptr);
                const auto start = clock_type::now();
                for (int i = 0; i < generate; ++i) {
                    tokens.push_back(pick(rng));
                    session.evaluate(tokens, nullptr); // reuses the cache: one new position
                }
                gen_rates.push_back(generate / since(start));
            }
            const std::uint64_t peak_rss = engine::peak_resident_memory();
            const std::size_t bw_bytes = std::size_t{1} << 30;
            const double bandwidth = measure_bandwidth(info.threads, bw_bytes);
            const auto p = summarize(prompt_rates);
            const auto g = summarize(gen_rates);
            const double bytes = static_cast<double>(info.weight_bytes_per_token);
            std::printf("threads %d | %s | %s weights, %s head | kernels %s\n", info.threads, info.name.c_str(),
                        info.weight_type.c_str(), info.output_type.c_str(), info.kernel_variant.c_str());
            std::printf("  load %.3f s, load to first token (warm) %.3f s\n", load_secs, first_token);
            if (prompt > 0) {
                std::printf("  prompt %d tokens:  median %.2f tokens/s  (min %.2f, max %.2f, %d runs)\n", prompt,
                            p.median, p.min, p.max, reps);
            }
            if (generate > 0) {
                std::printf("  generate %d tokens: median %.2f tokens/s  (min %.2f, max %.2f, %d runs)\n", generate,
                            g.median, g.min, g.max, reps);
                const double limit = bandwidth / bytes;
                std::printf("  weights read per token %.1f MB, read bandwidth %.2f GB/s -> limit %.2f tokens/s\n",
                            bytes / 1e6, bandwidth / 1e9, limit);
                std::printf("  generation at %.0f%% of the bandwidth limit\n", 100.0 * g.median / limit);
            }
            if (prompt > 0 && generate > 0) {
                std::printf("  prompt / generation speed ratio: %.2f\n", p.median / g.median);
            }
            std::printf("  peak resident memory %.1f MB (file %.1f MB, KV cache %.1f MB)\n",
                        static_cast<double>(peak_rss) / 1e6, static_cast<double>(info.file_size) / 1e6,
                        static_cast<double>(session.kv_cache_bytes()) / 1e6);
            std::fflush(stdout);
        }
        return kExitOk;
    } catch (const UsageError& e) {
        return usage_error("bench", e.message);
    }
}

} // namespace tern::cli
