// A persistent pool of worker threads for the forward pass. Decoding one token runs a few hundred
// short parallel sections, so workers stay alive between them and spin briefly before sleeping:
// starting threads or sleeping on a condition variable per section would cost more than the work.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace tern::engine {

class ThreadPool {
public:
    // `threads` counts the calling thread: 1 means no workers.
    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return threads_; }

    // Runs task(index, count) for index in [0, count) on every thread, the caller included,
    // and returns when all are done. count == size(). Not re-entrant.
    void run(const std::function<void(int index, int count)>& task);

    // Splits [0, n) into size() contiguous ranges, each a multiple of `grain` (except the last),
    // and runs body(begin, end) on each non-empty range in parallel.
    void parallel_for(std::size_t n, std::size_t grain,
                      const std::function<void(std::size_t begin, std::size_t end)>& body);

private:
    void worker_loop(int index);

    int threads_;
    std::vector<std::thread> workers_;
    const std::function<void(int, int)>* task_ = nullptr;
    std::atomic<std::uint64_t> generation_{0};
    std::atomic<int> pending_{0};
    std::atomic<bool> stop_{false};
};

} // namespace tern::engine
