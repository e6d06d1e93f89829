// SPDX-License-Identifier: MIT
#include "core/eval/ClassifierEngine.h"

#include "core/eval/ClassifierNetwork.h"
#include "core/util/ParallelFor.h"

namespace bitlens {
namespace {

constexpr size_t kImagesPerChunk = 32;

class CpuClassifierRunner final : public ClassifierRunner {
public:
    CpuClassifierRunner(const KerasModel& model,
                        const std::vector<std::vector<size_t>>& weightIndices,
                        const Checkpoint& checkpoint, const WeightSource& weights)
        : network_(model, weightIndices, checkpoint, weights) {}

    void logits(std::span<const float> inputs, uint64_t count, std::span<float> out) override {
        const uint64_t pixels = network_.inputSize();
        const uint64_t classes = network_.outputSize();
        parallelForChunks(count, kImagesPerChunk, [&](size_t begin, size_t end) {
            ClassifierNetwork::Workspace workspace;
            for (size_t image = begin; image < end; ++image)
                network_.logits(inputs.subspan(image * pixels, pixels),
                                out.subspan(image * classes, classes), workspace);
        });
    }

private:
    const ClassifierNetwork network_;
};

} // namespace

std::unique_ptr<ClassifierRunner>
CpuClassifierEngine::load(const KerasModel& model,
                          const std::vector<std::vector<size_t>>& weightIndices,
                          const Checkpoint& checkpoint, const WeightSource& weights) const {
    return std::make_unique<CpuClassifierRunner>(model, weightIndices, checkpoint, weights);
}

} // namespace bitlens
