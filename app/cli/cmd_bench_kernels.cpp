// tern-cli bench-kernels: how close the I2_S kernels come to this machine's limits.
#include "command.h"

#include "tern/kernels/bench.h"
#include "tern/kernels/kernels.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace tern::cli {
namespace {

void print_usage(std::FILE* out) {
    std::fprintf(
        out, "Usage: tern-cli bench-kernels [--threads 1,2] [--runs N] [--working-set-mib N]\n"
             "                              [--no-matvec] [--no-head] [--no-matmul] [--wall]\n\n"
             "Measures, with the kernel variant chosen at start-up (TERN_CPU=... to force one):\n"
             "  - I2_S matrix-vector GB/s over distinct 2B4T weight matrices larger than the\n"
             "    last-level cache, next to the read bandwidth measured in the same run, and\n"
             "    their ratio (target >= 85%%);\n"
             "  - the same for the F16 and Q8_0 output head (128256 x 2560, 0.66 / 0.35 GB);\n"
             "  - I2_S matrix-matrix int8 multiply-accumulates per second at N = 128 and 512\n"
             "    tokens, next to the peak of the variant's instruction measured in the same\n"
             "    run with a tight loop, and their ratio (target >= 50%%).\n"
             "Figures are medians of the runs with [min-max]. Passes are timed by each\n"
             "thread's CPU time (the slowest thread), so time the OS gives to other programs\n"
             "is not counted; --wall times them by the clock instead. Needs about\n"
             "working-set MiB of memory (default 1024) and a few seconds per run.\n");
}

std::string fmt(const kernels::Summary& s, double scale, const char* format) {
    char buf[96];
    std::string out;
    std::snprintf(buf, sizeof buf, format, s.median * scale);
    out += buf;
    out += " [";
    std::snprintf(buf, sizeof buf, format, s.min * scale);
    out += buf;
    out += "-";
    std::snprintf(buf, sizeof buf, format, s.max * scale);
    out += buf;
    out += "]";
    return out;
}

bool parse_positive(std::string_view text, long& out) {
    char* end = nullptr;
    const std::string s(text);
    out = std::strtol(s.c_str(), &end, 10);
    return end != s.c_str() && *end == '\0' && out > 0;
}

// One line of a streaming benchmark: the read bandwidth over the same bytes and the kernel's GB/s,
// measured alternately `runs` times after one warm-up pass (page tables, clock speed).
template <typename Pass>
void print_stream_row(const char* type, int threads, long runs, const uint8_t* data,
                      std::size_t bytes, Pass&& pass) {
    std::vector<double> read, mv, ratio;
    pass();
    for (long r = 0; r < runs; ++r) {
        const double bw = static_cast<double>(bytes) / kernels::time_read_pass(data, bytes, threads);
        const double gb = static_cast<double>(bytes) / pass();
        read.push_back(bw);
        mv.push_back(gb);
        ratio.push_back(gb / bw);
    }
    std::printf("%-6s %-8d %-22s %-22s %s\n", type, threads,
                fmt(kernels::summarize(read), 1e-9, "%.1f").c_str(),
                fmt(kernels::summarize(mv), 1e-9, "%.1f").c_str(),
                fmt(kernels::summarize(ratio), 100.0, "%.0f%%").c_str());
}

} // namespace

int run_bench_kernels(std::span<char* const> args) {
    std::vector<int> threads = {1, 2};
    long runs = 5, working_set_mib = 1024;
    bool matvec = true, head = true, matmul = true;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const bool has_value = i + 1 < args.size();
        if (arg == "-h" || arg == "--help") {
            print_usage(stdout);
            return kExitOk;
        } else if (arg == "--threads" && has_value) {
            threads.clear();
            std::string list = args[++i];
            std::size_t pos = 0;
            while (pos <= list.size()) {
                const std::size_t comma = list.find(',', pos);
                const std::string item =
                    list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
                long n = 0;
                if (!parse_positive(item, n) || n > 256) {
                    std::fprintf(stderr,
                                 "tern-cli bench-kernels: --threads: '%s' is not a list "
                                 "of thread counts like 1,2\n",
                                 list.c_str());
                    return kExitUsage;
                }
                threads.push_back(static_cast<int>(n));
                if (comma == std::string::npos) {
                    break;
                }
                pos = comma + 1;
            }
        } else if (arg == "--runs" && has_value) {
            if (!parse_positive(args[++i], runs) || runs > 1000) {
                std::fprintf(stderr,
                             "tern-cli bench-kernels: --runs: '%s' is not a count "
                             "between 1 and 1000\n",
                             args[i]);
                return kExitUsage;
            }
        } else if (arg == "--working-set-mib" && has_value) {
            if (!parse_positive(args[++i], working_set_mib) || working_set_mib > 1 << 20) {
                std::fprintf(stderr,
                             "tern-cli bench-kernels: --working-set-mib: '%s' is not a "
                             "size in MiB\n",
                             args[i]);
                return kExitUsage;
            }
        } else if (arg == "--no-matvec") {
            matvec = false;
        } else if (arg == "--no-head") {
            head = false;
        } else if (arg == "--no-matmul") {
            matmul = false;
        } else if (arg == "--wall") {
            kernels::set_bench_clock(kernels::BenchClock::wall);
        } else {
            std::fprintf(stderr, "tern-cli bench-kernels: unknown option or missing value '%s'\n",
                         args[i]);
            print_usage(stderr);
            return kExitUsage;
        }
    }

    const kernels::KernelTable& k = kernels::kernels(); // throws on a bad TERN_CPU
    std::printf("Kernel variant: %s; timing: %s\n", k.name,
                kernels::bench_clock() == kernels::BenchClock::wall ? "wall clock"
                                                                    : "per-thread CPU time");

    if (matvec) {
        const auto set = kernels::make_decode_working_set(
            static_cast<std::size_t>(working_set_mib) * 1024 * 1024);
        std::printf("\nI2_S matvec over %.2f GB of distinct 2B4T matrices (%zu matrices), %ld "
                    "runs, median [min-max]:\n",
                    static_cast<double>(set.bytes) / 1e9, set.matrices.size(), runs);
        std::printf("%-6s %-8s %-22s %-22s %s\n", "type", "threads", "read GB/s", "matvec GB/s",
                    "matvec/read");
        for (int t : threads) {
            print_stream_row("I2_S", t, runs, set.data.get(), set.bytes,
                             [&] { return kernels::time_matvec_pass(k, set, t); });
        }
    }

    if (head) {
        std::printf("\nOutput head matvec, 128256 x 2560 (the 2B4T head), %ld runs, median "
                    "[min-max]:\n",
                    runs);
        std::printf("%-6s %-8s %-22s %-22s %s\n", "type", "threads", "read GB/s", "matvec GB/s",
                    "matvec/read");
        for (const auto type : {kernels::HeadMatrix::Type::f16, kernels::HeadMatrix::Type::q8_0}) {
            const auto h = kernels::make_head_matrix(type, 128256, 2560);
            for (int t : threads) {
                print_stream_row(type == kernels::HeadMatrix::Type::f16 ? "F16" : "Q8_0", t, runs,
                                 h.data.get(), h.bytes,
                                 [&] { return kernels::time_head_pass(k, h, t); });
            }
        }
    }

    if (matmul) {
        struct Shape {
            std::size_t m, k;
        };
        const Shape shapes[] = {{2560, 2560}, {640, 2560}, {6912, 2560}, {2560, 6912}};
        const kernels::MacPeak probe = kernels::measure_mac_peak(k, 1);
        std::printf("\nI2_S matmul, int8 multiply-accumulates per second (GMAC/s), peak of %s "
                    "measured in the same run, %ld runs, median [min-max]:\n",
                    probe.instruction.empty() ? "(none: scalar)" : probe.instruction.c_str(), runs);
        std::printf("%-11s %-5s %-8s %-22s %-22s %s\n", "shape", "N", "threads", "matmul GMAC/s",
                    "peak GMAC/s", "matmul/peak");
        std::vector<int8_t> q(512 * 6912);
        for (std::size_t i = 0; i < q.size(); ++i) {
            q[i] = static_cast<int8_t>((i * 53) % 255 - 127);
        }
        for (const Shape& s : shapes) {
            std::vector<uint8_t> w(s.m * s.k / 4 + 32);
            for (std::size_t i = 0; i < w.size(); ++i) {
                w[i] = static_cast<uint8_t>((i * 2654435761u) >> 13) & 0x55; // codes 0/1
            }
            for (std::size_t n : {std::size_t{128}, std::size_t{512}}) {
                for (int t : threads) {
                    std::vector<double> rate, peak, ratio;
                    const double macs = static_cast<double>(s.m * s.k * n);
                    for (long r = 0; r < runs; ++r) {
                        const double mm =
                            macs / kernels::time_matmul(k, w.data(), s.m, s.k, q.data(), n, t);
                        const double pk = kernels::measure_mac_peak(k, t).macs_per_second;
                        rate.push_back(mm);
                        peak.push_back(pk);
                        ratio.push_back(pk > 0 ? mm / pk : 0.0);
                    }
                    char shape[32];
                    std::snprintf(shape, sizeof shape, "%zux%zu", s.m, s.k);
                    std::printf("%-11s %-5zu %-8d %-22s %-22s %s\n", shape, n, t,
                                fmt(kernels::summarize(rate), 1e-9, "%.1f").c_str(),
                                fmt(kernels::summarize(peak), 1e-9, "%.1f").c_str(),
                                fmt(kernels::summarize(ratio), 100.0, "%.0f%%").c_str());
                }
            }
        }
    }
    return kExitOk;
}

} // namespace tern::cli
