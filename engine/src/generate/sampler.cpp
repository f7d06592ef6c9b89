#include "sampler.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

namespace tern::engine {

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) { validate(params); }

void Sampler::validate(const SamplingParams& p) {
    auto bad = [](const std::string& what) { throw Error("sampling: " + what); };
    if (!(p.temperature >= 0.0f) || !std::isfinite(p.temperature)) {
        bad("temperature must be 0 (greedy) or positive, not " + std::to_string(p.temperature));
    }
    if (p.top_k < 0) {
        bad("top-k must be 0 (off) or positive, not " + std::to_string(p.top_k));
    }
    if (!(p.top_p > 0.0f && p.top_p <= 1.0f)) {
        bad("top-p must be in (0, 1], not " + std::to_string(p.top_p));
    }
    if (!(p.min_p >= 0.0f && p.min_p <= 1.0f)) {
        bad("min-p must be in [0, 1], not " + std::to_string(p.min_p));
    }
    if (!(p.repetition_penalty > 0.0f) || !std::isfinite(p.repetition_penalty)) {
        bad("the repetition penalty must be positive (1 = off), not " + std::to_string(p.repetition_penalty));
    }
    if (!std::isfinite(p.presence_penalty)) {
        bad("the presence penalty must be finite");
    }
    if (p.penalty_last_n < 0) {
        bad("penalty-last-n must be 0 or positive");
    }
}

void check_sampling_params(const SamplingParams& params) { Sampler::validate(params); }

double Sampler::uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

Token Sampler::sample(std::span<const float> logits, std::span<const Token> recent) {
    const auto vocab = logits.size();
    work_.assign(logits.begin(), logits.end());

    // Penalties on the tokens seen recently (each token once, however often it appeared).
    const bool repetition = params_.repetition_penalty != 1.0f;
    const bool presence = params_.presence_penalty != 0.0f;
    if ((repetition || presence) && params_.penalty_last_n > 0) {
        const std::size_t n = std::min(recent.size(), static_cast<std::size_t>(params_.penalty_last_n));
        std::vector<Token> seen(recent.end() - static_cast<std::ptrdiff_t>(n), recent.end());
        std::sort(seen.begin(), seen.end());
        seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
        for (Token t : seen) {
            if (t < 0 || static_cast<std::size_t>(t) >= vocab) {
                continue;
            }
            float& l = work_[static_cast<std::size_t>(t)];
            if (repetition) {
                l = l > 0 ? l / params_.repetition_penalty : l * params_.repetition_penalty;
            }
            l -= params_.presence_penalty;
        }
    }

    if (params_.temperature == 0.0f) {
        return static_cast<Token>(std::max_element(work_.begin(), work_.end()) - work_.begin());
    }

    const float max_logit = *std::max_element(work_.begin(), work_.end());
    const float inv_t = 1.0f / params_.temperature;
    // min-p first: it is a linear filter and usually leaves a handful of candidates to sort.
    // p_i / p_max = exp((l_i - l_max) / T) >= min_p.
    const float min_scaled = params_.min_p > 0.0f ? std::log(params_.min_p) : -INFINITY;
    candidates_.clear();
    for (std::size_t i = 0; i < vocab; ++i) {
        const float scaled = (work_[i] - max_logit) * inv_t;
        if (scaled >= min_scaled) {
            candidates_.emplace_back(scaled, static_cast<Token>(i));
        }
    }
    if (candidates_.empty()) { // every logit -inf or NaN: fall back to the first maximum
        return static_cast<Token>(std::max_element(work_.begin(), work_.end()) - work_.begin());
    }
    auto by_logit = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); };
    std::size_t keep = candidates_.size();
    if (params_.top_k > 0 && static_cast<std::size_t>(params_.top_k) < keep) {
        keep = static_cast<std::size_t>(params_.top_k);
        std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(keep),
                          candidates_.end(), by_logit);
        candidates_.resize(keep);
    } else {
        std::sort(candidates_.begin(), candidates_.end(), by_logit);
    }
    // Softmax over the candidates (in double: the sums decide which token wins).
    std::vector<double> probs(candidates_.size());
    double sum = 0;
    for (std::size_t i = 0; i < candidates_.size(); ++i) {
        probs[i] = std::exp(static_cast<double>(candidates_[i].first));
        sum += probs[i];
    }
    if (params_.top_p < 1.0f) {
        double cumulative = 0;
        std::size_t n = 0;
        while (n < probs.size()) {
            cumulative += probs[n] / sum;
            ++n;
            if (cumulative >= params_.top_p) {
                break;
            }
        }
        probs.resize(n);
        sum = 0;
        for (double p : probs) {
            sum += p;
        }
    }
    const double r = uniform() * sum;
    double acc = 0;
    for (std::size_t i = 0; i < probs.size(); ++i) {
        acc += probs[i];
        if (r < acc) {
            return candidates_[i].second;
        }
    }
    return candidates_[probs.size() - 1].second;
}

} // namespace tern::engine
