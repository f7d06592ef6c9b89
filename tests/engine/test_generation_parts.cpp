// The generation loop's parts on their own: the text stream (UTF-8, stop strings), the sampler,
// and the thread pool.
#include "generate/sampler.h"
#include "generate/text_stream.h"
#include "runtime/memory_stats.h"
#include "runtime/thread_pool.h"
#include "tern/engine/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <vector>

namespace {

using namespace tern::engine;

std::vector<std::string> stream_pieces(const std::vector<std::string>& tokens,
                                       const std::vector<std::string>& stops, bool* stopped = nullptr) {
    std::vector<std::string> out;
    TextStream s(stops, [&](std::string_view p) { out.emplace_back(p); });
    bool stop = false;
    for (const auto& t : tokens) {
        if (s.push(t)) {
            stop = true;
            break;
        }
    }
    s.finish();
    if (stopped) {
        *stopped = stop;
    }
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x;
    return s;
}

TEST(TextStream, NeverSplitsAUtf8Character) {
    // "é" (C3 A9) and "€" (E2 82 AC) split across tokens, as byte-fallback tokens do.
    const auto pieces = stream_pieces({"a\xC3", "\xA9", "\xE2", "\x82", "\xAC!"}, {});
    EXPECT_EQ(join(pieces), "a\xC3\xA9\xE2\x82\xAC!");
    for (const auto& p : pieces) {
        EXPECT_EQ(TextStream::complete_utf8_prefix(p), p.size()) << p;
    }
}

TEST(TextStream, IncompleteTailBecomesReplacementCharacter) {
    EXPECT_EQ(join(stream_pieces({"ok", "\xE2\x82"}, {})), "ok\xEF\xBF\xBD");
}

TEST(TextStream, StopStringsAreHeldBackAndNotEmitted) {
    bool stopped = false;
    const auto pieces = stream_pieces({"Hello", " Us", "er:", " more"}, {"User:"}, &stopped);
    EXPECT_TRUE(stopped);
    EXPECT_EQ(join(pieces), "Hello ");
    // A partial match that does not complete is released.
    EXPECT_EQ(join(stream_pieces({"Hello", " Us", "ed"}, {"User:"}, &stopped)), "Hello Used");
    EXPECT_FALSE(stopped);
    // The earliest of several stop strings wins.
    EXPECT_EQ(join(stream_pieces({"abcXYdefZ"}, {"Z", "XY"})), "abc");
}

TEST(Sampler, GreedyTopKOneAndPenalties) {
    const std::vector<float> logits = {0.1f, 2.0f, 1.9f, -1.0f};
    SamplingParams greedy;
    greedy.temperature = 0;
    greedy.repetition_penalty = 1;
    Sampler g(greedy);
    EXPECT_EQ(g.sample(logits, {}), 1);
    SamplingParams k1;
    k1.top_k = 1;
    k1.temperature = 5;
    k1.repetition_penalty = 1;
    Sampler s(k1);
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(s.sample(logits, {}), 1);
    }
    // A repetition penalty on token 1 lets token 2 win under greedy decoding.
    SamplingParams pen = greedy;
    pen.repetition_penalty = 1.5f;
    Sampler p(pen);
    const std::vector<Token> recent = {1};
    EXPECT_EQ(p.sample(logits, recent), 2);
    SamplingParams pres = greedy;
    pres.presence_penalty = 0.5f;
    Sampler q(pres);
    EXPECT_EQ(q.sample(logits, recent), 2);
}

TEST(Sampler, SeedDeterminesTheSequenceAndDistributionIsRight) {
    const std::vector<float> logits = {0.0f, std::log(3.0f)}; // p = 0.25, 0.75
    SamplingParams sp;
    sp.temperature = 1;
    sp.top_k = 0;
    sp.top_p = 1;
    sp.min_p = 0;
    sp.repetition_penalty = 1;
    sp.seed = 99;
    Sampler a(sp), b(sp);
    int ones = 0;
    for (int i = 0; i < 4000; ++i) {
        const Token x = a.sample(logits, {});
        EXPECT_EQ(x, b.sample(logits, {}));
        ones += x;
    }
    EXPECT_NEAR(ones / 4000.0, 0.75, 0.03);
    // top-p 0.5 keeps only the most likely token; min-p 0.5 removes the one at a third of it.
    sp.top_p = 0.5f;
    Sampler c(sp);
    sp.top_p = 1;
    sp.min_p = 0.5f;
    Sampler d(sp);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(c.sample(logits, {}), 1);
        EXPECT_EQ(d.sample(logits, {}), 1);
    }
}

TEST(Sampler, BadParametersAreErrors) {
    SamplingParams sp;
    sp.temperature = -1;
    EXPECT_THROW(Sampler{sp}, Error);
    sp = {};
    sp.top_p = 0;
    EXPECT_THROW(Sampler{sp}, Error);
    sp = {};
    sp.repetition_penalty = 0;
    EXPECT_THROW(Sampler{sp}, Error);
}

TEST(ThreadPool, EveryIndexOnceForAnySize) {
    for (int threads : {1, 2, 3, 5}) {
        ThreadPool pool(threads);
        for (std::size_t n : {0u, 1u, 7u, 16u, 100u, 1001u}) {
            for (std::size_t grain : {1u, 16u}) {
                std::vector<std::atomic<int>> hits(n);
                pool.parallel_for(n, grain, [&](std::size_t b, std::size_t e) {
                    for (std::size_t i = b; i < e; ++i) {
                        hits[i]++;
                    }
                });
                for (std::size_t i = 0; i < n; ++i) {
                    ASSERT_EQ(hits[i].load(), 1) << threads << " threads, n " << n << ", i " << i;
                }
            }
        }
        std::atomic<int> ran{0};
        pool.run([&](int, int count) {
            EXPECT_EQ(count, threads);
            ++ran;
        });
        EXPECT_EQ(ran.load(), threads);
    }
}

// Back-to-back jobs of different sizes, as a decode step runs them: a worker still looking at one
// job while the next is being set up must neither claim a chunk of the new job under the old
// one's bookkeeping nor lose one. (A worker once validated a stale claim against the next job's
// chunk count, ran a chunk twice and left the caller waiting forever for a count it had passed.)
TEST(ThreadPool, BackToBackJobsOfChangingSizesNeverHangOrRepeat) {
    ThreadPool pool(2);
    auto stress = std::async(std::launch::async, [&] {
        std::vector<std::atomic<int>> hits(64);
        for (int job = 0; job < 200000; ++job) {
            const std::size_t n = 1 + static_cast<std::size_t>((job * 7919) % 40);
            for (std::size_t i = 0; i < n; ++i) {
                hits[i].store(0, std::memory_order_relaxed);
            }
            pool.parallel_for(n, 1, [&](std::size_t b, std::size_t e) {
                for (std::size_t i = b; i < e; ++i) {
                    hits[i].fetch_add(1, std::memory_order_relaxed);
                }
            });
            for (std::size_t i = 0; i < n; ++i) {
                if (hits[i].load() != 1) {
                    return "job " + std::to_string(job) + ": index " + std::to_string(i) + " ran " +
                           std::to_string(hits[i].load()) + " times";
                }
            }
        }
        return std::string();
    });
    if (stress.wait_for(std::chrono::seconds(120)) != std::future_status::ready) {
        // The pool is stuck and its threads cannot be joined: report and leave at once.
        std::fprintf(stderr, "ThreadPool hung: a job never completed\n");
        std::_Exit(1);
    }
    EXPECT_EQ(stress.get(), "");
}

} // namespace

#if defined(__linux__)
// A benchmark measures one phase's peak memory by resetting the peak first (Linux only): after
// the reset the peak is the current resident set, not the freed 256 MiB of before.
TEST(MemoryStats, ResetPeakStartsOverFromTheCurrentResidentSet) {
    {
        std::vector<char> big(std::size_t{256} << 20);
        for (std::size_t i = 0; i < big.size(); i += 4096) {
            big[i] = static_cast<char>(i);
        }
        volatile char keep = big[4096];
        (void)keep;
    }
    const std::uint64_t before = tern::engine::peak_resident_memory();
    EXPECT_GT(before, std::uint64_t{256} << 20);
    ASSERT_TRUE(tern::engine::reset_peak_resident_memory());
    const std::uint64_t after = tern::engine::peak_resident_memory();
    const std::uint64_t current = tern::engine::current_resident_bytes();
    EXPECT_LE(after, current + (std::uint64_t{16} << 20));
    EXPECT_LE(after, before);
}
#endif
