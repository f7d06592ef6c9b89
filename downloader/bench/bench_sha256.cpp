// SHA-256 throughput: every downloaded byte of an LFS file is hashed once, so the hash must stay
// far above any home connection (and not dominate re-hashing a .part file on resume).
#include "tern/downloader/sha256.h"

#include <benchmark/benchmark.h>

#include <string>

static void BM_Sha256(benchmark::State& state) {
    const std::string data(static_cast<std::size_t>(state.range(0)), '\x5a');
    for (auto _ : state) {
        tern::downloader::Sha256 hash;
        hash.update(data);
        benchmark::DoNotOptimize(hash.hex_digest());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(1 << 20)->Arg(16 << 20);

BENCHMARK_MAIN();
