#include "tern/kernels/bench.h"

#include "variants.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#endif
#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <time.h>
#endif

namespace tern::kernels {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<uint64_t> g_sink{0}; // keeps measured loops from being optimized away
std::atomic<BenchClock> g_clock{BenchClock::thread_cpu};

// CPU time consumed by the calling thread, in seconds.
double thread_cpu_seconds() {
#if defined(_WIN32)
    FILETIME created, exited, kernel, user;
    if (!GetThreadTimes(GetCurrentThread(), &created, &exited, &kernel, &user)) {
        return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
    }
    const auto ticks = [](const FILETIME& f) {
        return (static_cast<uint64_t>(f.dwHighDateTime) << 32) | f.dwLowDateTime;
    };
    return static_cast<double>(ticks(kernel) + ticks(user)) * 1e-7;
#else
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
#endif
}

// Runs work(t, n) on n threads at once and times it. The threads are started first and wait at
// a spinning start line, so thread creation is not timed (the engine's pool keeps its threads);
// the wall time runs from the start signal to the last thread's end.
template <typename F>
double timed_on_threads(int threads, F&& work) {
    const int n = threads > 1 ? threads : 1;
    std::vector<double> cpu(static_cast<std::size_t>(n), 0.0);
    std::vector<Clock::time_point> ends(static_cast<std::size_t>(n));
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    const auto run = [&](int t) {
        const double start = thread_cpu_seconds();
        work(t, n);
        cpu[static_cast<std::size_t>(t)] = thread_cpu_seconds() - start;
        ends[static_cast<std::size_t>(t)] = Clock::now();
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < n; ++t) {
        pool.emplace_back([&, t] {
            ready.fetch_add(1);
            while (!go.load(std::memory_order_acquire)) {
                std::this_thread::yield();
            }
            run(t);
        });
    }
    while (ready.load() != n - 1) {
        std::this_thread::yield();
    }
    const auto start = Clock::now();
    go.store(true, std::memory_order_release);
    run(0);
    for (auto& th : pool) {
        th.join();
    }
    const double wall =
        std::chrono::duration<double>(*std::max_element(ends.begin(), ends.end()) - start).count();
    if (g_clock.load() == BenchClock::wall) {
        return wall;
    }
    return *std::max_element(cpu.begin(), cpu.end());
}

// The read-bandwidth probe asks for data this far ahead of the line it reads. Without it a plain
// sequential read reached only about 60% of what the same core reaches with it (4.1 against
// 6.9 GB/s on the AVX-512 server this was tuned on), and the kernels, which do prefetch, would
// be compared against a limit below what they achieve.
constexpr std::size_t kProbePrefetchAhead = 4096;

inline void prefetch_line(const uint8_t* p) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
    _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
#else
    (void)p;
#endif
}

std::size_t split(std::size_t n, int part, int parts) {
    return n * static_cast<std::size_t>(part) / static_cast<std::size_t>(parts);
}

} // namespace

void set_bench_clock(BenchClock clock) {
    g_clock = clock;
}

BenchClock bench_clock() {
    return g_clock.load();
}

DecodeWorkingSet make_decode_working_set(std::size_t min_bytes) {
    struct Shape {
        std::size_t rows, k;
    };
    static const Shape block[] = {{2560, 2560}, {640, 2560},  {640, 2560}, {2560, 2560},
                                  {6912, 2560}, {6912, 2560}, {2560, 6912}};
    DecodeWorkingSet set;
    std::size_t total = 0;
    while (total < min_bytes) {
        for (const Shape& s : block) {
            // 64-byte aligned starts, as GGUF tensor data (alignment 32) nearly always is.
            set.matrices.push_back({total, s.rows, s.k});
            total += (s.rows * s.k / 4 + 32 + 63) / 64 * 64;
        }
    }
    set.bytes = total;
    set.data.reset(new uint8_t[total]);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (std::size_t i = 0; i + 8 <= total; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Valid codes only (0, 1, 2): clear the high bit of any 2-bit field that is 3.
        const uint64_t threes = x & (x >> 1) & 0x5555555555555555ull;
        const uint64_t v = x & ~(threes << 1);
        std::memcpy(set.data.get() + i, &v, 8);
    }
    set.act_2560.resize(2560);
    set.act_6912.resize(6912);
    for (std::size_t i = 0; i < set.act_6912.size(); ++i) {
        set.act_6912[i] = static_cast<int8_t>((i * 37) % 255 - 127);
        if (i < 2560) {
            set.act_2560[i] = static_cast<int8_t>((i * 91) % 255 - 127);
        }
    }
    return set;
}

double time_read_pass(const uint8_t* data, std::size_t bytes, int threads) {
    return timed_on_threads(threads, [&](int t, int n) {
        const std::size_t words = bytes / 8;
        const std::size_t begin = split(words, t, n) & ~std::size_t{7};
        const std::size_t end = t == n - 1 ? words : split(words, t + 1, n) & ~std::size_t{7};
        uint64_t a = 0, b = 0, c = 0, d = 0;
        for (std::size_t i = begin; i + 8 <= end; i += 8) {
            if (8 * i + kProbePrefetchAhead < 8 * end) {
                prefetch_line(data + 8 * i + kProbePrefetchAhead);
            }
            uint64_t w[8];
            std::memcpy(w, data + 8 * i, 64);
            a += w[0] ^ w[4];
            b += w[1] ^ w[5];
            c += w[2] ^ w[6];
            d += w[3] ^ w[7];
        }
        g_sink += a + b + c + d;
    });
}

double time_matvec_pass(const KernelTable& kernels, const DecodeWorkingSet& set, int threads) {
    return timed_on_threads(threads, [&](int t, int n) {
        float y[6912] = {};
        const int32_t sum = 0;
        for (const auto& m : set.matrices) {
            const int8_t* q = m.k == 2560 ? set.act_2560.data() : set.act_6912.data();
            // Whole rows per thread; an even split keeps the threads in step.
            const std::size_t begin = split(m.rows, t, n), end = split(m.rows, t + 1, n);
            kernels.i2s_matvec(set.data.get() + m.offset, m.k, begin, end, q, sum, 1.0f, y);
        }
        g_sink += static_cast<uint64_t>(y[0]);
    });
}

HeadMatrix make_head_matrix(HeadMatrix::Type type, std::size_t rows, std::size_t k) {
    HeadMatrix h;
    h.type = type;
    h.rows = rows;
    h.k = k;
    const std::size_t row_bytes = type == HeadMatrix::Type::f16 ? 2 * k : k / 32 * 34;
    h.bytes = rows * row_bytes;
    h.data.reset(new uint8_t[h.bytes]);
    uint64_t x = 0x2545f4914f6cdd1dull;
    for (std::size_t i = 0; i + 2 <= h.bytes; i += 2) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Finite halves of magnitude below 2 (exponent field never all ones); as Q8_0 bytes
        // these are arbitrary int8 values and block scales below 2.
        const auto v = static_cast<uint16_t>((x & 0x83ff) | 0x3800);
        std::memcpy(h.data.get() + i, &v, 2);
    }
    h.x.resize(k);
    for (std::size_t i = 0; i < k; ++i) {
        h.x[i] = static_cast<float>(static_cast<int>(i % 17) - 8) * 0.125f;
    }
    return h;
}

double time_head_pass(const KernelTable& kernels, const HeadMatrix& head, int threads) {
    std::vector<float> y(head.rows);
    const double s = timed_on_threads(threads, [&](int t, int n) {
        const std::size_t begin = split(head.rows, t, n), end = split(head.rows, t + 1, n);
        if (head.type == HeadMatrix::Type::f16) {
            kernels.f16_matvec(reinterpret_cast<const uint16_t*>(head.data.get()), head.k, begin,
                               end, head.x.data(), y.data());
        } else {
            kernels.q8_0_matvec(head.data.get(), head.k, begin, end, head.x.data(), y.data());
        }
    });
    g_sink += static_cast<uint64_t>(y[0] != 0.0f);
    return s;
}

double time_matmul(const KernelTable& kernels, const uint8_t* w, std::size_t m, std::size_t k,
                   const int8_t* q, std::size_t n, int threads) {
    std::vector<int32_t> sums(n, 0);
    std::vector<float> scales(n, 1.0f);
    std::vector<float> y(n * m);
    const double s = timed_on_threads(threads, [&](int t, int parts) {
        // Split on multiples of 16 rows so no thread gets a partial panel.
        const std::size_t begin = split(m / 16, t, parts) * 16;
        const std::size_t end = t == parts - 1 ? m : split(m / 16, t + 1, parts) * 16;
        kernels.i2s_matmul(w, k, begin, end, q, sums.data(), scales.data(), n, y.data(), m);
    });
    g_sink += static_cast<uint64_t>(y[0]);
    return s;
}

MacPeak measure_mac_peak(const KernelTable& kernels, int threads) {
    MacPeak peak;
    uint64_t (*loop)(uint64_t) = nullptr;
    const std::string name = kernels.name;
#if defined(TERN_HAVE_X86_KERNELS)
    if (name == "avx512-vnni") {
        peak.instruction = "vpdpbusd zmm";
        loop = detail::avx512_vnni_mac_loop;
    } else if (name == "avx512") {
        peak.instruction = "vpmaddubsw zmm";
        loop = detail::avx512_mac_loop;
    } else if (name == "avx2-vnni") {
        peak.instruction = "vpdpbusd ymm (AVX-VNNI)";
        loop = detail::avx2_vnni_mac_loop;
    } else if (name == "avx2") {
        peak.instruction = "vpmaddubsw ymm";
        loop = detail::avx2_mac_loop;
    }
#endif
#if defined(TERN_HAVE_ARM_KERNELS)
    if (name == "neon-dotprod") {
        peak.instruction = "sdot";
        loop = detail::neon_dotprod_mac_loop;
    } else if (name == "neon") {
        peak.instruction = "smull+smlal";
        loop = detail::neon_mac_loop;
    }
#endif
    if (loop == nullptr) {
        return peak;
    }
    const uint64_t iterations = 20'000'000;
    std::atomic<uint64_t> macs{0};
    const double s = timed_on_threads(threads, [&](int, int) { macs += loop(iterations); });
    peak.macs_per_second = static_cast<double>(macs.load()) / s;
    return peak;
}

Summary summarize(std::vector<double> values) {
    Summary s;
    if (values.empty()) {
        return s;
    }
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    s.min = values.front();
    s.max = values.back();
    return s;
}

} // namespace tern::kernels
