// SPDX-License-Identifier: MIT
#include "core/eval/ClassifierEvaluator.h"

#include "core/eval/KerasWeights.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cmath>

namespace bitlens {
namespace {

constexpr size_t kImagesPerBatch = 256; // per ClassifierRunner::logits call
constexpr size_t kCachedOriginals = 4;
// Names the cached logits and the revision of the computation behind them.
constexpr const char* kBaselineTag = "classifier-original-logits/1";

const nlohmann::json& modelConfig(const Checkpoint& checkpoint) {
    const nlohmann::json& metadata = checkpoint.metadata();
    if (!metadata.contains("model_config"))
        throw FileError(checkpoint.source(), "holds no Keras model_config; only Keras-described "
                                             "classifiers can be evaluated on images");
    return metadata["model_config"];
}

size_t argMax(const float* values, size_t count) {
    return size_t(std::max_element(values, values + count) - values);
}

// log softmax in double precision.
void logSoftmax(const float* logits, size_t count, std::vector<double>& out) {
    const double largest = *std::max_element(logits, logits + count);
    double sum = 0;
    for (size_t i = 0; i < count; ++i)
        sum += std::exp(double(logits[i]) - largest);
    const double logSum = std::log(sum) + largest;
    out.resize(count);
    for (size_t i = 0; i < count; ++i)
        out[i] = double(logits[i]) - logSum;
}

ClassifierScore score(const std::vector<float>& logits, const IdxDataset& dataset, size_t classes) {
    ClassifierScore result;
    result.count = dataset.size();
    for (size_t i = 0; i < dataset.size(); ++i)
        result.correct += argMax(logits.data() + i * classes, classes) == dataset.label(i);
    return result;
}

} // namespace

ClassifierEvaluator::ClassifierEvaluator(const Checkpoint& checkpoint)
    : checkpoint_(checkpoint), model_(KerasModel::fromConfig(modelConfig(checkpoint))),
      engine_(std::make_shared<CpuClassifierEngine>()) {
    for (const KerasLayer& layer : model_.layers())
        weightIndices_.push_back(findLayerWeights(checkpoint, layer));
    if (model_.outputShape().size() != 1)
        throw Error("model output has shape of rank " +
                    std::to_string(model_.outputShape().size()) +
                    "; a classifier must end in one vector of class scores");
}

void ClassifierEvaluator::setEngine(std::shared_ptr<const ClassifierEngine> engine) {
    if (!engine)
        throw Error("a classifier evaluator needs an engine");
    engine_ = std::move(engine);
}

void ClassifierEvaluator::setBaselineCache(std::shared_ptr<const BaselineCache> cache) {
    baselineCache_ = std::move(cache);
}

uint64_t ClassifierEvaluator::classCount() const {
    return model_.outputShape().front();
}

void ClassifierEvaluator::checkDataset(const IdxDataset& dataset) const {
    const std::vector<uint64_t>& shape = model_.inputShape();
    const uint64_t rows = dataset.rows();
    const uint64_t cols = dataset.cols();
    const bool fits = (shape.size() == 1 && shape[0] == rows * cols) ||
                      (shape.size() == 2 && shape[0] == rows && shape[1] == cols) ||
                      (shape.size() == 3 && shape[0] == rows && shape[1] == cols && shape[2] == 1);
    if (!fits) {
        std::string text;
        for (uint64_t dim : shape)
            text += (text.empty() ? "" : "x") + std::to_string(dim);
        throw Error("the model expects inputs of " + text + " but the data set has images of " +
                    std::to_string(rows) + "x" + std::to_string(cols));
    }
    for (size_t i = 0; i < dataset.size(); ++i)
        if (dataset.label(i) >= classCount())
            throw Error("label " + std::to_string(dataset.label(i)) + " of image " +
                        std::to_string(i) + " is outside the model's " +
                        std::to_string(classCount()) + " classes");
}

std::vector<float> ClassifierEvaluator::run(const WeightSource& weights, const IdxDataset& dataset,
                                            float inputScale, const ProgressFn& progress,
                                            uint64_t progressOffset, uint64_t progressTotal) const {
    const std::unique_ptr<ClassifierRunner> runner =
        engine_->load(model_, weightIndices_, checkpoint_, weights);
    const size_t classes = classCount();
    const size_t pixels = dataset.pixelsPerImage();
    std::vector<float> logits(dataset.size() * classes);
    std::vector<float> inputs(std::min(kImagesPerBatch, dataset.size()) * pixels);
    for (size_t begin = 0; begin < dataset.size(); begin += kImagesPerBatch) {
        const size_t count = std::min(kImagesPerBatch, dataset.size() - begin);
        for (size_t image = 0; image < count; ++image) {
            const std::span<const uint8_t> source = dataset.image(begin + image);
            for (size_t p = 0; p < pixels; ++p)
                inputs[image * pixels + p] = float(source[p]) * inputScale;
        }
        runner->logits(std::span(inputs.data(), count * pixels), count,
                       std::span(logits.data() + begin * classes, count * classes));
        if (progress && !progress(progressOffset + begin + count, progressTotal))
            throw Cancelled();
    }
    return logits;
}

BaselineCache::Key ClassifierEvaluator::diskKey(const IdxDataset& dataset, float inputScale) {
    if (!modelKey_) {
        modelKey_.emplace(kBaselineTag);
        modelKey_->add(modelConfig(checkpoint_).dump());
        for (const std::vector<size_t>& layerWeights : weightIndices_)
            for (size_t tensorIndex : layerWeights)
                modelKey_->addTensor(checkpoint_, tensorIndex);
    }
    BaselineCache::Key key = *modelKey_;
    key.add(engine_->name());
    key.addValue(dataset.rows()).addValue(dataset.cols()).addValue(uint64_t(dataset.size()));
    key.add(std::as_bytes(dataset.pixels())).add(std::as_bytes(std::span(dataset.labels())));
    key.addValue(inputScale);
    return key;
}

const ClassifierEvaluator::Outputs* ClassifierEvaluator::findOriginal(const IdxDataset& dataset,
                                                                      float inputScale) {
    for (const Outputs& cached : originals_)
        if (cached.engine == engine_->name() && cached.fingerprint == dataset.fingerprint() &&
            cached.inputScale == inputScale) {
            baselineOrigin_ = BaselineOrigin::Memory;
            return &cached;
        }
    if (!baselineCache_)
        return nullptr;
    const std::optional<BaselineCache::Entry> entry =
        baselineCache_->load(diskKey(dataset, inputScale));
    Outputs outputs{engine_->name(), dataset.fingerprint(), inputScale, {}};
    if (!entry || entry->sectionCount() != 1 ||
        !entry->read(0, dataset.size() * classCount(), outputs.logits))
        return nullptr;
    baselineOrigin_ = BaselineOrigin::Disk;
    return &remember(std::move(outputs));
}

const ClassifierEvaluator::Outputs& ClassifierEvaluator::computeOriginal(const IdxDataset& dataset,
                                                                         float inputScale,
                                                                         const ProgressFn& progress,
                                                                         uint64_t progressTotal) {
    Outputs outputs{engine_->name(), dataset.fingerprint(), inputScale,
                    run(OriginalWeights(), dataset, inputScale, progress, 0, progressTotal)};
    if (baselineCache_)
        baselineCache_->store(diskKey(dataset, inputScale),
                              {std::as_bytes(std::span(outputs.logits))});
    baselineOrigin_ = BaselineOrigin::Computed;
    return remember(std::move(outputs));
}

const ClassifierEvaluator::Outputs& ClassifierEvaluator::remember(Outputs outputs) {
    if (originals_.size() == kCachedOriginals)
        originals_.erase(originals_.begin());
    originals_.push_back(std::move(outputs));
    return originals_.back();
}

ClassifierScore ClassifierEvaluator::scoreOriginal(const IdxDataset& dataset, float inputScale,
                                                   const ProgressFn& progress) {
    checkDataset(dataset);
    const Outputs* found = findOriginal(dataset, inputScale);
    const Outputs& original =
        found ? *found : computeOriginal(dataset, inputScale, progress, dataset.size());
    return score(original.logits, dataset, classCount());
}

ClassifierComparison ClassifierEvaluator::compare(const IdxDataset& dataset, float inputScale,
                                                  const WeightSource& quantized,
                                                  const ProgressFn& progress) {
    checkDataset(dataset);
    const size_t classes = classCount();
    const Outputs* found = findOriginal(dataset, inputScale);
    const uint64_t total = found ? dataset.size() : 2 * dataset.size();
    const std::vector<float>& reference =
        (found ? *found : computeOriginal(dataset, inputScale, progress, total)).logits;
    const std::vector<float> candidate =
        run(quantized, dataset, inputScale, progress, total - dataset.size(), total);

    ClassifierComparison result;
    result.original = score(reference, dataset, classes);
    result.quantized = score(candidate, dataset, classes);
    std::vector<double> logP;
    std::vector<double> logQ;
    double kldSum = 0;
    for (size_t i = 0; i < dataset.size(); ++i) {
        const float* p = reference.data() + i * classes;
        const float* q = candidate.data() + i * classes;
        result.agreeing += argMax(p, classes) == argMax(q, classes);
        logSoftmax(p, classes, logP);
        logSoftmax(q, classes, logQ);
        double kld = 0;
        for (size_t c = 0; c < classes; ++c)
            kld += std::exp(logP[c]) * (logP[c] - logQ[c]);
        kldSum += kld;
    }
    result.kldMean = dataset.size() ? kldSum / double(dataset.size()) : 0.0;
    return result;
}

} // namespace bitlens
