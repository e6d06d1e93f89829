// SPDX-License-Identifier: MIT
#include "KerasTestCheckpoint.h"
#include "core/eval/KerasModel.h"
#include "core/eval/KerasWeights.h"
#include "core/eval/LayerMath.h"
#include "core/util/Error.h"

#include <QTest>
#include <cmath>

using namespace bitlens;
using bitlens::test::layerJson;
using bitlens::test::sequentialConfig;
using nlohmann::json;

namespace {

QString parseError(const json& config) {
    try {
        KerasModel::fromConfig(config);
    } catch (const Error& error) {
        return QString::fromStdString(error.what());
    }
    return QStringLiteral("no error");
}

json conv(const std::string& name, int filters, json kernel, json strides, const char* padding) {
    return layerJson("Conv2D", {{"name", name},
                                {"filters", filters},
                                {"kernel_size", std::move(kernel)},
                                {"strides", std::move(strides)},
                                {"padding", padding},
                                {"data_format", "channels_last"},
                                {"dilation_rate", {1, 1}},
                                {"activation", "relu"},
                                {"use_bias", true}});
}

std::vector<float> iota(size_t count) {
    std::vector<float> values(count);
    for (size_t i = 0; i < count; ++i)
        values[i] = float(i + 1);
    return values;
}

} // namespace

class TestKerasModel : public QObject {
    Q_OBJECT
private slots:
    void sequentialMlp() {
        // The layer list of shared/data/keras/mnist_mlp.h5 (Keras 2.12), trimmed.
        const json config = json::parse(R"({"class_name": "Sequential", "config": {
            "name": "sequential", "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 28, 28],
                "dtype": "float32", "sparse": false, "ragged": false, "name": "flatten_input"}},
            {"class_name": "Flatten", "config": {"name": "flatten", "trainable": true,
                "batch_input_shape": [null, 28, 28], "data_format": "channels_last"}},
            {"class_name": "Dense", "config": {"name": "dense", "units": 128,
                "activation": "relu", "use_bias": true}},
            {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.2}},
            {"class_name": "Dense", "config": {"name": "dense_1", "units": 10,
                "activation": "softmax", "use_bias": true}}]}})");
        const KerasModel model = KerasModel::fromConfig(config);
        QCOMPARE(model.name(), std::string("sequential"));
        QCOMPARE(model.inputShape(), (std::vector<uint64_t>{28, 28}));
        QCOMPARE(model.layers().size(), size_t(4));
        QCOMPARE(model.layers()[0].outputShape, std::vector<uint64_t>{784});
        QCOMPARE(model.layers()[1].activation.kind, ActivationKind::Relu);
        QCOMPARE(model.layers()[2].kind, LayerKind::Dropout);
        QCOMPARE(model.layers()[3].activation.kind, ActivationKind::Softmax);
        QCOMPARE(model.outputShape(), std::vector<uint64_t>{10});
        const std::vector<WeightSpec> weights = expectedWeights(model.layers()[1]);
        QCOMPARE(weights.size(), size_t(2));
        QCOMPARE(weights[0].role, std::string("kernel"));
        QCOMPARE(weights[0].shape, (std::vector<uint64_t>{784, 128}));
        QCOMPARE(weights[1].shape, std::vector<uint64_t>{128});
    }

    void functionalChains() {
        // Keras 2 serialisation of inbound nodes.
        const json keras2 = json::parse(R"({"class_name": "Functional", "config": {
            "name": "model", "layers": [
            {"class_name": "InputLayer", "name": "in", "inbound_nodes": [],
             "config": {"name": "in", "batch_input_shape": [null, 8, 8, 3]}},
            {"class_name": "GlobalAveragePooling2D", "name": "gap",
             "config": {"name": "gap", "data_format": "channels_last", "keepdims": false},
             "inbound_nodes": [[["in", 0, 0, {}]]]},
            {"class_name": "Dense", "name": "out", "config": {"name": "out", "units": 4},
             "inbound_nodes": [[["gap", 0, 0, {}]]]}],
            "input_layers": [["in", 0, 0]], "output_layers": [["out", 0, 0]]}})");
        const KerasModel model = KerasModel::fromConfig(keras2);
        QCOMPARE(model.layers()[0].outputShape, std::vector<uint64_t>{3});
        QCOMPARE(model.outputShape(), std::vector<uint64_t>{4});
        QCOMPARE(model.layers()[1].activation.kind, ActivationKind::Linear);

        // Keras 3 serialisation: keras_history inside args, batch_shape.
        const json keras3 = json::parse(R"({"class_name": "Functional", "config": {
            "name": "f", "layers": [
            {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
             "config": {"name": "x", "batch_shape": [null, 6]}},
            {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2},
             "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
                 "shape": [null, 6], "keras_history": ["x", 0, 0]}}], "kwargs": {}}]}],
            "output_layers": ["d", 0, 0]}})");
        QCOMPARE(KerasModel::fromConfig(keras3).outputShape(), std::vector<uint64_t>{2});

        json branching = keras2;
        branching["config"]["layers"][2]["inbound_nodes"] = json::parse(R"([[["in", 0, 0, {}]]])");
        QCOMPARE(parseError(branching),
                 QStringLiteral("layer out does not follow the layer before it (only linear "
                                "chains of layers are supported)"));
        json twoInputs = keras2;
        twoInputs["config"]["layers"][2]["inbound_nodes"] =
            json::parse(R"([[["gap", 0, 0, {}], ["in", 0, 0, {}]]])");
        QVERIFY(parseError(twoInputs).contains("only linear chains"));
    }

    void convolutionShapes_data() {
        QTest::addColumn<QByteArray>("kernel");
        QTest::addColumn<QByteArray>("strides");
        QTest::addColumn<QString>("padding");
        QTest::addColumn<uint>("outHeight");
        QTest::addColumn<uint>("outWidth");
        QTest::addColumn<uint>("padTop");
        QTest::addColumn<uint>("padLeft");
        // Input 5x7: TensorFlow's sizes.
        QTest::newRow("valid 3 stride 1")
            << QByteArray("3") << QByteArray("1") << "valid" << 3u << 5u << 0u << 0u;
        QTest::newRow("valid 3x2 stride 2")
            << QByteArray("[3, 2]") << QByteArray("2") << "valid" << 2u << 3u << 0u << 0u;
        QTest::newRow("same 3 stride 1")
            << QByteArray("3") << QByteArray("1") << "same" << 5u << 7u << 1u << 1u;
        QTest::newRow("same 3 stride 2")
            << QByteArray("3") << QByteArray("[2, 2]") << "same" << 3u << 4u << 1u << 1u;
        QTest::newRow("same 4 stride 2")
            << QByteArray("4") << QByteArray("2") << "same" << 3u << 4u << 1u << 1u;
        QTest::newRow("same 2 stride 3")
            << QByteArray("2") << QByteArray("3") << "same" << 2u << 3u << 0u << 0u;
    }
    void convolutionShapes() {
        QFETCH(QByteArray, kernel);
        QFETCH(QByteArray, strides);
        QFETCH(QString, padding);
        QFETCH(uint, outHeight);
        QFETCH(uint, outWidth);
        QFETCH(uint, padTop);
        QFETCH(uint, padLeft);
        const KerasModel model = KerasModel::fromConfig(sequentialConfig(
            {5, 7, 2}, {conv("c", 4, json::parse(kernel.toStdString()),
                             json::parse(strides.toStdString()), padding.toStdString().c_str())}));
        const KerasLayer& layer = model.layers()[0];
        QCOMPARE(layer.geometry.outHeight, outHeight);
        QCOMPARE(layer.geometry.outWidth, outWidth);
        QCOMPARE(layer.geometry.padTop, padTop);
        QCOMPARE(layer.geometry.padLeft, padLeft);
        QCOMPARE(layer.outputShape, (std::vector<uint64_t>{outHeight, outWidth, 4}));
        QCOMPARE(expectedWeights(layer)[0].shape,
                 (std::vector<uint64_t>{layer.window.height, layer.window.width, 2, 4}));
    }

    void rejectedConfigs_data() {
        QTest::addColumn<QByteArray>("layer");
        QTest::addColumn<QString>("message");
        QTest::newRow("LSTM") << QByteArray(R"({"class_name": "LSTM", "config": {"name": "lstm"}})")
                              << "layer lstm of type LSTM is not supported";
        QTest::newRow("channels first")
            << QByteArray(R"({"class_name": "MaxPooling2D", "config": {"name": "p",
                   "data_format": "channels_first"}})")
            << "layer p: data_format 'channels_first' is not supported (channels_last only)";
        QTest::newRow("dilation")
            << QByteArray(R"({"class_name": "Conv2D", "config": {"name": "c", "filters": 2,
                   "kernel_size": 3, "dilation_rate": [2, 2]}})")
            << "layer c: dilation_rate other than 1 is not supported";
        QTest::newRow("activation")
            << QByteArray(R"({"class_name": "Dense", "config": {"name": "d", "units": 2,
                   "activation": "hard_silu"}})")
            << "layer d: activation 'hard_silu' is not supported";
        QTest::newRow("window too big")
            << QByteArray(R"({"class_name": "Conv2D", "config": {"name": "c", "filters": 2,
                   "kernel_size": 5, "padding": "valid"}})")
            << "layer c: window of 5 does not fit the input of 4 with \"valid\" padding";
        QTest::newRow("zero units")
            << QByteArray(R"({"class_name": "Dense", "config": {"name": "d", "units": 0}})")
            << "layer d: units must be an integer in 1..16777216";
        QTest::newRow("batchnorm axis")
            << QByteArray(R"({"class_name": "BatchNormalization", "config": {"name": "bn",
                   "axis": 1}})")
            << "layer bn: only the last (channels) axis is supported, not 1";
    }
    void rejectedConfigs() {
        QFETCH(QByteArray, layer);
        QFETCH(QString, message);
        QCOMPARE(parseError(sequentialConfig({4, 4, 3}, {json::parse(layer.toStdString())})),
                 message);
    }

    void inputShapeIsRequired() {
        const json config = {
            {"class_name", "Sequential"},
            {"config", {{"layers", {layerJson("Dense", {{"name", "d"}, {"units", 2}})}}}}};
        QCOMPARE(parseError(config), QStringLiteral("model_config does not give the input shape "
                                                    "(no batch_input_shape)"));
        QCOMPARE(parseError(json::parse(R"({"class_name": "Subclassed", "config": {}})")),
                 QStringLiteral("model of type Subclassed is not supported (Sequential or "
                                "Functional only)"));
    }

    void activationLayers() {
        const KerasModel model = KerasModel::fromConfig(sequentialConfig(
            {3}, {layerJson("LeakyReLU", {{"name", "a"}, {"alpha", 0.1}}),
                  layerJson("LeakyReLU", {{"name", "b"}, {"negative_slope", 0.2}}),
                  layerJson("LeakyReLU", {{"name", "c"}}),
                  layerJson("ReLU", {{"name", "d"}, {"max_value", 6.0}, {"threshold", 1.0}}),
                  layerJson("Activation", {{"name", "e"}, {"activation", "leaky_relu"}}),
                  layerJson("Softmax", {{"name", "f"}, {"axis", -1}})}));
        const auto& layers = model.layers();
        QCOMPARE(layers[0].activation.negativeSlope, 0.1f);
        QCOMPARE(layers[1].activation.negativeSlope, 0.2f);
        QCOMPARE(layers[2].activation.negativeSlope, 0.3f);
        QCOMPARE(layers[3].activation.maxValue, 6.0f);
        QCOMPARE(layers[3].activation.threshold, 1.0f);
        QCOMPARE(layers[4].activation.negativeSlope, 0.2f);
        QCOMPARE(layers[5].activation.kind, ActivationKind::Softmax);
    }

    void activationMath() {
        std::vector<float> leaky = {-2, 0, 3};
        applyActivation(Activation::leakyRelu(0.3f), leaky, 3);
        QCOMPARE(leaky, (std::vector<float>{-0.6f, 0, 3}));
        Activation capped{ActivationKind::Relu, 0.5f, 6.0f, 1.0f};
        std::vector<float> relu = {0, 3, 10};
        applyActivation(capped, relu, 3);
        QCOMPARE(relu, (std::vector<float>{-0.5f, 3, 6}));
        std::vector<float> softmax = {0, std::log(3.0f), 5, 5};
        applyActivation({ActivationKind::Softmax}, softmax, 2);
        const std::vector<float> expected = {0.25f, 0.75f, 0.5f, 0.5f};
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(std::abs(softmax[i] - expected[i]) < 1e-6f, qPrintable(QString::number(i)));
        std::vector<float> gelu = {1};
        applyActivation({ActivationKind::Gelu}, gelu, 1);
        QVERIFY(std::abs(gelu[0] - 0.8413447f) < 1e-6f);
    }

    void convolutionMath() {
        const std::vector<float> image = iota(9); // 3x3x1: 1..9
        std::vector<float> out(4);
        const Window2D valid{2, 2, 1, 1, false};
        conv2dForward(image, {3, 3, 1}, valid, windowGeometry(3, 3, valid, "c"),
                      std::vector<float>{1, 2, 3, 4}, std::vector<float>{0.5f}, 1, out);
        QCOMPARE(out, (std::vector<float>{37.5f, 47.5f, 67.5f, 77.5f}));

        // 4x4 input, 3x3 ones kernel, stride 2 "same": padding 0 above/left, 1 below/right.
        const Window2D same{3, 3, 2, 2, true};
        conv2dForward(iota(16), {4, 4, 1}, same, windowGeometry(4, 4, same, "c"),
                      std::vector<float>(9, 1.0f), {}, 1, out);
        QCOMPARE(out, (std::vector<float>{54, 45, 72, 54}));

        // Kernel layout [kh, kw, in, out]: 1x1 convolution of two channels into two filters.
        std::vector<float> mixed(2);
        const Window2D point{1, 1, 1, 1, false};
        conv2dForward(std::vector<float>{1, 2}, {1, 1, 2}, point, windowGeometry(1, 1, point, "c"),
                      std::vector<float>{1, 10, 100, 1000}, {}, 2, mixed);
        QCOMPARE(mixed, (std::vector<float>{201, 2010}));

        std::vector<float> dense(3);
        denseForward(std::vector<float>{1, 2, 3, 4}, 2, 2, std::vector<float>{1, 10, 100, 1000}, {},
                     2, std::span(dense.data(), 2));
        QCOMPARE(dense[0], 201.0f);
        QCOMPARE(dense[1], 2010.0f);
    }

    void poolingMath() {
        const std::vector<float> image = iota(9); // 3x3x1
        std::vector<float> out(4);
        const Window2D same{2, 2, 2, 2, true};
        const WindowGeometry geometry = windowGeometry(3, 3, same, "p");
        maxPool2d(image, {3, 3, 1}, same, geometry, out);
        QCOMPARE(out, (std::vector<float>{5, 6, 8, 9}));
        averagePool2d(image, {3, 3, 1}, same, geometry, out);
        QCOMPARE(out, (std::vector<float>{3, 4.5f, 7.5f, 9})); // padded cells not counted
        const Window2D valid{2, 2, 1, 1, false};
        maxPool2d(image, {3, 3, 1}, valid, windowGeometry(3, 3, valid, "p"), out);
        QCOMPARE(out, (std::vector<float>{5, 6, 8, 9}));
        std::vector<float> channels(2);
        globalAveragePool2d(iota(8), {2, 2, 2}, channels);
        QCOMPARE(channels, (std::vector<float>{4, 5}));
    }

    void batchNormMath() {
        std::vector<float> out(4);
        batchNormForward(std::vector<float>{1, 2, 3, 4}, 2, std::vector<float>{2, 1},
                         std::vector<float>{0.5f, 0}, std::vector<float>{1, 2},
                         std::vector<float>{4, 0.25f}, 0.0f, out);
        QCOMPARE(out, (std::vector<float>{0.5f, 0, 2.5f, 4}));
        batchNormForward(std::vector<float>{1, 2, 3, 4}, 2, {}, {}, std::vector<float>{1, 2},
                         std::vector<float>{4, 0.25f}, 0.0f, out);
        QCOMPARE(out, (std::vector<float>{0, 0, 1, 4}));
        const KerasModel model = KerasModel::fromConfig(sequentialConfig(
            {5, 5, 3}, {layerJson("BatchNormalization", {{"name", "bn"},
                                                         {"axis", json::array({3})},
                                                         {"center", false},
                                                         {"epsilon", 0.01}})}));
        const std::vector<WeightSpec> weights = expectedWeights(model.layers()[0]);
        QCOMPARE(weights.size(), size_t(3));
        QCOMPARE(weights[0].role, std::string("gamma"));
        QCOMPARE(weights[1].role, std::string("moving_mean"));
        QCOMPARE(weights[2].shape, std::vector<uint64_t>{3});
        QCOMPARE(model.layers()[0].epsilon, 0.01f);
    }

    void weightNames() {
        const KerasWeightName plain = parseKerasWeightName("dense/dense/kernel:0");
        QCOMPARE(plain.layer, std::string("dense"));
        QCOMPARE(plain.role, std::string("kernel"));
        const KerasWeightName rooted = parseKerasWeightName("model_weights/bn/bn/moving_mean:0");
        QCOMPARE(rooted.layer, std::string("bn"));
        QCOMPARE(rooted.role, std::string("moving_mean"));
        QCOMPARE(parseKerasWeightName("conv/vars/kernel").role, std::string("kernel"));
        QVERIFY(parseKerasWeightName("kernel:0").layer.empty());
    }

    void weightLookup() {
        QTemporaryDir dir;
        const json config =
            sequentialConfig({3}, {layerJson("Dense", {{"name", "d"}, {"units", 2}})});
        const KerasModel model = KerasModel::fromConfig(config);
        const auto good = test::makeKerasCheckpoint(
            dir, config, {{"d/d/bias:0", {2}, {0, 0}}, {"d/d/kernel:0", {3, 2}, iota(6)}});
        QCOMPARE(findLayerWeights(*good, model.layers()[0]), (std::vector<size_t>{1, 0}));
        QTemporaryDir other;
        const auto wrong = test::makeKerasCheckpoint(
            other, config, {{"d/d/kernel:0", {2, 3}, iota(6)}, {"d/d/bias:0", {2}, {0, 0}}});
        try {
            findLayerWeights(*wrong, model.layers()[0]);
            QFAIL("no error");
        } catch (const Error& error) {
            QCOMPARE(QString(error.what()), QStringLiteral("layer d: d/d/kernel:0 has shape "
                                                           "[2, 3], the layer needs [3, 2]"));
        }
        QTemporaryDir third;
        const auto missing =
            test::makeKerasCheckpoint(third, config, {{"d/d/kernel:0", {3, 2}, iota(6)}});
        QVERIFY_THROWS_EXCEPTION(Error, findLayerWeights(*missing, model.layers()[0]));
    }
};

QTEST_GUILESS_MAIN(TestKerasModel)
#include "tst_kerasmodel.moc"
