// Kernel benchmarks with Google Benchmark. The figures the issue asks for, as counters:
//   ReadBandwidth / I2sMatvecWorkingSet: GB/s over >= 1 GiB of distinct 2B4T I2_S matrices
//   (bytes_per_second), so the last-level cache cannot hold them;
//   HeadMatvec: GB/s of the 2B4T output head (128256 x 2560) in F16 (type 0) or Q8_0 (type 1);
//   I2sMatmul: int8 multiply-accumulates per second (items_per_second) at N = 128 and 512;
//   InstructionMacPeak: the peak of the chosen variant's int8 multiply-accumulate instruction.
// Each runs 5 repetitions and reports mean, median, stddev and cv. The variant is the one
// chosen at start-up (TERN_CPU=... to force another). `tern-cli bench-kernels` prints the same
// measurements side by side with same-run ratios.
#include "tern/kernels/bench.h"
#include "tern/kernels/kernels.h"

#include <benchmark/benchmark.h>

#include <vector>

namespace {

using namespace tern::kernels;

const DecodeWorkingSet& working_set() {
    static const DecodeWorkingSet set = make_decode_working_set(std::size_t{1} << 30);
    return set;
}

void ReadBandwidth(benchmark::State& state) {
    const auto& set = working_set();
    const int threads = static_cast<int>(state.range(0));
    for (auto _ : state) {
        state.SetIterationTime(time_read_pass(set.data.get(), set.bytes, threads));
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * set.bytes));
}

void I2sMatvecWorkingSet(benchmark::State& state) {
    const auto& set = working_set();
    const int threads = static_cast<int>(state.range(0));
    state.SetLabel(kernels().name);
    for (auto _ : state) {
        state.SetIterationTime(time_matvec_pass(kernels(), set, threads));
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * set.bytes));
}

void HeadMatvec(benchmark::State& state) {
    const auto type = state.range(0) == 0 ? HeadMatrix::Type::f16 : HeadMatrix::Type::q8_0;
    const int threads = static_cast<int>(state.range(1));
    const HeadMatrix head = make_head_matrix(type, 128256, 2560);
    state.SetLabel(kernels().name);
    for (auto _ : state) {
        state.SetIterationTime(time_head_pass(kernels(), head, threads));
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * head.bytes));
}

void I2sMatmul(benchmark::State& state) {
    const auto m = static_cast<std::size_t>(state.range(0));
    const auto k = static_cast<std::size_t>(state.range(1));
    const auto n = static_cast<std::size_t>(state.range(2));
    const int threads = static_cast<int>(state.range(3));
    std::vector<uint8_t> w(m * k / 4 + 32);
    for (std::size_t i = 0; i < w.size(); ++i) {
        w[i] = static_cast<uint8_t>((i * 2654435761u) >> 13) & 0x55;
    }
    std::vector<int8_t> q(n * k);
    for (std::size_t i = 0; i < q.size(); ++i) {
        q[i] = static_cast<int8_t>((i * 53) % 255 - 127);
    }
    state.SetLabel(kernels().name);
    for (auto _ : state) {
        state.SetIterationTime(time_matmul(kernels(), w.data(), m, k, q.data(), n, threads));
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * m * k * n));
}

void InstructionMacPeak(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    MacPeak peak;
    for (auto _ : state) {
        peak = measure_mac_peak(kernels(), threads);
        state.SetIterationTime(1.0);
        state.counters["MAC/s"] = peak.macs_per_second;
    }
    state.SetLabel(peak.instruction);
}

} // namespace

BENCHMARK(ReadBandwidth)
    ->Arg(1)
    ->Arg(2)
    ->UseManualTime()
    ->Repetitions(5)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(I2sMatvecWorkingSet)
    ->Arg(1)
    ->Arg(2)
    ->UseManualTime()
    ->Repetitions(5)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(HeadMatvec)
    ->ArgsProduct({{0, 1}, {1, 2}})
    ->UseManualTime()
    ->Repetitions(5)
    ->Iterations(1);

BENCHMARK(I2sMatmul)
    ->ArgsProduct({{2560}, {2560}, {128, 512}, {1, 2}})
    ->Args({640, 2560, 128, 1})
    ->Args({6912, 2560, 128, 1})
    ->Args({2560, 6912, 128, 1})
    ->UseManualTime()
    ->Repetitions(5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(InstructionMacPeak)->Arg(1)->Arg(2)->UseManualTime()->Repetitions(5)->Iterations(1);

BENCHMARK_MAIN();
