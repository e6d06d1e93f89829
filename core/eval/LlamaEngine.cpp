// SPDX-License-Identifier: MIT
#include "core/eval/LlamaEngine.h"

#include "core/eval/LlamaModel.h"
#include "core/eval/TransformerMath.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace bitlens {
namespace {

class CpuLlamaRunner final : public LlamaRunner {
public:
    CpuLlamaRunner(const Checkpoint& checkpoint, const LlamaConfig& config,
                   const WeightSource& weights)
        : model_(checkpoint, config, weights) {}

    const LlamaConfig& config() const override { return model_.config(); }
    std::vector<float> forward(std::span<const int32_t> tokens) override {
        return model_.forward(tokens);
    }
    std::vector<float> nextTokenLogits(std::span<const int32_t> tokens) override {
        return model_.nextTokenLogits(tokens);
    }

private:
    const LlamaModel model_;
};

} // namespace

std::unique_ptr<LlamaRunner> CpuLlamaEngine::load(const Checkpoint& checkpoint,
                                                  const LlamaConfig& config,
                                                  const WeightSource& weights) const {
    return std::make_unique<CpuLlamaRunner>(checkpoint, config, weights);
}

std::vector<int32_t> generateTokens(LlamaRunner& runner, std::span<const int32_t> prompt,
                                    uint64_t count, const SamplingOptions& sampling, int32_t stop,
                                    const ProgressFn& progress) {
    if (!(sampling.temperature >= 0) || !std::isfinite(sampling.temperature))
        throw Error("sampling temperature must be a finite number of at least 0");
    std::vector<int32_t> sequence(prompt.begin(), prompt.end());
    std::vector<int32_t> generated;
    std::mt19937_64 random(sampling.seed);
    while (generated.size() < count && sequence.size() < runner.config().contextLength) {
        std::vector<float> logits = runner.nextTokenLogits(sequence);
        int32_t next = 0;
        if (sampling.temperature == 0) {
            next = int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
        } else {
            for (float& logit : logits)
                logit /= sampling.temperature;
            softmaxRows(logits, logits.size());
            // A uniform draw in [0, 1) from the top 53 bits, the same on every platform.
            const double draw = double(random() >> 11) * 0x1.0p-53;
            double cumulative = 0;
            next = int32_t(logits.size() - 1);
            for (size_t i = 0; i < logits.size(); ++i) {
                cumulative += logits[i];
                if (draw < cumulative) {
                    next = int32_t(i);
                    break;
                }
            }
        }
        generated.push_back(next);
        sequence.push_back(next);
        if (progress && !progress(generated.size(), count))
            throw Cancelled();
        if (next == stop)
            break;
    }
    return generated;
}

} // namespace bitlens
