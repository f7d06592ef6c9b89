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
constexpr auto kSpinTime = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
#if defined(_MSC_VER)
    _mm_pause();
#else
    __builtin_ia32_pause();
#endif
#else
    std::this_thread::yield();
#endif
}

} // namespace

ThreadPool::ThreadPool(int threads) : threads_(std::max(1, threads)) {
    workers_.reserve(static_cast<std::size_t>(threads_ - 1));
    for (int i = 1; i < threads_; ++i) {
        workers_.emplace_back([this, i] { worker_loop(i); });
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

void ThreadPool::worker_loop(int index) {
    std::uint64_t seen = 0;
    for (;;) {
        // Wait for a new generation: spin first, then sleep on the atomic.
        const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
        std::uint64_t now = generation_.load(std::memory_order_acquire);
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
        (*task_)(index, threads_);
        pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
}

void ThreadPool::run(const std::function<void(int, int)>& task) {
    if (threads_ == 1) {
        task(0, 1);
        return;
    }
    task_ = &task;
    pending_.store(threads_ - 1, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    generation_.notify_all();
    task(0, threads_);
    while (pending_.load(std::memory_order_acquire) != 0) {
        cpu_relax();
    }
}

void ThreadPool::parallel_for(std::size_t n, std::size_t grain,
                              const std::function<void(std::size_t, std::size_t)>& body) {
    if (n == 0) {
        return;
    }
    grain = std::max<std::size_t>(grain, 1);
    const std::size_t chunks = (n + grain - 1) / grain;
    const auto parts = static_cast<std::size_t>(threads_);
    if (threads_ == 1 || chunks == 1) {
        body(0, n);
        return;
    }
    run([&](int index, int) {
        const auto i = static_cast<std::size_t>(index);
        const std::size_t begin = std::min(n, chunks * i / parts * grain);
        const std::size_t end = std::min(n, chunks * (i + 1) / parts * grain);
        if (begin < end) {
            body(begin, end);
        }
    });
}

} // namespace tern::engine
