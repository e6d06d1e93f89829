// SPDX-License-Identifier: MIT
#include "KerasTestCheckpoint.h"
#include "common/TestData.h"
#include "core/demo/DemoTrainer.h"
#include "core/eval/ClassifierEvaluator.h"
#include "core/eval/ClassifierNetwork.h"
#include "core/eval/KerasWeights.h"
#include "core/io/CheckpointReader.h"
#include "core/quant/FormatRegistry.h"
#include "core/util/Error.h"

#include <QDir>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <cstring>

using namespace bitlens;
using bitlens::test::layerJson;
using bitlens::test::sequentialConfig;
using nlohmann::json;

namespace {

// Two levels per output channel: sign(x) * max |x| of the channel. Wrong rows (input positions
// instead of output channels) give visibly different values.
class SignTimesRowMax final : public Format {
public:
    std::string id() const override { return "test-sign-rowmax"; }
    std::string description() const override { return "test format"; }
    FormatFamily family() const override { return FormatFamily::Integer; }
    uint64_t blockLength(uint64_t rowLength) const override { return rowLength; }
    std::string unsupportedReason(uint64_t rowLength) const override {
        return rowLength % 2 == 0 ? "" : "row length " + std::to_string(rowLength) + " is odd";
    }
    uint64_t packedBytes(MatrixShape shape) const override {
        return shape.rows * sizeof(float) + shape.elements();
    }
    void quantize(std::span<const float> src, MatrixShape shape,
                  std::span<std::byte> dst) const override {
        for (uint64_t r = 0; r < shape.rows; ++r) {
            float largest = 0;
            for (uint64_t c = 0; c < shape.rowLength; ++c)
                largest = std::max(largest, std::abs(src[r * shape.rowLength + c]));
            std::memcpy(dst.data() + r * sizeof(float), &largest, sizeof(float));
            for (uint64_t c = 0; c < shape.rowLength; ++c)
                dst[shape.rows * sizeof(float) + r * shape.rowLength + c] =
                    std::byte(src[r * shape.rowLength + c] < 0);
        }
    }
    void dequantize(std::span<const std::byte> src, MatrixShape shape,
                    std::span<float> dst) const override {
        for (uint64_t r = 0; r < shape.rows; ++r) {
            float largest = 0;
            std::memcpy(&largest, src.data() + r * sizeof(float), sizeof(float));
            for (uint64_t c = 0; c < shape.rowLength; ++c)
                dst[r * shape.rowLength + c] =
                    src[shape.rows * sizeof(float) + r * shape.rowLength + c] == std::byte{1}
                        ? -largest
                        : largest;
        }
    }
};

// Flatten -> Dense 2: class 0 scores pixel 0, class 1 scores pixel 3 of a 2x2 image.
json pickerConfig(const char* activation) {
    return sequentialConfig(
        {2, 2},
        {layerJson("Flatten", {{"name", "flatten"}}),
         layerJson("Dense", {{"name", "dense"}, {"units", 2}, {"activation", activation}})});
}
std::vector<test::TestTensor> pickerWeights() {
    return {{"dense/dense/kernel:0", {4, 2}, {1, 0, 0, 0, 0, 0, 0, 1}},
            {"dense/dense/bias:0", {2}, {0, 0}}};
}
// Four images; the third is mislabelled.
IdxDataset pickerImages() {
    return IdxDataset(2, 2, {9, 0, 0, 1, 1, 0, 0, 9, 5, 0, 0, 2, 0, 0, 0, 3}, {0, 1, 1, 1});
}

std::vector<float> tensorValues(const WeightSource& source, const Checkpoint& checkpoint,
                                const std::string& name) {
    return source.values(checkpoint, size_t(checkpoint.findTensor(name)));
}

IdxDataset mnistTest() {
    return IdxDataset::load(test::sharedDataPath("mnist/t10k-images-idx3-ubyte.gz").toStdString(),
                            test::sharedDataPath("mnist/t10k-labels-idx1-ubyte.gz").toStdString());
}

} // namespace

class TestClassifierEval : public QObject {
    Q_OBJECT
private slots:
    void accuracyAndIdenticalModels() {
        QTemporaryDir dir;
        const auto checkpoint =
            test::makeKerasCheckpoint(dir, pickerConfig("softmax"), pickerWeights());
        ClassifierEvaluator evaluator(*checkpoint);
        QCOMPARE(evaluator.classCount(), uint64_t(2));
        const ClassifierScore score = evaluator.scoreOriginal(pickerImages(), 1.0f);
        QCOMPARE(score.correct, uint64_t(3));
        QCOMPARE(score.count, uint64_t(4));
        QCOMPARE(score.accuracy(), 0.75);
        const ClassifierComparison same =
            evaluator.compare(pickerImages(), 1.0f, OriginalWeights());
        QCOMPARE(same.kldMean, 0.0);
        QCOMPARE(same.agreement(), 1.0);
        QCOMPARE(same.quantized.correct, uint64_t(3));
    }

    void klDivergenceOfKnownLogits() {
        // Without a softmax layer the outputs are logits.
        QTemporaryDir dir;
        const auto checkpoint =
            test::makeKerasCheckpoint(dir, pickerConfig("linear"), pickerWeights());
        ClassifierEvaluator evaluator(*checkpoint);
        const IdxDataset one(2, 2, {1, 0, 0, 0}, {0});
        const QuantizedWeights flattened(formatForKernels(std::make_shared<SignTimesRowMax>()));
        // Output channels (1, 0, 0, 0) and (0, 0, 0, 1) both become (1, 1, 1, 1) under
        // sign-times-max, so the logits (1, 0) of the image (1, 0, 0, 0) become (1, 1).
        const ClassifierComparison result = evaluator.compare(one, 1.0f, flattened);
        const double p0 = 1 / (1 + std::exp(-1.0)); // softmax of (1, 0)
        const double q0 = 0.5;                      // softmax of (1, 1)
        const double expected = p0 * std::log(p0 / q0) + (1 - p0) * std::log((1 - p0) / (1 - q0));
        QVERIFY2(std::abs(result.kldMean - expected) < 1e-9,
                 qPrintable(QString::number(result.kldMean)));
        QCOMPARE(result.agreeing, uint64_t(1)); // tie (1, 1): arg max takes the first class
    }

    void quantizedWeightsFollowOutputChannels() {
        QTemporaryDir dir;
        const auto checkpoint = test::makeKerasCheckpoint(
            dir, sequentialConfig({4}, {layerJson("Dense", {{"name", "d"}, {"units", 2}})}),
            {{"d/d/kernel:0", {4, 2}, {1, 100, 2, -50, 0.5f, 25, -1, 0}},
             {"d/d/bias:0", {2}, {3, -4}}});
        const QuantizedWeights quantized(formatForKernels(std::make_shared<SignTimesRowMax>()));
        // Output channel 0 is (1, 2, 0.5, -1), channel 1 is (100, -50, 25, 0); the stored layout
        // is [in, out].
        QCOMPARE(tensorValues(quantized, *checkpoint, "d/d/kernel:0"),
                 (std::vector<float>{2, 100, 2, -100, 2, 100, -2, 100}));
        QCOMPARE(tensorValues(quantized, *checkpoint, "d/d/bias:0"), (std::vector<float>{3, -4}));
        QCOMPARE(tensorValues(OriginalWeights(), *checkpoint, "d/d/kernel:0"),
                 (std::vector<float>{1, 100, 2, -50, 0.5f, 25, -1, 0}));

        QTemporaryDir odd;
        const auto oddRows = test::makeKerasCheckpoint(
            odd, sequentialConfig({3}, {layerJson("Dense", {{"name", "d"}, {"units", 1}})}),
            {{"d/d/kernel:0", {3, 1}, {1, 2, 3}}, {"d/d/bias:0", {1}, {0}}});
        try {
            tensorValues(quantized, *oddRows, "d/d/kernel:0");
            QFAIL("no error");
        } catch (const Error& error) {
            QCOMPARE(QString(error.what()),
                     QStringLiteral("tensor d/d/kernel:0: format test-sign-rowmax: row length 3 "
                                    "is odd"));
        }
    }

    void convolutionNetworkWiring() {
        // 2x2 image (1, 2, 3, 4) -> Conv2D 1x1, 2 filters: relu(x), relu(5 - x) -> BatchNorm
        // (identity) -> MaxPooling 2x2 -> (4, 4) -> Flatten -> Dense [[1, 0], [0, 2]] -> (4, 8).
        const json config = sequentialConfig(
            {2, 2, 1},
            {layerJson(
                 "Conv2D",
                 {{"name", "conv"}, {"filters", 2}, {"kernel_size", 1}, {"activation", "relu"}}),
             layerJson("BatchNormalization", {{"name", "bn"}, {"epsilon", 0.0}}),
             layerJson("MaxPooling2D", {{"name", "pool"}, {"pool_size", {2, 2}}}),
             layerJson("Flatten", {{"name", "flat"}}), layerJson("Dropout", {{"name", "drop"}}),
             layerJson("Dense", {{"name", "out"}, {"units", 2}, {"activation", "softmax"}})});
        QTemporaryDir dir;
        const auto checkpoint =
            test::makeKerasCheckpoint(dir, config,
                                      {{"conv/conv/kernel:0", {1, 1, 1, 2}, {1, -1}},
                                       {"conv/conv/bias:0", {2}, {0, 5}},
                                       {"bn/bn/gamma:0", {2}, {1, 1}},
                                       {"bn/bn/beta:0", {2}, {0, 0}},
                                       {"bn/bn/moving_mean:0", {2}, {0, 0}},
                                       {"bn/bn/moving_variance:0", {2}, {1, 1}},
                                       {"out/out/kernel:0", {2, 2}, {1, 0, 0, 2}},
                                       {"out/out/bias:0", {2}, {0, 0}}});
        const KerasModel model = KerasModel::fromConfig(config);
        std::vector<std::vector<size_t>> indices;
        for (const KerasLayer& layer : model.layers())
            indices.push_back(findLayerWeights(*checkpoint, layer));
        const ClassifierNetwork network(model, indices, *checkpoint, OriginalWeights());
        QVERIFY(network.endsInSoftmax());
        QCOMPARE(network.inputSize(), uint64_t(4));
        ClassifierNetwork::Workspace workspace;
        std::vector<float> logits(2);
        network.logits(std::vector<float>{1, 2, 3, 4}, logits, workspace);
        QCOMPARE(logits, (std::vector<float>{4, 8}));

        ClassifierEvaluator evaluator(*checkpoint);
        const IdxDataset images(2, 2, {1, 2, 3, 4, 4, 4, 4, 4}, {1, 1}); // (4, 8) and (4, 2)
        QCOMPARE(evaluator.scoreOriginal(images, 1.0f).correct, uint64_t(1));
    }

    void badInputs() {
        QTemporaryDir dir;
        const auto unsupported = test::makeKerasCheckpoint(
            dir, sequentialConfig({4}, {layerJson("LSTM", {{"name", "lstm"}})}), {});
        try {
            ClassifierEvaluator evaluator(*unsupported);
            QFAIL("no error");
        } catch (const Error& error) {
            QCOMPARE(QString(error.what()),
                     QStringLiteral("layer lstm of type LSTM is not supported"));
        }
        QTemporaryDir other;
        auto checkpoint =
            test::makeKerasCheckpoint(other, pickerConfig("softmax"), pickerWeights());
        ClassifierEvaluator evaluator(*checkpoint);
        const IdxDataset wrongSize(3, 3, std::vector<uint8_t>(9), {0});
        QVERIFY_THROWS_EXCEPTION(Error, evaluator.scoreOriginal(wrongSize, 1.0f));
        const IdxDataset wrongLabel(2, 2, std::vector<uint8_t>(4), {2});
        QVERIFY_THROWS_EXCEPTION(Error, evaluator.scoreOriginal(wrongLabel, 1.0f));
        checkpoint->mutableMetadata().erase("model_config");
        QVERIFY_THROWS_EXCEPTION(FileError, ClassifierEvaluator{*checkpoint});
    }

    void progressCancelAndCache() {
        QTemporaryDir dir;
        const auto checkpoint =
            test::makeKerasCheckpoint(dir, pickerConfig("softmax"), pickerWeights());
        ClassifierEvaluator evaluator(*checkpoint);
        std::vector<uint8_t> pixels(400 * 4);
        std::vector<uint8_t> labels(400);
        for (size_t i = 0; i < labels.size(); ++i) {
            pixels[i * 4] = uint8_t(i % 7);
            pixels[i * 4 + 3] = uint8_t(i % 5);
            labels[i] = uint8_t(i % 2);
        }
        const IdxDataset images(2, 2, pixels, labels);
        QVERIFY_THROWS_EXCEPTION(
            Cancelled,
            evaluator.scoreOriginal(images, 1.0f, [](uint64_t, uint64_t) { return false; }));
        uint64_t lastDone = 0;
        uint64_t lastTotal = 0;
        auto record = [&](uint64_t done, uint64_t total) {
            lastDone = done;
            lastTotal = total;
            return true;
        };
        evaluator.compare(images, 1.0f, OriginalWeights(), record);
        QCOMPARE(lastTotal, uint64_t(800)); // original and quantized runs
        QCOMPARE(lastDone, uint64_t(800));
        evaluator.compare(images, 1.0f, OriginalWeights(), record);
        QCOMPARE(lastTotal, uint64_t(400)); // the original outputs came from the cache
        evaluator.compare(images, 0.5f, OriginalWeights(), record);
        QCOMPARE(lastTotal, uint64_t(800)); // another input scale is another baseline
    }

    void mnistMlpAccuracy() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint =
            openCheckpoint(test::sharedDataPath("keras/mnist_mlp.h5").toStdString());
        ClassifierEvaluator evaluator(*checkpoint);
        const IdxDataset mnist = mnistTest();
        QCOMPARE(evaluator.scoreOriginal(mnist, 1.0f).correct, uint64_t(9792));
        QCOMPARE(evaluator.scoreOriginal(mnist, 1.0f / 255.0f).correct, uint64_t(9800));

        const QuantizedWeights int8(formatForKernels(makeFormat("int8-ch-sym")));
        const ClassifierComparison result = evaluator.compare(mnist, 1.0f / 255.0f, int8);
        QCOMPARE(result.original.correct, uint64_t(9800));
        QVERIFY2(std::abs(double(result.quantized.correct) - 9800.0) <= 20,
                 qPrintable(QString::number(result.quantized.correct)));
        QVERIFY2(result.agreement() > 0.99, qPrintable(QString::number(result.agreement())));
        QVERIFY2(result.kldMean > 0 && result.kldMean < 1e-2,
                 qPrintable(QString::number(result.kldMean)));
    }

    void tinyDemoTraining() {
        BITLENS_REQUIRE_SHARED_DATA();
        const IdxDataset mnist = mnistTest();
        const IdxDataset train = mnist.subset(0, 3000);
        const IdxDataset test = mnist.subset(9000, 1000);
        QTemporaryDir dir;
        const std::string path = dir.filePath("demo.h5").toStdString();
        DemoTrainingOptions options;
        options.epochs = 1;
        options.hidden = {32};
        options.seed = 7;
        const DemoTrainingResult result = trainDemoClassifier(train, test, path, options);
        QCOMPARE(result.epochLoss.size(), size_t(1));
        QVERIFY2(result.testAccuracy > 0.5, qPrintable(QString::number(result.testAccuracy)));

        const auto checkpoint = openCheckpoint(path);
        QCOMPARE(checkpoint->tensors().size(), size_t(4));
        ClassifierEvaluator evaluator(*checkpoint);
        const ClassifierScore score = evaluator.scoreOriginal(test, 1.0f / 255.0f);
        QCOMPARE(score.accuracy(), result.testAccuracy); // the same float32 operators

        // Same seed, same weights; a cancelled run leaves no file behind.
        const std::string again = dir.filePath("again.h5").toStdString();
        trainDemoClassifier(train, test, again, options);
        const auto repeated = openCheckpoint(again);
        for (const TensorInfo& tensor : checkpoint->tensors())
            QCOMPARE(tensorValues(OriginalWeights(), *repeated, tensor.name),
                     tensorValues(OriginalWeights(), *checkpoint, tensor.name));
        const std::string cancelled = dir.filePath("cancelled.h5").toStdString();
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, trainDemoClassifier(train, test, cancelled, options,
                                           [](uint64_t done, uint64_t) { return done < 3; }));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestClassifierEval)
#include "tst_classifier_eval.moc"
