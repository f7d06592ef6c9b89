// Picks the next token from logits: penalties, then greedy or temperature sampling with top-k,
// top-p and min-p. Deterministic for a given seed on every platform (no std:: distributions,
// whose results differ between standard libraries).
#pragma once

#include "tern/engine/engine.h"

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace tern::engine {

class Sampler {
public:
    explicit Sampler(const SamplingParams& params);

    // `recent` are the tokens the penalties look at (the last penalty_last_n are used).
    Token sample(std::span<const float> logits, std::span<const Token> recent);

    // Throws Error naming the option when a parameter is out of range.
    static void validate(const SamplingParams& params);

private:
    double uniform(); // [0, 1)

    SamplingParams params_;
    std::mt19937_64 rng_;
    std::vector<float> work_;
    std::vector<std::pair<float, Token>> candidates_;
};

} // namespace tern::engine
