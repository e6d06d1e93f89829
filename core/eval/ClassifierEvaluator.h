// SPDX-License-Identifier: MIT
#pragma once

#include "core/backend/QuantBackend.h"
#include "core/eval/BaselineCache.h"
#include "core/eval/ClassifierEngine.h"
#include "core/eval/IdxDataset.h"
#include "core/eval/KerasModel.h"
#include "core/eval/WeightSource.h"
#include "core/io/Checkpoint.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bitlens {

struct ClassifierScore {
    uint64_t correct = 0;
    uint64_t count = 0;
    double accuracy() const { return count ? double(correct) / double(count) : 0.0; }
};

// The quantized model measured against the original on the same images.
struct ClassifierComparison {
    ClassifierScore original;
    ClassifierScore quantized;
    uint64_t agreeing = 0; // images where both predict the same class
    double agreement() const {
        return original.count ? double(agreeing) / double(original.count) : 0.0;
    }
    // Mean over images of KL(p_original || p_quantized) in nats, p the softmax of the logits.
    double kldMean = 0;
};

// Scores a Keras-described classifier (checkpoint.metadata()["model_config"]) on an IDX data set
// with a ClassifierEngine (the CPU reference unless setEngine picks another). Inputs are pixel *
// inputScale. Predictions are the arg max of the output; probabilities for the KL divergence are
// the model's softmax output — when the last layer has no softmax, its outputs are taken as logits
// and softmax is applied here. The original model's outputs are cached per (engine, data set
// contents, input scale) for the lifetime of the evaluator, so a comparison always sets logits of
// one engine side by side; with a BaselineCache they are also looked up on disk on a miss and
// stored there after they are computed. Not thread-safe: one call at a time.
class ClassifierEvaluator {
public:
    // Parses the model and finds every layer's weights; throws Error for unsupported layers or
    // missing weights before anything runs. `checkpoint` must outlive the evaluator.
    explicit ClassifierEvaluator(const Checkpoint& checkpoint);

    const KerasModel& model() const { return model_; }
    // Where later scoreOriginal / compare calls run (Error for null). Outputs cached with another
    // engine stay cached for when it is set again.
    void setEngine(std::shared_ptr<const ClassifierEngine> engine);
    const ClassifierEngine& engine() const { return *engine_; }
    // Number of outputs (classes) of the model.
    uint64_t classCount() const;
    // Where the original's outputs are also kept between evaluators and processes; nullptr (the
    // default) keeps them in memory only.
    void setBaselineCache(std::shared_ptr<const BaselineCache> cache);
    // Where the original's outputs behind the last scoreOriginal or compare came from.
    BaselineOrigin baselineOrigin() const { return baselineOrigin_; }

    // Progress is reported in images; returning false throws Cancelled.
    ClassifierScore scoreOriginal(const IdxDataset& dataset, float inputScale,
                                  const ProgressFn& progress = {});
    ClassifierComparison compare(const IdxDataset& dataset, float inputScale,
                                 const WeightSource& quantized, const ProgressFn& progress = {});

private:
    struct Outputs {
        std::string engine;
        uint64_t fingerprint = 0;
        float inputScale = 0;
        std::vector<float> logits; // images x classes
    };
    // Validates the data set against the model's input and classes.
    void checkDataset(const IdxDataset& dataset) const;
    std::vector<float> run(const WeightSource& weights, const IdxDataset& dataset, float inputScale,
                           const ProgressFn& progress, uint64_t progressOffset,
                           uint64_t progressTotal) const;
    // What the original's outputs on this engine, data set and scale depend on.
    BaselineCache::Key diskKey(const IdxDataset& dataset, float inputScale);
    // The outputs this engine keeps for the data set and scale in memory, else those the disk
    // cache holds (then kept in memory too); nullptr when neither has them.
    const Outputs* findOriginal(const IdxDataset& dataset, float inputScale);
    // Runs the original model (findOriginal found nothing) and keeps its outputs.
    const Outputs& computeOriginal(const IdxDataset& dataset, float inputScale,
                                   const ProgressFn& progress, uint64_t progressTotal);
    const Outputs& remember(Outputs outputs);

    const Checkpoint& checkpoint_;
    KerasModel model_;
    std::vector<std::vector<size_t>> weightIndices_;
    std::shared_ptr<const ClassifierEngine> engine_;
    std::vector<Outputs> originals_;
    std::shared_ptr<const BaselineCache> baselineCache_;
    std::optional<BaselineCache::Key> modelKey_; // the model's part of diskKey, hashed once
    BaselineOrigin baselineOrigin_ = BaselineOrigin::Computed;
};

} // namespace bitlens
