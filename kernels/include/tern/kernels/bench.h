// Measurement helpers shared by the kernel benchmarks (kernels/bench) and `tern-cli
// bench-kernels`: memory read bandwidth, I2_S matrix-vector throughput over a working set larger
// than the last-level cache, matrix-matrix throughput, and the peak rate of the int8
// multiply-accumulate instruction each variant is built on. Not used by the engine.
#pragma once

#include "tern/kernels/kernels.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tern::kernels {

// How passes are timed. thread_cpu (the default): each thread's own CPU time, the pass taking
// the longest thread's, so time the OS gave to other programs on a shared machine is not
// counted; wall: elapsed time.
enum class BenchClock { thread_cpu, wall };
void set_bench_clock(BenchClock clock);
BenchClock bench_clock();

// I2_S weights of whole 2B4T blocks (q, k, v, o, gate, up, down: 17.4 MB per block), repeated
// until at least min_bytes, so one pass streams distinct memory as a decode step does.
struct DecodeWorkingSet {
    struct Matrix {
        std::size_t offset; // into data
        std::size_t rows;
        std::size_t k;
    };
    std::unique_ptr<uint8_t[]> data;
    std::size_t bytes = 0;
    std::vector<Matrix> matrices;
    std::vector<int8_t> act_2560, act_6912; // activations for K = 2560 and K = 6912
};

DecodeWorkingSet make_decode_working_set(std::size_t min_bytes);

// Seconds (by the bench clock) of one read of every byte of [data, data + bytes), split over
// threads. The read prefetches ahead, as the kernels do, so it is the best rate the cores reach:
// the limit the kernels are compared with.
double time_read_pass(const uint8_t* data, std::size_t bytes, int threads);

// Wall seconds of one I2_S matvec over every matrix of the working set, rows split over threads.
double time_matvec_pass(const KernelTable& kernels, const DecodeWorkingSet& set, int threads);

// The 2B4T output head (128256 x 2560) in F16 or Q8_0, the largest single read of a decode step.
struct HeadMatrix {
    enum class Type { f16, q8_0 };
    Type type = Type::f16;
    std::size_t rows = 0, k = 0;
    std::unique_ptr<uint8_t[]> data;
    std::size_t bytes = 0;
    std::vector<float> x;
};
HeadMatrix make_head_matrix(HeadMatrix::Type type, std::size_t rows, std::size_t k);

// Wall seconds of one head matvec (all rows), rows split over threads.
double time_head_pass(const KernelTable& kernels, const HeadMatrix& head, int threads);

// Wall seconds of one I2_S matmul of an m x k matrix with n tokens, rows split over threads.
double time_matmul(const KernelTable& kernels, const uint8_t* w, std::size_t m, std::size_t k,
                   const int8_t* q, std::size_t n, int threads);

// The int8 multiply-accumulate instruction a variant's matmul is built on, run in a tight loop
// of independent accumulators on every thread: its peak rate in MAC/s.
struct MacPeak {
    std::string instruction; // e.g. "vpdpbusd zmm", or "" when the variant has none
    double macs_per_second = 0.0;
};
MacPeak measure_mac_peak(const KernelTable& kernels, int threads);

struct Summary {
    double median = 0.0, min = 0.0, max = 0.0;
};
Summary summarize(std::vector<double> values);

} // namespace tern::kernels
