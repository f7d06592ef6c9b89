// A persistent pool of worker threads for the forward pass. Decoding one token runs a few hundred
// short parallel sections, so workers stay alive between them and spin briefly before sleeping.
//
// Work is split into chunks that every participant claims from a shared counter, the calling
// thread included. On a busy machine a worker may be scheduled late; the caller then simply
// claims the remaining chunks itself instead of waiting for it (a static split would stall every
// section on the slowest thread).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
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

    // Runs task(index, count) for every index in [0, count), count == size(), each exactly once,
    // on whichever threads are available; returns when all are done. Not re-entrant.
    void run(const std::function<void(int index, int count)>& task);

    // Splits [0, n) into ranges whose sizes are multiples of `grain` (except the last) and runs
    // body(begin, end) on each, in parallel; returns when all are done.
    void parallel_for(std::size_t n, std::size_t grain,
                      const std::function<void(std::size_t begin, std::size_t end)>& body);

private:
    void execute(std::size_t chunks, const std::function<void(std::size_t)>& chunk);
    void claim_chunks(std::uint32_t generation);
    void worker_loop();

    static constexpr std::size_t kMaxChunks = 0xFFFF;

    int threads_;
    std::vector<std::thread> workers_;
    // The current job: valid while a claimed chunk of it is unfinished.
    const std::function<void(std::size_t)>* job_ = nullptr;
    // generation << 32 | chunk count << 16 | next chunk. The count travels with the generation in
    // one word, so a worker still holding an old value can only ever claim against the job that
    // value belongs to (and its claim then fails: the word has moved on).
    std::atomic<std::uint64_t> claim_{0};
    std::atomic<std::size_t> done_{0};        // chunks finished
    std::atomic<std::uint32_t> generation_{0};
    std::atomic<bool> stop_{false};
};

} // namespace tern::engine
