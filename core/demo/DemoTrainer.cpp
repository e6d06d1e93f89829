// SPDX-License-Identifier: MIT
#include "core/demo/DemoTrainer.h"

#include "core/eval/LayerMath.h"
#include "core/io/KerasH5Writer.h"
#include "core/util/Error.h"
#include "core/util/ParallelFor.h"
#include "core/util/VectorMath.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace bitlens {
namespace {

// Uniform numbers and shuffles from the exactly specified mt19937_64 (the standard distributions
// differ between library implementations).
class Random {
public:
    explicit Random(uint64_t seed) : engine_(seed) {}
    double uniform() { return double(engine_() >> 11) * 0x1.0p-53; } // [0, 1)
    uint64_t below(uint64_t bound) { return engine_() % bound; }

private:
    std::mt19937_64 engine_;
};

struct AdamMoments {
    std::vector<float> mean;
    std::vector<float> variance;
};

// One Dense layer with its gradient and Adam state; kernel in Keras layout [in, out].
struct DenseLayer {
    uint32_t in = 0;
    uint32_t out = 0;
    std::vector<float> kernel;
    std::vector<float> bias;
    std::vector<float> kernelGrad;
    std::vector<float> biasGrad;
    AdamMoments kernelMoments;
    AdamMoments biasMoments;

    DenseLayer(uint32_t inputs, uint32_t outputs, Random& random)
        : in(inputs), out(outputs), kernel(size_t(inputs) * outputs), bias(outputs),
          kernelGrad(kernel.size()),
          biasGrad(outputs), kernelMoments{std::vector<float>(kernel.size()),
                                           std::vector<float>(kernel.size())},
          biasMoments{std::vector<float>(outputs), std::vector<float>(outputs)} {
        const double limit = std::sqrt(6.0 / double(inputs + outputs)); // Glorot uniform
        for (float& weight : kernel)
            weight = float((2.0 * random.uniform() - 1.0) * limit);
    }
};

constexpr size_t kRowsPerTask = 8;

// out[b, j] = bias[j] + sum_i in[b, i] * kernel[i, j], the evaluator's own Dense operator.
void forward(const DenseLayer& layer, const float* in, size_t batch, float* out) {
    parallelForChunks(batch, kRowsPerTask, [&](size_t begin, size_t end) {
        denseForward(std::span(in + begin * layer.in, (end - begin) * layer.in), end - begin,
                     layer.in, layer.kernel, layer.bias, layer.out,
                     std::span(out + begin * layer.out, (end - begin) * layer.out));
    });
}

// Gradients of `layer` from its input and the gradient of its output; inGrad (when not null)
// receives the gradient of the input.
void backward(DenseLayer& layer, const float* in, const float* outGrad, size_t batch,
              float* inGrad) {
    parallelForChunks(layer.in, kRowsPerTask, [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
            float* grad = layer.kernelGrad.data() + i * layer.out;
            std::fill(grad, grad + layer.out, 0.0f);
            for (size_t b = 0; b < batch; ++b)
                if (const float value = in[b * layer.in + i]; value != 0.0f)
                    addScaled(grad, value, outGrad + b * layer.out, layer.out);
        }
    });
    std::fill(layer.biasGrad.begin(), layer.biasGrad.end(), 0.0f);
    for (size_t b = 0; b < batch; ++b)
        for (size_t j = 0; j < layer.out; ++j)
            layer.biasGrad[j] += outGrad[b * layer.out + j];
    if (!inGrad)
        return;
    parallelForChunks(batch, kRowsPerTask, [&](size_t begin, size_t end) {
        for (size_t b = begin; b < end; ++b) {
            for (size_t i = 0; i < layer.in; ++i)
                inGrad[b * layer.in + i] = dotProduct(
                    outGrad + b * layer.out, layer.kernel.data() + i * layer.out, layer.out);
        }
    });
}

// Adam as Keras applies it (epsilon 1e-7, bias correction folded into the step size).
void adamStep(std::vector<float>& weights, const std::vector<float>& grad, AdamMoments& moments,
              float stepSize) {
    constexpr float kBeta1 = 0.9f;
    constexpr float kBeta2 = 0.999f;
    constexpr float kEpsilon = 1e-7f;
    for (size_t k = 0; k < weights.size(); ++k) {
        moments.mean[k] = kBeta1 * moments.mean[k] + (1 - kBeta1) * grad[k];
        moments.variance[k] = kBeta2 * moments.variance[k] + (1 - kBeta2) * grad[k] * grad[k];
        weights[k] -= stepSize * moments.mean[k] / (std::sqrt(moments.variance[k]) + kEpsilon);
    }
}

class Network {
public:
    Network(uint32_t inputs, const std::vector<uint32_t>& hidden, uint32_t classes,
            Random& random) {
        uint32_t width = inputs;
        for (uint32_t units : hidden) {
            layers_.emplace_back(width, units, random);
            width = units;
        }
        layers_.emplace_back(width, classes, random);
    }

    const std::vector<DenseLayer>& layers() const { return layers_; }

    // Fills activations_[0..] for `batch` rows of `inputs`; returns the logits.
    const float* run(const float* inputs, size_t batch) {
        activations_.resize(layers_.size() + 1);
        const float* current = inputs;
        for (size_t l = 0; l < layers_.size(); ++l) {
            std::vector<float>& out = activations_[l + 1];
            out.resize(batch * layers_[l].out);
            forward(layers_[l], current, batch, out.data());
            if (l + 1 < layers_.size())
                for (float& value : out)
                    value = std::max(value, 0.0f);
            current = out.data();
        }
        return current;
    }

    // One Adam step on the batch last run(); `logitGrad` is d loss / d logits.
    void train(const float* inputs, size_t batch, std::vector<float>& logitGrad, float stepSize) {
        std::vector<float> grad = std::move(logitGrad);
        std::vector<float> inGrad;
        for (size_t l = layers_.size(); l-- > 0;) {
            const float* in = l == 0 ? inputs : activations_[l].data();
            inGrad.resize(l == 0 ? 0 : batch * layers_[l].in);
            backward(layers_[l], in, grad.data(), batch, l == 0 ? nullptr : inGrad.data());
            if (l > 0)
                for (size_t k = 0; k < inGrad.size(); ++k)
                    inGrad[k] = in[k] > 0.0f ? inGrad[k] : 0.0f; // ReLU derivative
            std::swap(grad, inGrad);
        }
        for (DenseLayer& layer : layers_) {
            adamStep(layer.kernel, layer.kernelGrad, layer.kernelMoments, stepSize);
            adamStep(layer.bias, layer.biasGrad, layer.biasMoments, stepSize);
        }
    }

private:
    std::vector<DenseLayer> layers_;
    std::vector<std::vector<float>> activations_;
};

void loadBatch(const IdxDataset& data, const size_t* indices, size_t count, float* out) {
    const size_t pixels = data.pixelsPerImage();
    for (size_t b = 0; b < count; ++b) {
        const std::span<const uint8_t> image = data.image(indices[b]);
        for (size_t p = 0; p < pixels; ++p)
            out[b * pixels + p] = float(image[p]) / 255.0f;
    }
}

double testAccuracy(Network& network, const IdxDataset& test, uint32_t classes) {
    constexpr size_t kBatch = 256;
    std::vector<size_t> indices(test.size());
    std::iota(indices.begin(), indices.end(), 0);
    std::vector<float> inputs(kBatch * test.pixelsPerImage());
    size_t correct = 0;
    for (size_t start = 0; start < test.size(); start += kBatch) {
        const size_t count = std::min(kBatch, test.size() - start);
        loadBatch(test, indices.data() + start, count, inputs.data());
        const float* logits = network.run(inputs.data(), count);
        for (size_t b = 0; b < count; ++b) {
            const float* row = logits + b * classes;
            correct += size_t(std::max_element(row, row + classes) - row) == test.label(start + b);
        }
    }
    return test.size() ? double(correct) / double(test.size()) : 0.0;
}

nlohmann::json modelConfig(const IdxDataset& data, const std::vector<std::string>& names,
                           const std::vector<DenseLayer>& layers) {
    using nlohmann::json;
    json list = json::array();
    list.push_back({{"class_name", "InputLayer"},
                    {"config",
                     {{"batch_input_shape", {nullptr, data.rows(), data.cols()}},
                      {"dtype", "float32"},
                      {"sparse", false},
                      {"ragged", false},
                      {"name", "flatten_input"}}}});
    list.push_back({{"class_name", "Flatten"},
                    {"config",
                     {{"name", "flatten"},
                      {"trainable", true},
                      {"dtype", "float32"},
                      {"batch_input_shape", {nullptr, data.rows(), data.cols()}},
                      {"data_format", "channels_last"}}}});
    for (size_t l = 0; l < layers.size(); ++l)
        list.push_back({{"class_name", "Dense"},
                        {"config",
                         {{"name", names[l + 1]},
                          {"trainable", true},
                          {"dtype", "float32"},
                          {"units", layers[l].out},
                          {"activation", l + 1 < layers.size() ? "relu" : "softmax"},
                          {"use_bias", true}}}});
    return {{"class_name", "Sequential"}, {"config", {{"name", "bitlens_demo"}, {"layers", list}}}};
}

void checkOptions(const IdxDataset& train, const IdxDataset& test,
                  const DemoTrainingOptions& options) {
    if (train.size() == 0 || test.size() == 0)
        throw Error("demo training needs non-empty training and test sets");
    if (train.rows() != test.rows() || train.cols() != test.cols())
        throw Error("training and test images differ in size");
    if (options.epochs < 1 || options.epochs > 1000)
        throw Error("epochs must be 1..1000");
    if (options.batchSize < 1 || options.batchSize > 65536)
        throw Error("batch size must be 1..65536");
    if (options.hidden.empty() || options.hidden.size() > 16)
        throw Error("the demo model needs 1..16 hidden layers");
    for (uint32_t units : options.hidden)
        if (units < 1 || units > 65536)
            throw Error("hidden layer widths must be 1..65536");
    if (!(options.learningRate > 0.0f) || !std::isfinite(options.learningRate))
        throw Error("the learning rate must be positive");
}

} // namespace

DemoTrainingResult trainDemoClassifier(const IdxDataset& train, const IdxDataset& test,
                                       const std::filesystem::path& output,
                                       const DemoTrainingOptions& options,
                                       const ProgressFn& progress) {
    checkOptions(train, test, options);
    const uint32_t classes = std::max(train.classCount(), test.classCount());
    const size_t pixels = train.pixelsPerImage();
    Random random(options.seed);
    Network network(uint32_t(pixels), options.hidden, classes, random);

    const size_t batchSize = options.batchSize;
    const uint64_t batchesPerEpoch = (train.size() + batchSize - 1) / batchSize;
    const uint64_t totalBatches = batchesPerEpoch * options.epochs;
    std::vector<size_t> order(train.size());
    std::iota(order.begin(), order.end(), 0);
    std::vector<float> inputs(batchSize * pixels);
    std::vector<float> logitGrad;
    DemoTrainingResult result;
    uint64_t step = 0;
    for (uint32_t epoch = 0; epoch < options.epochs; ++epoch) {
        for (size_t i = order.size(); i > 1; --i) // Fisher-Yates
            std::swap(order[i - 1], order[random.below(i)]);
        double lossSum = 0;
        for (size_t start = 0; start < order.size(); start += batchSize) {
            const size_t count = std::min(batchSize, order.size() - start);
            loadBatch(train, order.data() + start, count, inputs.data());
            const float* logits = network.run(inputs.data(), count);
            // Softmax cross-entropy: d loss / d logits = (p - onehot) / count.
            logitGrad.assign(logits, logits + count * classes);
            for (size_t b = 0; b < count; ++b) {
                float* row = logitGrad.data() + b * classes;
                const float largest = *std::max_element(row, row + classes);
                double sum = 0;
                for (size_t c = 0; c < classes; ++c)
                    sum += std::exp(double(row[c] - largest));
                const uint8_t label = train.label(order[start + b]);
                lossSum += std::log(sum) - double(row[label] - largest);
                for (size_t c = 0; c < classes; ++c)
                    row[c] = float(std::exp(double(row[c] - largest)) / sum - (c == label)) /
                             float(count);
            }
            ++step;
            const double correction = std::sqrt(1.0 - std::pow(0.999, double(step))) /
                                      (1.0 - std::pow(0.9, double(step)));
            network.train(inputs.data(), count, logitGrad,
                          float(options.learningRate * correction));
            if (progress && !progress(step, totalBatches))
                throw Cancelled();
        }
        result.epochLoss.push_back(lossSum / double(train.size()));
    }
    result.testAccuracy = testAccuracy(network, test, classes);

    const std::vector<DenseLayer>& layers = network.layers();
    std::vector<std::string> names = {"flatten"};
    for (size_t l = 0; l < layers.size(); ++l)
        names.push_back(l == 0 ? "dense" : "dense_" + std::to_string(l));
    std::vector<KerasLayerData> data = {{"flatten", {}}};
    for (size_t l = 0; l < layers.size(); ++l)
        data.push_back({names[l + 1],
                        {{"kernel:0", {layers[l].in, layers[l].out}, layers[l].kernel},
                         {"bias:0", {layers[l].out}, layers[l].bias}}});
    writeKerasH5(output, modelConfig(train, names, layers), data);
    return result;
}

} // namespace bitlens
