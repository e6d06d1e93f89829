// SPDX-License-Identifier: MIT
#include "common/ByteBuilder.h"
#include "core/io/CheckpointReader.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QTest>
#include <functional>
#include <optional>

using namespace bitlens;
namespace fs = std::filesystem;
using test::ByteBuilder;

namespace {

// ---- safetensors ----

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape,
                  const std::string& offsets) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
           ",\"data_offsets\":" + offsets + "}";
}

// Valid base: a F32 [2,2] at [0,16] and b F16 [4] at [16,24].
std::string entryA() {
    return entry("a", "F32", "[2,2]", "[0,16]");
}
std::string entryB() {
    return entry("b", "F16", "[4]", "[16,24]");
}

QByteArray toQt(const std::vector<std::byte>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())};
}

QByteArray safetensors(const std::string& header, size_t dataBytes = 24) {
    return toQt(test::safetensorsBytes(header, dataBytes));
}

QByteArray withHeaderLength(QByteArray file, uint64_t length) {
    std::memcpy(file.data(), &length, sizeof(length));
    return file;
}

// ---- GGUF ----

std::vector<std::byte> keyValue(const std::string& key, uint32_t type,
                                const std::vector<std::byte>& value) {
    return ByteBuilder().ggufString(key).value(type).raw(value).bytes();
}
std::vector<std::byte> stringValue(const std::string& text) {
    return ByteBuilder().ggufString(text).bytes();
}
template <typename T> std::vector<std::byte> scalar(T value) {
    return ByteBuilder().value(value).bytes();
}
std::vector<std::byte> uint32Array(std::initializer_list<uint32_t> values) {
    ByteBuilder builder;
    builder.value(uint32_t(4)).value(uint64_t(values.size()));
    for (uint32_t v : values)
        builder.value(v);
    return builder.bytes();
}

struct GgufTensorSpec {
    std::string name;
    std::vector<uint64_t> ne; // ggml order: row length first
    uint32_t type = 0;
    uint64_t offset = 0;
};

struct GgufSpec {
    uint32_t version = 3;
    std::optional<uint64_t> tensorCount; // overrides the real counts when set
    std::optional<uint64_t> keyValueCount;
    std::vector<std::vector<std::byte>> keyValues;
    std::vector<GgufTensorSpec> tensors;
    size_t alignment = 32;
    size_t dataBytes = 64;

    size_t headerBytes() const { return 24; }
    size_t keyValueEnd(size_t index) const {
        size_t end = headerBytes();
        for (size_t i = 0; i <= index; ++i)
            end += keyValues[i].size();
        return end;
    }

    QByteArray bytes() const {
        ByteBuilder file;
        file.raw("GGUF").value(version);
        file.value(tensorCount.value_or(tensors.size()));
        file.value(keyValueCount.value_or(keyValues.size()));
        for (const auto& kv : keyValues)
            file.raw(kv);
        for (const GgufTensorSpec& tensor : tensors) {
            file.ggufString(tensor.name).value(uint32_t(tensor.ne.size()));
            for (uint64_t dim : tensor.ne)
                file.value(dim);
            file.value(tensor.type).value(tensor.offset);
        }
        file.alignTo(alignment).zeros(dataBytes);
        return toQt(file.bytes());
    }
};

// Valid base: two key/values (a string, an array of UINT32), then t0 F32 [2,4] at 0 and
// t1 Q4_0 [32] at 32; 64 data bytes after the aligned tensor infos.
GgufSpec gguf() {
    GgufSpec spec;
    spec.keyValues = {keyValue("general.architecture", 8, stringValue("llama")),
                      keyValue("test.values", 9, uint32Array({1, 2, 3}))};
    spec.tensors = {{"t0", {4, 2}, 0, 0}, {"t1", {32}, 2, 32}};
    return spec;
}

GgufSpec ggufWith(const std::function<void(GgufSpec&)>& change) {
    GgufSpec spec = gguf();
    change(spec);
    return spec;
}

std::vector<std::byte> nestedArrays(int levels) {
    ByteBuilder builder;
    for (int i = 1; i < levels; ++i)
        builder.value(uint32_t(9)).value(uint64_t(1));
    builder.value(uint32_t(0)).value(uint64_t(0));
    return builder.bytes();
}

} // namespace

class TestCorruptFiles : public QObject {
    Q_OBJECT
private slots:
    void validBasesOpen() {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "base";
        for (const QByteArray& bytes :
             {safetensors("{" + entryA() + "," + entryB() + "}"), gguf().bytes()}) {
            test::writeFileBytes(path,
                                 {reinterpret_cast<const std::byte*>(bytes.data()),
                                  reinterpret_cast<const std::byte*>(bytes.data()) + bytes.size()});
            QCOMPARE(openCheckpoint(path)->tensors().size(), size_t(2));
        }
    }

    void rejected_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("phrase");
        const std::string both = "{" + entryA() + "," + entryB() + "}";
        const QByteArray base = safetensors(both);

        QTest::newRow("st: cut inside the length") << base.left(5) << "not a checkpoint format";
        QTest::newRow("st: cut inside the header") << base.left(40) << "runs past the end";
        QTest::newRow("st: cut inside the data")
            << base.left(base.size() - 4) << "lie outside the data";
        QTest::newRow("st: header length beyond file")
            << withHeaderLength(base, uint64_t(base.size())) << "runs past the end";
        QTest::newRow("st: header length over the cap")
            << withHeaderLength(base, uint64_t(1) << 40) << "not a checkpoint format";
        QTest::newRow("st: not JSON") << safetensors("{\"a\":{\"dtype\":") << "not valid JSON";
        QTest::newRow("st: data_offsets outside data")
            << safetensors("{" + entryA() + "," + entry("b", "F16", "[4]", "[24,32]") + "}")
            << "lie outside the data (24 bytes)";
        QTest::newRow("st: begin after end")
            << safetensors("{" + entryA() + "," + entry("b", "F16", "[4]", "[24,16]") + "}")
            << "begin 24 is after end 16";
        QTest::newRow("st: size mismatch with shape")
            << safetensors("{" + entry("a", "F32", "[2,3]", "[0,16]") + "," + entryB() + "}")
            << "has 16 bytes but its shape and dtype need 24";
        QTest::newRow("st: overlapping tensors")
            << safetensors("{" + entryA() + "," + entry("b", "F16", "[4]", "[8,16]") + "}")
            << "overlap";
        QTest::newRow("st: dims overflow")
            << safetensors("{" + entry("a", "F32", "[4294967296,4294967296,4]", "[0,16]") + "}")
            << "exceeds 2^62";
        QTest::newRow("st: negative dim")
            << safetensors("{" + entry("a", "F32", "[-2,2]", "[0,16]") + "}")
            << "shape entry -2 is not a non-negative integer";
        QTest::newRow("st: float dim")
            << safetensors("{" + entry("a", "F32", "[2.5,2]", "[0,16]") + "}")
            << "shape entry 2.5 is not a non-negative integer";
        QTest::newRow("st: unknown dtype")
            << safetensors("{" + entry("a", "F12", "[2,2]", "[0,16]") + "}")
            << "unknown dtype 'F12'";
        QTest::newRow("st: bad UTF-8 name")
            << safetensors("{" + entry("a\xff\xfe", "F32", "[2,2]", "[0,16]") + "}")
            << "ill-formed UTF-8";
        QTest::newRow("st: duplicate tensor names")
            << safetensors("{" + entryA() + "," + entry("a", "F16", "[4]", "[16,24]") + "}")
            << "key 'a' twice in one object (duplicate)";
        QTest::newRow("st: missing data_offsets")
            << safetensors(R"({"a":{"dtype":"F32","shape":[2,2]}})")
            << "\"data_offsets\" must be two non-negative integers";
        QTest::newRow("st: too many dims")
            << safetensors("{" + entry("a", "F32", "[1,1,1,1,1,1,1,1,4]", "[0,16]") + "}")
            << "shape has 9 dimensions";
        QTest::newRow("st: metadata not strings")
            << safetensors("{\"__metadata__\":{\"n\":1}," + entryA() + "}")
            << "__metadata__ must be an object of strings";
        QTest::newRow("st: header is not an object")
            << safetensors("{}", 0).replace(8, 2, "{]") << "not valid JSON";

        const QByteArray ggufBase = gguf().bytes();
        const GgufSpec spec = gguf();
        QTest::newRow("gguf: cut inside the version")
            << ggufBase.left(6) << "version at offset 4: file ends early";
        QTest::newRow("gguf: cut inside a key")
            << ggufBase.left(qsizetype(spec.keyValueEnd(0) + 12))
            << "metadata key at offset 77: file ends early";
        QTest::newRow("gguf: cut inside an array value")
            << ggufBase.left(qsizetype(spec.keyValueEnd(1) - 5))
            << "value of 'test.values' at offset";
        QTest::newRow("gguf: cut inside a tensor info")
            << ggufBase.left(qsizetype(spec.keyValueEnd(1) + 42 + 20))
            << "tensor 't1' dimension at offset 172: file ends early";
        QTest::newRow("gguf: cut inside the data")
            << ggufBase.left(ggufBase.size() - 40) << "lies outside the file";
        QTest::newRow("gguf: version 1")
            << ggufWith([](GgufSpec& s) { s.version = 1; }).bytes() << "version 1 is not supported";
        QTest::newRow("gguf: version 4")
            << ggufWith([](GgufSpec& s) { s.version = 4; }).bytes() << "unsupported GGUF version 4";
        QTest::newRow("gguf: huge key length")
            << ggufWith([](GgufSpec& s) {
                   s.keyValues[0] = ByteBuilder().value(uint64_t(1) << 40).raw("abc").bytes();
               }).bytes()
            << "length 1099511627776 exceeds the limit";
        QTest::newRow("gguf: huge string value")
            << ggufWith([](GgufSpec& s) {
                   s.keyValues[0] =
                       keyValue("general.architecture", 8, scalar(uint64_t(0xffffffffffffff00ull)));
               }).bytes()
            << "exceeds the limit of 67108864 bytes";
        QTest::newRow("gguf: huge array count")
            << ggufWith([](GgufSpec& s) {
                   s.keyValues[1] =
                       keyValue("test.values", 9,
                                ByteBuilder().value(uint32_t(6)).value(uint64_t(1) << 61).bytes());
               }).bytes()
            << "array of 2305843009213693952 FLOAT32 elements does not fit";
        QTest::newRow("gguf: huge tensor count")
            << ggufWith([](GgufSpec& s) { s.tensorCount = uint64_t(1) << 40; }).bytes()
            << "tensors exceed the limit of 1048576";
        QTest::newRow("gguf: tensor count beyond the bytes")
            << ggufWith([](GgufSpec& s) { s.tensorCount = 1000; }).bytes()
            << "1000 tensor infos do not fit";
        QTest::newRow("gguf: huge key/value count")
            << ggufWith([](GgufSpec& s) { s.keyValueCount = uint64_t(1) << 50; }).bytes()
            << "key/value pairs do not fit";
        QTest::newRow("gguf: unknown value type")
            << ggufWith([](GgufSpec& s) {
                   s.keyValues[1] = keyValue("test.odd", 13, scalar(uint32_t(0)));
               }).bytes()
            << "value type of 'test.odd' at offset 89: unknown GGUF value type 13";
        QTest::newRow("gguf: unknown array element type")
            << ggufWith([](GgufSpec& s) {
                   s.keyValues[1] = keyValue(
                       "test.odd", 9, ByteBuilder().value(uint32_t(99)).value(uint64_t(0)).bytes());
               }).bytes()
            << "element type of 'test.odd'";
        QTest::newRow("gguf: arrays nested too deep")
            << ggufWith([](GgufSpec& s) {
                   s.keyValues[1] = keyValue("test.deep", 9, nestedArrays(20));
               }).bytes()
            << "nested deeper than 8";
        QTest::newRow("gguf: bool not 0 or 1")
            << ggufWith([](GgufSpec& s) {
                   s.keyValues[1] = keyValue("test.flag", 7, scalar(uint8_t(2)));
               }).bytes()
            << "boolean byte is 2";
        QTest::newRow("gguf: bad UTF-8 in a string array")
            << ggufWith([](GgufSpec& s) {
                   s.keyValues[1] = keyValue("tokenizer.ggml.tokens", 9,
                                             ByteBuilder()
                                                 .value(uint32_t(8))
                                                 .value(uint64_t(2))
                                                 .ggufString("ok")
                                                 .ggufString("\xed\xa0\x80")
                                                 .bytes());
               }).bytes()
            << "value of 'tokenizer.ggml.tokens' at offset 135: string is not valid UTF-8";
        QTest::newRow("gguf: duplicate key")
            << ggufWith([](GgufSpec& s) { s.keyValues[1] = s.keyValues[0]; }).bytes()
            << "duplicate key 'general.architecture'";
        QTest::newRow("gguf: unknown ggml type")
            << ggufWith([](GgufSpec& s) { s.tensors[1].type = 4; }).bytes()
            << "tensor 't1' at offset";
        QTest::newRow("gguf: alignment not a power of two")
            << ggufWith([](GgufSpec& s) {
                   s.keyValues.push_back(keyValue("general.alignment", 4, scalar(uint32_t(48))));
               }).bytes()
            << "alignment 48 is not a power of two";
        QTest::newRow("gguf: alignment of the wrong type")
            << ggufWith([](GgufSpec& s) {
                   s.keyValues.push_back(keyValue("general.alignment", 10, scalar(uint64_t(32))));
               }).bytes()
            << "must be a UINT32, not UINT64";
        QTest::newRow("gguf: tensor offset outside the file")
            << ggufWith([](GgufSpec& s) { s.tensors[1].offset = uint64_t(1) << 60; }).bytes()
            << "data offset 1152921504606846976 lies outside the file";
        QTest::newRow("gguf: misaligned tensor offset")
            << ggufWith([](GgufSpec& s) { s.tensors[1].offset = 40; }).bytes()
            << "data offset 40 is not a multiple of the alignment 32";
        QTest::newRow("gguf: overlapping tensors")
            << ggufWith([](GgufSpec& s) { s.tensors[1].offset = 0; }).bytes() << "overlap";
        QTest::newRow("gguf: five dimensions") << ggufWith([](GgufSpec& s) {
                                                      s.tensors[0].ne = {1, 1, 1, 1, 1};
                                                  }).bytes()
                                               << "has 5 dimensions (GGUF allows 1 to 4)";
        QTest::newRow("gguf: dims overflow") << ggufWith([](GgufSpec& s) {
                                                    s.tensors[0].ne = {uint64_t(1) << 40, 1u << 30};
                                                }).bytes()
                                             << "exceeds 2^62";
        QTest::newRow("gguf: block type row not a multiple")
            << ggufWith([](GgufSpec& s) { s.tensors[1].ne = {33}; }).bytes()
            << "row length 33 is not a multiple of the Q4_0 block size 32";
        QTest::newRow("gguf: duplicate tensor name")
            << ggufWith([](GgufSpec& s) { s.tensors[1].name = "t0"; }).bytes()
            << "duplicate tensor name 't0'";
        QTest::newRow("gguf: bad UTF-8 tensor name")
            << ggufWith([](GgufSpec& s) { s.tensors[0].name = "t\xc0\x80"; }).bytes()
            << "tensor name at offset";
    }

    void rejected() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, phrase);
        QTemporaryDir dir;
        // One neutral name for every row: readers choose by content, never by extension.
        const fs::path path = fs::path(dir.path().toStdString()) / "corrupt.bin";
        const auto* data = reinterpret_cast<const std::byte*>(bytes.constData());
        test::writeFileBytes(path, {data, data + bytes.size()});
        try {
            openCheckpoint(path);
            QFAIL("openCheckpoint accepted the corrupt file");
        } catch (const FileError& error) {
            const QString message = QString::fromStdString(error.what());
            QVERIFY2(message.startsWith(QString::fromStdString(path.string())),
                     qPrintable(message));
            QVERIFY2(message.contains(phrase), qPrintable("message: " + message));
        }
    }
};

QTEST_GUILESS_MAIN(TestCorruptFiles)
#include "tst_corrupt_files.moc"
