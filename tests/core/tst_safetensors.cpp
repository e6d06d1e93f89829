// SPDX-License-Identifier: MIT
#include "common/ByteBuilder.h"
#include "common/TestData.h"
#include "core/io/CheckpointReader.h"
#include "core/io/SafetensorsWriter.h"
#include "core/tensor/FloatBits.h"
#include "core/util/Error.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <bit>
#include <cmath>
#include <fcntl.h>
#include <unistd.h>

using namespace bitlens;
namespace fs = std::filesystem;
using test::ByteBuilder;

Q_DECLARE_METATYPE(bitlens::DType)

namespace {

fs::path pathIn(const QTemporaryDir& dir, const char* name) {
    return fs::path(dir.path().toStdString()) / name;
}

std::vector<float> readAll(const Checkpoint& checkpoint, const std::string& name) {
    const long index = checkpoint.findTensor(name);
    if (index < 0)
        return {};
    std::vector<float> values(checkpoint.tensors()[size_t(index)].elementCount());
    checkpoint.readFloats(size_t(index), 0, values.size(), values.data());
    return values;
}

template <typename T> std::vector<std::byte> bytesOf(std::initializer_list<T> values) {
    ByteBuilder builder;
    for (T v : values)
        builder.value(v);
    return builder.bytes();
}

QString errorOf(const fs::path& path) {
    try {
        openCheckpoint(path);
    } catch (const FileError& error) {
        return QString::fromStdString(error.what());
    }
    return QStringLiteral("(no error)");
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
private slots:
    void realMnistMlp() {
        BITLENS_REQUIRE_SHARED_DATA();
        const fs::path path =
            test::sharedDataPath("safetensors/mnist_mlp.safetensors").toStdString();
        const auto checkpoint = openCheckpoint(path);
        QCOMPARE(checkpoint->format(), std::string("safetensors"));
        QCOMPARE(checkpoint->tensors().size(), size_t(2));
        const TensorInfo& first = checkpoint->tensors()[0];
        const TensorInfo& second = checkpoint->tensors()[1];
        QCOMPARE(first.name, std::string("layers.0.weight"));
        QCOMPARE(first.shape, (std::vector<uint64_t>{128, 784}));
        QCOMPARE(first.dtype, DType::F32);
        QCOMPARE(first.offset, uint64_t(8 + 168));
        QCOMPARE(first.byteSize, uint64_t(401408));
        QCOMPARE(second.name, std::string("layers.2.weight"));
        QCOMPARE(second.shape, (std::vector<uint64_t>{10, 128}));
        QCOMPARE(second.dtype, DType::F32);
        QCOMPARE(checkpoint->totalParameters(), uint64_t(128 * 784 + 10 * 128));
        QVERIFY(!checkpoint->metadata().contains("__metadata__"));

        float value[2];
        checkpoint->readFloats(0, 0, 2, value);
        QCOMPARE(value[0], 0.018522894009947777f);
        QCOMPARE(value[1], -0.03338652849197388f);
        checkpoint->readFloats(1, 10 * 128 - 1, 1, value);
        QCOMPARE(value[0], -0.052973534911870956f);
    }

    void everyDtype_data() {
        QTest::addColumn<DType>("dtype");
        QTest::addColumn<QByteArray>("stored");
        QTest::addColumn<QVector<float>>("expected");
        const auto row = [](const char* name, DType dtype, const std::vector<std::byte>& bytes,
                            QVector<float> expected) {
            QTest::newRow(name) << dtype
                                << QByteArray(reinterpret_cast<const char*>(bytes.data()),
                                              qsizetype(bytes.size()))
                                << expected;
        };
        row("F64", DType::F64, bytesOf<double>({1.5, -2.25, 1e300}), {1.5f, -2.25f, INFINITY});
        row("F32", DType::F32, bytesOf<float>({3.5f, -0.125f, 1e-30f}), {3.5f, -0.125f, 1e-30f});
        row("F16", DType::F16, bytesOf<uint16_t>({0x3c00, 0xc000, 0x0001}),
            {1.0f, -2.0f, std::ldexp(1.0f, -24)});
        row("BF16", DType::BF16, bytesOf<uint16_t>({0x3f80, 0xc040, 0x4049}),
            {1.0f, -3.0f, 3.140625f});
        row("F8_E4M3", DType::F8_E4M3, bytesOf<uint8_t>({0x38, 0x7e, 0xb8, 0x01}),
            {1.0f, 448.0f, -1.0f, std::ldexp(1.0f, -9)});
        row("F8_E5M2", DType::F8_E5M2, bytesOf<uint8_t>({0x3c, 0x7b, 0xbc}),
            {1.0f, 57344.0f, -1.0f});
        row("I8", DType::I8, bytesOf<int8_t>({-128, 7, 127}), {-128.0f, 7.0f, 127.0f});
        row("U8", DType::U8, bytesOf<uint8_t>({0, 200, 255}), {0.0f, 200.0f, 255.0f});
        row("I16", DType::I16, bytesOf<int16_t>({-300, 32767}), {-300.0f, 32767.0f});
        row("U16", DType::U16, bytesOf<uint16_t>({60000, 1}), {60000.0f, 1.0f});
        row("I32", DType::I32, bytesOf<int32_t>({-100000, 16777216}), {-100000.0f, 16777216.0f});
        row("U32", DType::U32, bytesOf<uint32_t>({4000000000u, 3}), {4e9f, 3.0f});
        row("I64", DType::I64, bytesOf<int64_t>({-(int64_t(1) << 40), 5}),
            {-std::ldexp(1.0f, 40), 5.0f});
        row("U64", DType::U64, bytesOf<uint64_t>({uint64_t(1) << 50, 9}),
            {std::ldexp(1.0f, 50), 9.0f});
        row("BOOL", DType::Bool, bytesOf<uint8_t>({0, 1, 1, 0}), {0.0f, 1.0f, 1.0f, 0.0f});
    }

    void everyDtype() {
        QFETCH(DType, dtype);
        QFETCH(QByteArray, stored);
        QFETCH(QVector<float>, expected);
        QTemporaryDir dir;
        const fs::path path = pathIn(dir, "dtype.safetensors");
        SafetensorsWriter writer;
        // A one-byte tensor first, so that the tensor under test starts at an odd data offset.
        writer.addTensor({"pad", {1}, DType::U8, {std::byte{9}}});
        std::vector<std::byte> bytes(stored.size());
        std::memcpy(bytes.data(), stored.constData(), bytes.size());
        writer.addTensor({"value", {uint64_t(expected.size())}, dtype, bytes});
        writer.write(path);

        const auto checkpoint = openCheckpoint(path);
        const long index = checkpoint->findTensor("value");
        QVERIFY(index >= 0);
        QCOMPARE(checkpoint->tensors()[size_t(index)].dtype, dtype);
        const std::vector<float> values = readAll(*checkpoint, "value");
        QCOMPARE(values.size(), size_t(expected.size()));
        for (size_t i = 0; i < values.size(); ++i)
            QCOMPARE(values[i], expected[qsizetype(i)]);
    }

    void metadataAndOffsetOrder() {
        QTemporaryDir dir;
        const fs::path path = pathIn(dir, "ordered.safetensors");
        // JSON order differs from file order; the checkpoint lists tensors in file order.
        const std::string header =
            R"({"z.late":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},)"
            R"("__metadata__":{"format":"pt","note":"x"},)"
            R"("a.early":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
            R"("empty":{"dtype":"F16","shape":[0,4],"data_offsets":[12,12]}})";
        test::writeFileBytes(path, test::safetensorsBytes(header, 12));
        const auto checkpoint = openCheckpoint(path);
        QCOMPARE(checkpoint->tensors().size(), size_t(3));
        QCOMPARE(checkpoint->tensors()[0].name, std::string("a.early"));
        QCOMPARE(checkpoint->tensors()[1].name, std::string("z.late"));
        QCOMPARE(checkpoint->tensors()[2].name, std::string("empty"));
        QCOMPARE(checkpoint->tensors()[1].offset, uint64_t(8 + header.size() + 8));
        QCOMPARE(checkpoint->metadata()["__metadata__"].dump(),
                 (nlohmann::json{{"format", "pt"}, {"note", "x"}}).dump());
        const std::vector<float> late = readAll(*checkpoint, "z.late");
        QCOMPARE(std::bit_cast<uint32_t>(late[0]), 0x0c0b0a09u); // data bytes count up from 1
    }

    void shardedFolder() {
        QTemporaryDir dir;
        const fs::path folder = pathIn(dir, "model");
        fs::create_directory(folder);
        SafetensorsWriter first;
        first.setMetadata({{"format", "pt"}});
        first.addTensor(
            {"model.embed_tokens.weight",
             {4, 2},
             DType::BF16,
             bytesOf<uint16_t>({0x3f80, 0x4000, 0x4040, 0x4080, 0x40a0, 0x40c0, 0x40e0, 0x4100})});
        first.addTensor({"model.norm.weight", {2}, DType::F32, bytesOf<float>({0.5f, 0.25f})});
        first.write(folder / "model-00001-of-00002.safetensors");
        SafetensorsWriter second;
        second.addTensor({"lm_head.weight",
                          {4, 2},
                          DType::F16,
                          bytesOf<uint16_t>({0x3c00, 0, 0, 0, 0, 0, 0, 0xc000})});
        second.write(folder / "model-00002-of-00002.safetensors");
        test::writeFileBytes(folder / "model.safetensors.index.json",
                             ByteBuilder()
                                 .raw(R"({"metadata":{"total_size":56},"weight_map":{)"
                                      R"("lm_head.weight":"model-00002-of-00002.safetensors",)"
                                      R"("model.norm.weight":"model-00001-of-00002.safetensors",)"
                                      R"("model.embed_tokens.weight":)"
                                      R"("model-00001-of-00002.safetensors"}})")
                                 .bytes());
        test::writeFileBytes(
            folder / "config.json",
            ByteBuilder()
                .raw(R"({"architectures":["LlamaForCausalLM"],)"
                     R"("model_type":"llama","hidden_size":2,)"
                     R"("num_hidden_layers":1,"num_attention_heads":1,)"
                     R"("num_key_value_heads":1,"intermediate_size":8,)"
                     R"("vocab_size":4,"rope_theta":10000.0,"torch_dtype":"bfloat16"})")
                .bytes());

        const auto checkpoint = openCheckpoint(folder);
        QCOMPARE(checkpoint->format(), std::string("safetensors"));
        QCOMPARE(checkpoint->source(), folder);
        QCOMPARE(checkpoint->files().size(), size_t(2));
        QCOMPARE(checkpoint->tensors().size(), size_t(3));
        QCOMPARE(checkpoint->tensors()[0].name, std::string("model.embed_tokens.weight"));
        QCOMPARE(checkpoint->tensors()[1].name, std::string("model.norm.weight"));
        QCOMPARE(checkpoint->tensors()[2].name, std::string("lm_head.weight"));
        QCOMPARE(checkpoint->tensors()[2].fileIndex, 1u);
        QCOMPARE(readAll(*checkpoint, "model.embed_tokens.weight"),
                 (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
        QCOMPARE(readAll(*checkpoint, "lm_head.weight"),
                 (std::vector<float>{1, 0, 0, 0, 0, 0, 0, -2}));
        QCOMPARE(checkpoint->model()["architecture"].dump(),
                 nlohmann::json("LlamaForCausalLM").dump());
        QCOMPARE(checkpoint->model()["dim"].dump(), nlohmann::json(2).dump());
        QCOMPARE(checkpoint->model()["n_layers"].dump(), nlohmann::json(1).dump());
        QCOMPARE(checkpoint->model()["hidden_dim"].dump(), nlohmann::json(8).dump());
        QCOMPARE(checkpoint->model()["vocab_size"].dump(), nlohmann::json(4).dump());
        QCOMPARE(checkpoint->model()["rope_theta"].dump(), nlohmann::json(10000.0).dump());
        QVERIFY(!checkpoint->model().contains("context_length"));
        QCOMPARE(checkpoint->metadata()["config"]["torch_dtype"].dump(),
                 nlohmann::json("bfloat16").dump());
        QCOMPARE(checkpoint->metadata()["index"]["total_size"].dump(), nlohmann::json(56).dump());
        QCOMPARE(checkpoint->metadata()["__metadata__"]["format"].dump(),
                 nlohmann::json("pt").dump());

        // The index opened directly gives the same tensors and keeps the config beside it.
        const auto viaIndex = openCheckpoint(folder / "model.safetensors.index.json");
        QCOMPARE(viaIndex->tensors().size(), size_t(3));
        QCOMPARE(viaIndex->model()["architecture"].dump(),
                 nlohmann::json("LlamaForCausalLM").dump());
        // So does one shard opened alone.
        const auto shard = openCheckpoint(folder / "model-00002-of-00002.safetensors");
        QCOMPARE(shard->tensors().size(), size_t(1));
        QCOMPARE(shard->metadata()["config"]["model_type"].dump(), nlohmann::json("llama").dump());
    }

    void folderWithSingleFile() {
        QTemporaryDir dir;
        const fs::path folder = pathIn(dir, "tiny");
        fs::create_directory(folder);
        SafetensorsWriter writer;
        writer.addTensor({"w", {2}, DType::F32, bytesOf<float>({1.0f, 2.0f})});
        writer.write(folder / "model.safetensors");
        test::writeFileBytes(
            folder / "config.json",
            ByteBuilder().raw(R"({"model_type":"qwen2","hidden_size":896})").bytes());
        const auto checkpoint = openCheckpoint(folder);
        QCOMPARE(checkpoint->tensors().size(), size_t(1));
        QCOMPARE(checkpoint->model()["architecture"].dump(), nlohmann::json("qwen2").dump());
        QCOMPARE(checkpoint->model()["dim"].dump(), nlohmann::json(896).dump());
        // A folder without weights is nobody's format.
        const fs::path empty = pathIn(dir, "empty");
        fs::create_directory(empty);
        QVERIFY(errorOf(empty).contains("folder holds no checkpoint"));
    }

    void indexErrors_data() {
        QTest::addColumn<QString>("weightMap");
        QTest::addColumn<QString>("phrase");
        QTest::newRow("escaping path") << R"({"a":"../outside.safetensors"})"
                                       << "not a file inside the index's folder";
        QTest::newRow("absolute path") << R"({"a":"/tmp/a.safetensors"})"
                                       << "not a file inside the index's folder";
        QTest::newRow("listed, not stored")
            << R"({"a":"shard.safetensors","b":"shard.safetensors","ghost":"shard.safetensors"})"
            << "'ghost' in 'shard.safetensors', which does not hold it";
        QTest::newRow("stored, not listed") << R"({"a":"shard.safetensors"})"
                                            << "tensor 'b' of shard 'shard.safetensors' is not "
                                               "listed in weight_map";
        QTest::newRow("missing shard") << R"({"a":"shard.safetensors","b":"gone.safetensors"})"
                                       << "cannot open";
        QTest::newRow("not a string") << R"({"a":3})"
                                      << "is not a file name";
    }

    void indexErrors() {
        QFETCH(QString, weightMap);
        QFETCH(QString, phrase);
        QTemporaryDir dir;
        SafetensorsWriter writer;
        writer.addTensor({"a", {1}, DType::F32, bytesOf<float>({1.0f})});
        writer.addTensor({"b", {1}, DType::F32, bytesOf<float>({2.0f})});
        writer.write(pathIn(dir, "shard.safetensors"));
        const fs::path index = pathIn(dir, "weights.index.json");
        test::writeFileBytes(
            index, ByteBuilder().raw("{\"weight_map\": " + weightMap.toStdString() + "}").bytes());
        const QString error = errorOf(index);
        QVERIFY2(error.contains(phrase), qPrintable(error));
        QVERIFY2(error.contains(dir.path()), qPrintable(error));
    }

    void writerIsAtomic() {
        QTemporaryDir dir;
        SafetensorsWriter writer;
        writer.addTensor({"w", {2}, DType::F32, bytesOf<float>({1.0f, 2.0f})});
        QVERIFY_THROWS_EXCEPTION(Error,
                                 writer.addTensor({"w", {1}, DType::F32, bytesOf<float>({1.0f})}));
        QVERIFY_THROWS_EXCEPTION(
            Error, writer.addTensor({"short", {3}, DType::F32, bytesOf<float>({1.0f})}));
        QVERIFY_THROWS_EXCEPTION(
            Error, writer.addTensor({"q", {32}, DType::Q4_0, std::vector<std::byte>(18)}));
        QVERIFY_THROWS_EXCEPTION(FileError, writer.write(pathIn(dir, "no/such/folder/x")));
        writer.write(pathIn(dir, "out.safetensors"));
        QStringList entries = QDir(dir.path()).entryList(QDir::Files);
        QCOMPARE(entries, QStringList{"out.safetensors"});
        const std::vector<std::byte> bytes = test::readFileBytes(pathIn(dir, "out.safetensors"));
        uint64_t headerLength = 0;
        std::memcpy(&headerLength, bytes.data(), 8);
        QCOMPARE(headerLength % 8, uint64_t(0));
        QCOMPARE(bytes.size(), size_t(8 + headerLength + 8));
    }

    void sparseThirtyGigabytes() {
        QTemporaryDir dir;
        const fs::path path = pathIn(dir, "sparse.safetensors");
        // 128 F32 tensors of 4096 x 14336 (224 MiB each): 28 GiB = 30.1 GB, all of it a hole.
        constexpr uint64_t kRows = 4096, kColumns = 14336;
        constexpr uint64_t kF32Bytes = kRows * kColumns * 4;
        std::string header = "{";
        uint64_t offset = 0;
        constexpr int kTensors = 128;
        for (int i = 0; i < kTensors; ++i) {
            header += (i ? "," : "") + std::string("\"layers.") + std::to_string(i) +
                      ".weight\":{\"dtype\":\"F32\",\"shape\":[4096,14336],\"data_offsets\":[" +
                      std::to_string(offset) + "," + std::to_string(offset + kF32Bytes) + "]}";
            offset += kF32Bytes;
        }
        header += "}";
        const uint64_t fileSize = 8 + header.size() + offset;
        QVERIFY(fileSize > uint64_t(30'000'000'000));
        test::writeFileBytes(path, test::safetensorsBytes(header, 0));
        fs::resize_file(path, fileSize);

        QElapsedTimer timer;
        timer.start();
        const auto checkpoint = openCheckpoint(path);
        const qint64 elapsed = timer.elapsed();
        qInfo("opened a sparse %.1f GB safetensors file in %lld ms", double(fileSize) / 1e9,
              elapsed);
        QVERIFY(elapsed < 5000);
        QCOMPARE(checkpoint->tensors().size(), size_t(kTensors));
        QCOMPARE(checkpoint->totalBytes(), offset);
        const TensorInfo& last = checkpoint->tensors().back();
        QCOMPARE(last.name, std::string("layers.127.weight"));
        QCOMPARE(last.shape, (std::vector<uint64_t>{kRows, kColumns}));
        QCOMPARE(last.offset + last.byteSize, fileSize);
        float value = -1.0f;
        checkpoint->readFloats(checkpoint->tensors().size() - 1, kRows * kColumns - 1, 1, &value);
        QCOMPARE(value, 0.0f);
    }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
