// SPDX-License-Identifier: MIT
#include "common/Hdf5TestWriter.h"
#include "common/TestData.h"
#include "core/io/CheckpointReader.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QTest>
#include <numeric>

using namespace bitlens;
using bitlens::test::Hdf5TestWriter;

namespace {

std::vector<std::string> tensorNames(const Checkpoint& checkpoint) {
    std::vector<std::string> names;
    for (const TensorInfo& tensor : checkpoint.tensors())
        names.push_back(tensor.name);
    return names;
}

const TensorInfo& tensorNamed(const Checkpoint& checkpoint, const std::string& name) {
    const long index = checkpoint.findTensor(name);
    if (index < 0)
        throw std::runtime_error("no tensor " + name);
    return checkpoint.tensors()[size_t(index)];
}

std::vector<float> allFloats(const Checkpoint& checkpoint, const std::string& name) {
    const long index = checkpoint.findTensor(name);
    if (index < 0)
        return {};
    std::vector<float> values(checkpoint.tensors()[size_t(index)].elementCount());
    checkpoint.readFloats(size_t(index), 0, values.size(), values.data());
    return values;
}

// The dataset's values as HDF5 itself converts them to float, independent of the reader.
std::vector<float> hdf5Floats(const std::string& file, const std::string& dataset) {
    Hdf5Handle handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    Hdf5Handle data(H5Dopen2(handle.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
    Hdf5Handle space(H5Dget_space(data.get()), H5Sclose);
    if (!data.valid() || !space.valid())
        return {};
    std::vector<float> values(size_t(H5Sget_simple_extent_npoints(space.get())));
    if (H5Dread(data.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        return {};
    return values;
}

// A 16-bit float type: sign bit 15, `mantissaBits` of mantissa, `exponentBits` of exponent.
Hdf5Handle twoByteFloat(size_t mantissaBits, size_t exponentBits, size_t bias) {
    Hdf5Handle type(H5Tcopy(H5T_IEEE_F32LE), H5Tclose);
    if (H5Tset_fields(type.get(), 15, mantissaBits, exponentBits, 0, mantissaBits) < 0 ||
        H5Tset_precision(type.get(), 16) < 0 || H5Tset_size(type.get(), 2) < 0 ||
        H5Tset_ebias(type.get(), bias) < 0)
        throw std::runtime_error("cannot make a 16-bit float type");
    return type;
}

std::vector<float> ramp(size_t count, float start = 0.0f, float step = 0.5f) {
    std::vector<float> values(count);
    for (size_t i = 0; i < count; ++i)
        values[i] = start + step * float(i);
    return values;
}

} // namespace

class TestHdf5 : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(tempDir_.isValid()); }

    void kerasMnistStructure() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = openCheckpoint(mnistPath());
        QCOMPARE(checkpoint->format(), std::string("keras-h5"));
        QCOMPARE(tensorNames(*checkpoint),
                 (std::vector<std::string>{"dense/dense/kernel:0", "dense/dense/bias:0",
                                           "dense_1/dense_1/kernel:0", "dense_1/dense_1/bias:0"}));
        QCOMPARE(tensorNamed(*checkpoint, "dense/dense/kernel:0").shape,
                 (std::vector<uint64_t>{784, 128}));
        QCOMPARE(tensorNamed(*checkpoint, "dense/dense/bias:0").shape,
                 (std::vector<uint64_t>{128}));
        QCOMPARE(tensorNamed(*checkpoint, "dense_1/dense_1/kernel:0").shape,
                 (std::vector<uint64_t>{128, 10}));
        QCOMPARE(tensorNamed(*checkpoint, "dense_1/dense_1/bias:0").shape,
                 (std::vector<uint64_t>{10}));
        QCOMPARE(tensorNamed(*checkpoint, "dense/dense/kernel:0").channelAxis, ChannelAxis::Last);
        QCOMPARE(tensorNamed(*checkpoint, "dense_1/dense_1/kernel:0").channelAxis,
                 ChannelAxis::Last);
        QCOMPARE(tensorNamed(*checkpoint, "dense/dense/bias:0").channelAxis, ChannelAxis::First);
        QCOMPARE(checkpoint->totalParameters(), uint64_t(784 * 128 + 128 + 128 * 10 + 10));
        // Contiguous float32 datasets are mapped, not copied.
        QCOMPARE(checkpoint->files().size(), size_t(1));
        QVERIFY(!checkpoint->files()[0].inMemory());
    }

    void kerasMnistConfig() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = openCheckpoint(mnistPath());
        const nlohmann::json& metadata = checkpoint->metadata();
        QCOMPARE(metadata["keras_version"].get<std::string>(), std::string("2.12.0"));
        QCOMPARE(metadata["backend"].get<std::string>(), std::string("tensorflow"));
        const nlohmann::json& config = metadata["model_config"];
        QVERIFY(config.is_object());
        QCOMPARE(config["class_name"].get<std::string>(), std::string("Sequential"));
        QCOMPARE(config["config"]["layers"][2]["config"]["units"].get<int>(), 128);
        QCOMPARE(config["config"]["layers"][3]["config"]["activation"].get<std::string>(),
                 std::string("softmax"));
        const nlohmann::json& model = checkpoint->model();
        QCOMPARE(model["architecture"].get<std::string>(), std::string("Sequential"));
        const nlohmann::json expectedLayers = nlohmann::json::parse(
            R"([{"name":"flatten_input","class_name":"InputLayer"},
                {"name":"flatten","class_name":"Flatten"},
                {"name":"dense","class_name":"Dense"},
                {"name":"dense_1","class_name":"Dense"}])");
        QCOMPARE(model["layers"].dump(), expectedLayers.dump());
    }

    void kerasMnistValues() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = openCheckpoint(mnistPath());
        const std::string file = mnistPath().string();
        const std::vector<float> kernel = allFloats(*checkpoint, "dense/dense/kernel:0");
        QCOMPARE(kernel, hdf5Floats(file, "model_weights/dense/dense/kernel:0"));
        QCOMPARE(allFloats(*checkpoint, "dense_1/dense_1/bias:0"),
                 hdf5Floats(file, "model_weights/dense_1/dense_1/bias:0"));
        QVERIFY(std::any_of(kernel.begin(), kernel.end(), [](float v) { return v != 0.0f; }));

        // Channels last: quantizer row r is output unit r, i.e. column r of the [784, 128] kernel.
        const auto index = size_t(checkpoint->findTensor("dense/dense/kernel:0"));
        std::vector<float> rows(2 * 784);
        checkpoint->readMatrixRows(index, 5, 2, rows.data());
        for (size_t input : {size_t(0), size_t(400), size_t(783)}) {
            QCOMPARE(rows[input], kernel[input * 128 + 5]);
            QCOMPARE(rows[784 + input], kernel[input * 128 + 6]);
        }
    }

    void kerasFunctionalConfig() {
        // Functional configs name layers at the top level of each entry; a model without
        // weights has an empty layer_names.
        const std::string path = tempPath("functional.h5");
        {
            Hdf5TestWriter writer(path);
            writer.group("model_weights");
            writer.emptyList("model_weights", "layer_names");
            writer.stringAttribute("/", "model_config", R"({"class_name": "Functional",
                "config": {"name": "model", "layers": [
                    {"class_name": "InputLayer", "name": "pixels", "config": {"name": "pixels"}},
                    {"class_name": "Conv2D", "name": "conv", "config": {"name": "conv"}}]}})");
        }
        const auto checkpoint = openCheckpoint(path);
        QCOMPARE(checkpoint->format(), std::string("keras-h5"));
        QCOMPARE(checkpoint->tensors().size(), size_t(0));
        QCOMPARE(checkpoint->model().dump(),
                 nlohmann::json::parse(R"({"architecture": "Functional", "layers": [
                     {"name": "pixels", "class_name": "InputLayer"},
                     {"name": "conv", "class_name": "Conv2D"}]})")
                     .dump());
    }

    void keras3Weights() {
        const std::string path = tempPath("model.weights.h5");
        {
            Hdf5TestWriter writer(path);
            writer.group("vars");
            writer.floats("layers/dense/vars/0", {4, 3}, ramp(12));
            writer.floats("layers/dense/vars/1", {3}, ramp(3, 100.0f));
            writer.floats("layers/sequential/layers/conv2d/vars/0", {2, 2, 1, 3}, ramp(12, -3));
            for (int i = 0; i <= 10; ++i) // "10" must follow "9", not "1"
                writer.floats("layers/norm/vars/" + std::to_string(i), {2}, ramp(2, float(i)));
            writer.floats("optimizer/vars/0", {1}, {1.0f});
        }
        const auto checkpoint = openCheckpoint(path);
        QCOMPARE(checkpoint->format(), std::string("keras3-weights-h5"));
        std::vector<std::string> expected = {"layers/dense/vars/0", "layers/dense/vars/1"};
        for (int i = 0; i <= 10; ++i)
            expected.push_back("layers/norm/vars/" + std::to_string(i));
        expected.push_back("layers/sequential/layers/conv2d/vars/0");
        QCOMPARE(tensorNames(*checkpoint), expected);
        QCOMPARE(tensorNamed(*checkpoint, "layers/dense/vars/0").channelAxis, ChannelAxis::Last);
        QCOMPARE(tensorNamed(*checkpoint, "layers/dense/vars/1").channelAxis, ChannelAxis::First);
        QCOMPARE(tensorNamed(*checkpoint, "layers/sequential/layers/conv2d/vars/0").shape,
                 (std::vector<uint64_t>{2, 2, 1, 3}));
        QCOMPARE(allFloats(*checkpoint, "layers/dense/vars/1"), ramp(3, 100.0f));
        QCOMPARE(allFloats(*checkpoint, "layers/norm/vars/10"), ramp(2, 10.0f));
        QCOMPARE(allFloats(*checkpoint, "layers/sequential/layers/conv2d/vars/0"), ramp(12, -3));
    }

    void kerasSplitLayerNames() {
        // save_weights layout (weights at the root) with layer_names and weight_names split into
        // numbered pieces, as Keras does past HDF5's 64 KiB attribute limit.
        const std::string path = tempPath("split.h5");
        {
            Hdf5TestWriter writer(path);
            writer.floats("first/first/kernel:0", {3, 2}, ramp(6));
            writer.floats("first/first/bias:0", {2}, ramp(2, 7.0f));
            writer.floats("second/second/kernel:0", {2, 1}, ramp(2, -1.0f));
            writer.stringList("/", "layer_names0", {"first"}, true);
            writer.stringList("/", "layer_names1", {"second"}, true);
            writer.stringList("first", "weight_names0", {"first/kernel:0"}, true);
            writer.stringList("first", "weight_names1", {"first/bias:0"}, false);
            writer.stringList("second", "weight_names", {"second/kernel:0"}, true);
            writer.stringAttribute("/", "keras_version", "2.4.0");
        }
        const auto checkpoint = openCheckpoint(path);
        QCOMPARE(checkpoint->format(), std::string("keras-h5"));
        QCOMPARE(tensorNames(*checkpoint),
                 (std::vector<std::string>{"first/first/kernel:0", "first/first/bias:0",
                                           "second/second/kernel:0"}));
        QCOMPARE(checkpoint->metadata()["keras_version"].get<std::string>(), std::string("2.4.0"));
        QVERIFY(!checkpoint->metadata().contains("model_config"));
        QCOMPARE(allFloats(*checkpoint, "first/first/bias:0"), ramp(2, 7.0f));
        QCOMPARE(allFloats(*checkpoint, "second/second/kernel:0"), ramp(2, -1.0f));
        QCOMPARE(tensorNamed(*checkpoint, "first/first/kernel:0").channelAxis, ChannelAxis::Last);
    }

    void genericHdf5() {
        const std::string path = tempPath("generic.h5");
        const std::vector<int32_t> ints = {1, -2, 300000, -400000, 5, 6};
        const std::vector<int16_t> shorts = {-7, 8, 9};
        const std::vector<uint16_t> halves = {0x3c00, 0xc000, 0x3800}; // 1, -2, 0.5
        const std::vector<uint16_t> brains = {0x3f80, 0xc000, 0x3f00}; // 1, -2, 0.5
        const std::vector<int8_t> flags = {1, 0, 1};
        {
            Hdf5TestWriter writer(path);
            writer.floats("a/b/c/weights", {2, 3}, ramp(6));
            writer.dataset("a/packed", H5T_IEEE_F32LE, {40, 5}, ramp(200, 1.0f, 0.25f),
                           H5T_NATIVE_FLOAT, 8, true);
            writer.dataset("counts", H5T_STD_I32BE, {2, 3}, ints, H5T_NATIVE_INT32);
            writer.dataset("shorts", H5T_STD_I16LE, {3}, shorts, H5T_NATIVE_INT16);
            const Hdf5Handle half = twoByteFloat(10, 5, 15);
            writer.dataset("halves", half.get(), {3}, halves, half.get());
            const Hdf5Handle brain = twoByteFloat(7, 8, 127);
            writer.dataset("brains", brain.get(), {3}, brains, brain.get());
            Hdf5Handle boolean(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose);
            const int8_t no = 0, yes = 1;
            QVERIFY(H5Tenum_insert(boolean.get(), "FALSE", &no) >= 0);
            QVERIFY(H5Tenum_insert(boolean.get(), "TRUE", &yes) >= 0);
            writer.dataset("mask", boolean.get(), {3}, flags, boolean.get());
            writer.text("notes", "a string dataset is not a tensor");
        }
        const auto checkpoint = openCheckpoint(path);
        QCOMPARE(checkpoint->format(), std::string("hdf5"));
        QCOMPARE(tensorNames(*checkpoint),
                 (std::vector<std::string>{"a/b/c/weights", "a/packed", "brains", "counts",
                                           "halves", "mask", "shorts"}));
        QCOMPARE(allFloats(*checkpoint, "a/b/c/weights"), ramp(6));
        QCOMPARE(allFloats(*checkpoint, "a/packed"), ramp(200, 1.0f, 0.25f));
        QCOMPARE(tensorNamed(*checkpoint, "counts").dtype, DType::I32);
        QCOMPARE(allFloats(*checkpoint, "counts"),
                 (std::vector<float>{1, -2, 300000, -400000, 5, 6}));
        QCOMPARE(tensorNamed(*checkpoint, "shorts").dtype, DType::I16);
        QCOMPARE(allFloats(*checkpoint, "shorts"), (std::vector<float>{-7, 8, 9}));
        QCOMPARE(tensorNamed(*checkpoint, "halves").dtype, DType::F16);
        QCOMPARE(allFloats(*checkpoint, "halves"), (std::vector<float>{1.0f, -2.0f, 0.5f}));
        QCOMPARE(tensorNamed(*checkpoint, "brains").dtype, DType::BF16);
        QCOMPARE(allFloats(*checkpoint, "brains"), (std::vector<float>{1.0f, -2.0f, 0.5f}));
        QCOMPARE(tensorNamed(*checkpoint, "mask").dtype, DType::Bool);
        QCOMPARE(allFloats(*checkpoint, "mask"), (std::vector<float>{1, 0, 1}));

        // Chunked+deflate and big-endian data live in one in-memory source; the rest is mapped.
        QCOMPARE(checkpoint->files().size(), size_t(2));
        QVERIFY(!checkpoint->files()[0].inMemory());
        QVERIFY(checkpoint->files()[1].inMemory());
        QCOMPARE(tensorNamed(*checkpoint, "a/packed").fileIndex, 1u);
        QCOMPARE(tensorNamed(*checkpoint, "counts").fileIndex, 1u);
        QCOMPARE(tensorNamed(*checkpoint, "a/b/c/weights").fileIndex, 0u);
        QCOMPARE(tensorNamed(*checkpoint, "shorts").fileIndex, 0u);
        // Raw bytes of a decoded tensor are little-endian like every other tensor.
        const auto raw = checkpoint->rawBytes(size_t(checkpoint->findTensor("counts")));
        QCOMPARE(raw.size(), size_t(24));
        int32_t third = 0;
        std::memcpy(&third, raw.data() + 8, 4);
        QCOMPARE(third, 300000);
    }

    void userBlockOffsets() {
        // With a user block HDF5 addresses are relative to it; mapped offsets must not be.
        const std::string path = tempPath("userblock.h5");
        {
            Hdf5TestWriter writer(path, 1024);
            writer.floats("w", {4, 4}, ramp(16, 3.0f));
        }
        const auto checkpoint = openCheckpoint(path);
        QCOMPARE(checkpoint->files().size(), size_t(1));
        QVERIFY(tensorNamed(*checkpoint, "w").offset > 1024);
        QCOMPARE(allFloats(*checkpoint, "w"), ramp(16, 3.0f));
    }

private:
    static std::filesystem::path mnistPath() {
        return bitlens::test::sharedDataPath("keras/mnist_mlp.h5").toStdString();
    }
    std::string tempPath(const char* name) const { return tempDir_.filePath(name).toStdString(); }

    QTemporaryDir tempDir_;
};

QTEST_GUILESS_MAIN(TestHdf5)
#include "tst_hdf5.moc"
