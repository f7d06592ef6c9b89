#include "thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(_MSC_VER)
#include <intrin.h>
#endif

namespace tern::engine {

namespace {

// How long an idle worker spins before it sleeps: long enough to cover the gap between the
// parallel sections of one token, short enough not to burn a core between turns.
constexpr auto kSpinTime = std::chrono::microseconds(300);

inline void cpu_relax() {
#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
    _mm_pause();
#elif defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
}

} // namespace

ThreadPool::ThreadPool(int threads) : threads_(std::max(1, threads)) {
    workers_.reserve(static_cast<std::size_t>(threads_ - 1));
    for (int i = 1; i < threads_; ++i) {
        workers_.emplace_back([this] { worker_loop(); });
    }
}

ThreadPool::~ThreadPool() {
    stop_.store(true);
    generation_.fetch_add(1);
    generation_.notify_all();
    for (auto& t : workers_) {
        t.join();
    }
}

void ThreadPool::claim_chunks(std::uint32_t generation) {
    for (;;) {
        std::uint64_t c = claim_.load(std::memory_order_acquire);
        const auto next = static_cast<std::size_t>(c & 0xFFFFu);
        const auto chunks = static_cast<std::size_t>((c >> 16) & 0xFFFFu);
        if (static_cast<std::uint32_t>(c >> 32) != generation || next >= chunks) {
            return;
        }
        if (claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) {
            // While this chunk is unfinished the job cannot end, so job_ is this job's.
            (*job_)(next);
            done_.fetch_add(1, std::memory_order_acq_rel);
        }
    }
}

void ThreadPool::worker_loop() {
    std::uint32_t seen = 0;
    for (;;) {
        const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
        std::uint32_t now = generation_.load(std::memory_order_acquire);
        int spins = 0;
        while (now == seen) {
            if (++spins % 64 == 0 && std::chrono::steady_clock::now() > spin_until) {
                generation_.wait(seen, std::memory_order_acquire);
            } else {
                cpu_relax();
            }
            now = generation_.load(std::memory_order_acquire);
        }
        seen = now;
        if (stop_.load(std::memory_order_acquire)) {
            return;
        }
        claim_chunks(now);
    }
}

void ThreadPool::execute(std::size_t chunks, const std::function<void(std::size_t)>& chunk) {
    // (More chunks than the claim word can count would need over 16,000 threads: run them here.)
    if (threads_ == 1 || chunks <= 1 || chunks > kMaxChunks) {
        for (std::size_t c = 0; c < chunks; ++c) {
            chunk(c);
        }
        return;
    }
    job_ = &chunk;
    done_.store(0, std::memory_order_relaxed);
    const std::uint32_t generation = generation_.load(std::memory_order_relaxed) + 1;
    claim_.store(static_cast<std::uint64_t>(generation) << 32 | static_cast<std::uint64_t>(chunks) << 16,
                 std::memory_order_release);
    generation_.store(generation, std::memory_order_release);
    generation_.notify_all();
    claim_chunks(generation);
    while (done_.load(std::memory_order_acquire) != chunks) {
        cpu_relax();
    }
}

void ThreadPool::run(const std::function<void(int, int)>& task) {
    execute(static_cast<std::size_t>(threads_),
            [&](std::size_t index) { task(static_cast<int>(index), threads_); });
}

void ThreadPool::parallel_for(std::size_t n, std::size_t grain,
                              const std::function<void(std::size_t, std::size_t)>& body) {
    if (n == 0) {
        return;
    }
    grain = std::max<std::size_t>(grain, 1);
    const std::size_t units = (n + grain - 1) / grain;
    // A few chunks per thread: enough to rebalance when a thread runs late, few enough that
    // claiming them costs nothing next to the work.
    const std::size_t chunks = std::min(units, static_cast<std::size_t>(threads_) * 4);
    execute(chunks, [&](std::size_t c) {
        const std::size_t begin = std::min(n, units * c / chunks * grain);
        const std::size_t end = std::min(n, units * (c + 1) / chunks * grain);
        if (begin < end) {
            body(begin, end);
        }
    });
}

} // namespace tern::engine
