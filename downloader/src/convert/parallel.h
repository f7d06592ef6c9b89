// A minimal fork-join loop for the converter's row blocks: the work splits into contiguous ranges,
// one per thread, and every result depends only on its index, so the output does not depend on the
// number of threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace tern::downloader::convert {

inline unsigned converter_threads(unsigned requested) {
    if (requested > 0) return requested;
    const unsigned hardware = std::thread::hardware_concurrency();
    return std::clamp(hardware, 1u, 8u);
}

// Calls body(begin, end) on up to `threads` contiguous parts of [0, count); rethrows the first
// exception a part threw.
template <class Body> void parallel_for(std::size_t count, unsigned threads, const Body& body) {
    const std::size_t parts = std::min<std::size_t>(std::max(1u, threads), count);
    if (parts <= 1) {
        if (count > 0) body(std::size_t{0}, count);
        return;
    }
    std::vector<std::exception_ptr> errors(parts);
    std::vector<std::thread> workers;
    workers.reserve(parts - 1);
    const auto run = [&](std::size_t part) {
        try {
            body(count * part / parts, count * (part + 1) / parts);
        } catch (...) {
            errors[part] = std::current_exception();
        }
    };
    for (std::size_t part = 1; part < parts; ++part) workers.emplace_back(run, part);
    run(0);
    for (auto& worker : workers) worker.join();
    for (const auto& error : errors) {
        if (error) std::rethrow_exception(error);
    }
}

} // namespace tern::downloader::convert
