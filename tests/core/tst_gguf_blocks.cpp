// SPDX-License-Identifier: MIT
// GGUF tensors stored in ggml block types, read back as float32 through Checkpoint.
#include "common/TestData.h"
#include "core/eval/WeightSource.h"
#include "core/io/CheckpointReader.h"
#include "core/io/GgufWriter.h"
#include "core/quant/GgmlBlockCodecs.h"
#include "core/quant/GgmlFormat.h"
#include "core/util/Error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <vector>

using namespace bitlens;

namespace {

// The ggml-vectors set: 64 rows of 256 values in each block type.
constexpr uint64_t kRows = 64;
constexpr uint64_t kRowLength = 256;

struct VectorType {
    const char* file; // stem in ggml-vectors/
    DType dtype;
};

const VectorType kVectorTypes[] = {
    {"q4_0", DType::Q4_0}, {"q4_1", DType::Q4_1},     {"q5_0", DType::Q5_0},
    {"q5_1", DType::Q5_1}, {"q8_0", DType::Q8_0},     {"q2_K", DType::Q2_K},
    {"q3_K", DType::Q3_K}, {"q4_K", DType::Q4_K},     {"q5_K", DType::Q5_K},
    {"q6_K", DType::Q6_K}, {"iq4_nl", DType::IQ4_NL}, {"mxfp4", DType::MXFP4},
};

QByteArray readVectorFile(const QString& name) {
    QFile file(test::sharedDataPath(QStringLiteral("ggml-vectors/") + name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

std::vector<std::byte> toBytes(const QByteArray& bytes) {
    std::vector<std::byte> result(size_t(bytes.size()));
    std::memcpy(result.data(), bytes.constData(), result.size());
    return result;
}

std::vector<float> toFloats(const QByteArray& bytes) {
    std::vector<float> values(size_t(bytes.size()) / sizeof(float));
    std::memcpy(values.data(), bytes.constData(), values.size() * sizeof(float));
    return values;
}

// Bitwise equality, so that -0 against 0 or a NaN would show.
bool sameBits(const float* a, const float* b, uint64_t count) {
    return std::memcmp(a, b, count * sizeof(float)) == 0;
}

std::string gguf(const QTemporaryDir& dir, const char* name) {
    return dir.filePath(QString::fromLatin1(name)).toStdString();
}

uint64_t blockBytes(DType dtype, uint64_t elements) {
    const DTypeInfo& info = dtypeInfo(dtype);
    return elements / info.blockElements * info.blockBytes;
}

// A GGUF of two tensors: "first" holds Q4_0 blocks (zero bytes), "second" 64 F32 values.
void writeTwoTensors(const std::string& path) {
    const DType firstType = DType::Q4_0;
    GgufWriter writer;
    writer.addMetadata("general.architecture", {std::string("llama")});
    writer.addTensor({"first",
                      {2, 64},
                      firstType,
                      std::vector<std::byte>(blockBytes(firstType, 128), std::byte{0})});
    writer.addTensor(
        {"second", {64}, DType::F32, std::vector<std::byte>(64 * sizeof(float), std::byte{0})});
    writer.write(path);
}

// Offset of the field after tensor `name`'s info in a GGUF file: its n_dims (uint32).
size_t tensorInfoAfterName(const std::vector<char>& bytes, const std::string& name) {
    std::string key(8, '\0');
    const uint64_t length = name.size();
    std::memcpy(key.data(), &length, sizeof length);
    key += name;
    const auto found = std::search(bytes.begin(), bytes.end(), key.begin(), key.end());
    return size_t(found - bytes.begin()) + key.size();
}

std::vector<char> readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeAll(const std::string& path, const std::vector<char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

std::string openError(const std::string& path) {
    try {
        openCheckpoint(path);
    } catch (const FileError& error) {
        return error.what();
    }
    return {};
}

} // namespace

class TestGgufBlocks : public QObject {
    Q_OBJECT
private slots:
    void vectorsDecodeExactly_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("dtype");
        for (const VectorType& type : kVectorTypes)
            QTest::newRow(type.file) << QString::fromLatin1(type.file) << int(type.dtype);
    }
    // ggml's blocks in a GGUF read back as ggml's own dequantization, bit for bit, whole and in
    // pieces that start and end inside blocks.
    void vectorsDecodeExactly() {
        BITLENS_REQUIRE_SHARED_DATA();
        QFETCH(QString, file);
        QFETCH(int, dtype);
        const QByteArray blocks = readVectorFile(file + ".bin");
        const std::vector<float> expected = toFloats(readVectorFile(file + ".dequant.f32"));
        QCOMPARE(expected.size(), size_t(kRows * kRowLength));
        QCOMPARE(uint64_t(blocks.size()), blockBytes(DType(dtype), kRows * kRowLength));

        QTemporaryDir dir;
        GgufWriter writer;
        writer.addTensor(
            {"blk.0.ffn_up.weight", {kRows, kRowLength}, DType(dtype), toBytes(blocks)});
        writer.write(gguf(dir, "v.gguf"));
        const auto checkpoint = openCheckpoint(gguf(dir, "v.gguf"));
        const TensorInfo& tensor = checkpoint->tensors().at(0);
        QCOMPARE(tensor.dtype, DType(dtype));
        QCOMPARE(tensor.byteSize, uint64_t(blocks.size())); // the packed size, not 4 per value
        QCOMPARE(checkpoint->totalBytes(), uint64_t(blocks.size()));
        QVERIFY(dtypeConvertibleToFloat(tensor.dtype));

        std::vector<float> all(expected.size());
        checkpoint->readFloats(0, 0, all.size(), all.data());
        QVERIFY(sameBits(all.data(), expected.data(), all.size()));

        // (first, count): single values, inside one block, across 32- and 256-value boundaries,
        // across rows, the very end, and nothing.
        const std::pair<uint64_t, uint64_t> ranges[] = {
            {0, 1},     {7, 1},      {5, 20},      {31, 2},    {30, 40},     {250, 12},
            {255, 258}, {100, 1000}, {1000, 3000}, {16383, 1}, {16000, 384}, {77, 0}};
        for (const auto& [first, count] : ranges) {
            std::vector<float> part(count + 1, -123.0f);
            checkpoint->readFloats(0, first, count, part.data());
            QVERIFY2(sameBits(part.data(), expected.data() + first, count),
                     qPrintable(QStringLiteral("first %1 count %2").arg(first).arg(count)));
            QCOMPARE(part[count], -123.0f); // nothing written past the range
        }

        std::vector<float> rows(5 * kRowLength);
        checkpoint->readMatrixRows(0, 3, 5, rows.data());
        QVERIFY(sameBits(rows.data(), expected.data() + 3 * kRowLength, rows.size()));
    }

    // What an evaluator reads from a Q4_K (or Q6_K) tensor stored in a GGUF is exactly what it
    // gets from the float tensor quantized on the fly to that format.
    void storedBlocksEqualOnTheFly_data() {
        QTest::addColumn<int>("dtype");
        QTest::newRow("Q4_K") << int(DType::Q4_K);
        QTest::newRow("Q6_K") << int(DType::Q6_K);
        QTest::newRow("Q5_1") << int(DType::Q5_1);
    }
    void storedBlocksEqualOnTheFly() {
        QFETCH(int, dtype);
        const auto format = formatForGgmlType(DType(dtype));
        QVERIFY(format);
        const std::vector<uint64_t> shape = {6, 512};
        const MatrixShape matrix{6, 512};
        std::mt19937 random(7);
        std::normal_distribution<float> normal(0.0f, 0.05f);
        std::vector<float> values(matrix.elements());
        for (float& value : values)
            value = normal(random);
        std::vector<std::byte> floats(values.size() * sizeof(float));
        std::memcpy(floats.data(), values.data(), floats.size());
        std::vector<std::byte> blocks(format->packedBytes(matrix));
        format->quantize(values, matrix, blocks);

        QTemporaryDir dir;
        GgufWriter floatWriter;
        floatWriter.addTensor({"blk.0.attn_q.weight", shape, DType::F32, floats});
        floatWriter.write(gguf(dir, "f32.gguf"));
        GgufWriter blockWriter;
        blockWriter.addTensor({"blk.0.attn_q.weight", shape, DType(dtype), blocks});
        blockWriter.write(gguf(dir, "blocks.gguf"));

        const auto floatFile = openCheckpoint(gguf(dir, "f32.gguf"));
        const auto blockFile = openCheckpoint(gguf(dir, "blocks.gguf"));
        const std::vector<float> onTheFly =
            QuantizedWeights(formatForKernels(format)).values(*floatFile, 0);
        const std::vector<float> stored = OriginalWeights().values(*blockFile, 0);
        QCOMPARE(stored.size(), values.size());
        QVERIFY(sameBits(stored.data(), onTheFly.data(), stored.size()));
        QVERIFY(!sameBits(stored.data(), values.data(), stored.size()));
        QCOMPARE(blockFile->totalBytes(), uint64_t(blocks.size()));
    }

    // Every ggml type id the reader maps either reads as float32 (zero bytes give zeros) or
    // refuses with a FileError naming the file, the tensor and the type.
    void everyMappedTypeDecodesOrRefuses() {
        QTemporaryDir dir;
        std::set<DType> refused;
        unsigned mapped = 0;
        for (uint32_t id = 0; id < 64; ++id) {
            const std::optional<DType> dtype = dtypeFromGgmlTypeId(id);
            if (!dtype)
                continue;
            ++mapped;
            const DTypeInfo& info = dtypeInfo(*dtype);
            const uint64_t rowLength = info.blockElements * 2;
            const std::string path = gguf(dir, "t.gguf");
            GgufWriter writer;
            writer.addTensor({"blk.1.attn_k.weight",
                              {3, rowLength},
                              *dtype,
                              std::vector<std::byte>(3 * 2 * info.blockBytes, std::byte{0})});
            writer.write(path);
            const auto checkpoint = openCheckpoint(path);
            QCOMPARE(checkpoint->tensors().at(0).dtype, *dtype);
            std::vector<float> values(3 * rowLength, 42.0f);
            try {
                checkpoint->readFloats(0, 1, values.size() - 2, values.data());
                QVERIFY2(dtypeConvertibleToFloat(*dtype), info.name.data());
                for (size_t i = 0; i + 2 < values.size(); ++i)
                    QCOMPARE(values[i], 0.0f);
                QCOMPARE(values[values.size() - 2], 42.0f);
            } catch (const FileError& error) {
                QVERIFY2(!dtypeConvertibleToFloat(*dtype), info.name.data());
                QCOMPARE(error.path().string(), path);
                const std::string expected = path + ": tensor 'blk.1.attn_k.weight' is stored as " +
                                             std::string(info.name) +
                                             ", a ggml block type BitLens cannot decode";
                QCOMPARE(std::string(error.what()), expected);
                for (float value : values)
                    QCOMPARE(value, 42.0f); // nothing half-written
                refused.insert(*dtype);
            }
        }
        QCOMPARE(mapped, 32u); // 8 plain types and 24 block types: every ggml.h id not removed
        const std::set<DType> undecodable = {DType::Q8_1,   DType::Q8_K,    DType::IQ2_XXS,
                                             DType::IQ2_XS, DType::IQ3_XXS, DType::IQ1_S,
                                             DType::IQ3_S,  DType::IQ2_S,   DType::IQ4_XS,
                                             DType::IQ1_M,  DType::TQ1_0,   DType::TQ2_0};
        QCOMPARE(refused, undecodable);
        for (const VectorType& type : kVectorTypes)
            QVERIFY(ggml::blockCodecFor(type.dtype) != nullptr);
        for (const ggml::BlockCodec& codec : ggml::blockCodecs())
            QVERIFY(dtypeInfo(codec.dtype).blockElements <= ggml::kMaxBlockElements);
    }

    // A block tensor whose stored bytes do not match what its header claims is refused when the
    // file is opened, with a message naming the tensor.
    void brokenBlockTensors() {
        QTemporaryDir dir;
        const std::string good = gguf(dir, "good.gguf");
        writeTwoTensors(good);
        QVERIFY(openError(good).empty());
        const std::vector<char> bytes = readAll(good);
        const size_t dims = tensorInfoAfterName(bytes, "first");
        const size_t secondDims = tensorInfoAfterName(bytes, "second");
        QVERIFY(dims < bytes.size() && secondDims < bytes.size());

        // Truncated: the last block of a Q8_0 tensor is cut short.
        const std::string truncated = gguf(dir, "truncated.gguf");
        GgufWriter writer;
        writer.addTensor({"blocks",
                          {2, 64},
                          DType::Q8_0,
                          std::vector<std::byte>(blockBytes(DType::Q8_0, 128), std::byte{1})});
        writer.write(truncated);
        std::vector<char> cut = readAll(truncated);
        cut.resize(cut.size() - 10);
        writeAll(truncated, cut);
        std::string message = openError(truncated);
        QCOMPARE(message, truncated + ": tensor 'blocks' data (offset " +
                              std::to_string(cut.size() + 10 - 136) +
                              ", 136 bytes) lies outside the file (" + std::to_string(cut.size()) +
                              " bytes)");

        // Lying type: Q8_0 blocks are larger than the Q4_0 ones stored, so "first" now runs into
        // "second".
        std::vector<char> lying = bytes;
        const uint32_t q8 = *ggmlTypeId(DType::Q8_0);
        std::memcpy(lying.data() + dims + 4 + 2 * 8, &q8, sizeof q8);
        const std::string lyingType = gguf(dir, "lying-type.gguf");
        writeAll(lyingType, lying);
        message = openError(lyingType);
        QVERIFY2(message.find("tensors 'first' and 'second' overlap") != std::string::npos,
                 message.c_str());

        // Lying shape: a row of 48 values is not whole Q4_0 blocks.
        lying = bytes;
        const uint64_t rowLength = 48;
        std::memcpy(lying.data() + dims + 4, &rowLength, sizeof rowLength);
        const std::string lyingShape = gguf(dir, "lying-shape.gguf");
        writeAll(lyingShape, lying);
        message = openError(lyingShape);
        QVERIFY2(message.find("tensor 'first': row length 48 is not a multiple of the Q4_0 "
                              "block size 32") != std::string::npos,
                 message.c_str());
        QVERIFY(message.starts_with(lyingShape + ": "));
    }
};

QTEST_GUILESS_MAIN(TestGgufBlocks)
#include "tst_gguf_blocks.moc"
