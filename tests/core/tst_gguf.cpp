// SPDX-License-Identifier: MIT
#include "common/ByteBuilder.h"
#include "common/TestData.h"
#include "core/io/CheckpointReader.h"
#include "core/io/GgufWriter.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cstring>
#include <limits>

using namespace bitlens;
namespace fs = std::filesystem;
using test::ByteBuilder;

namespace {

fs::path pathIn(const QTemporaryDir& dir, const char* name) {
    return fs::path(dir.path().toStdString()) / name;
}

GgufValue array(GgufType elementType, std::vector<GgufValue> elements) {
    return {GgufArray{elementType, std::move(elements)}};
}

// The value type id stored right after a key in a GGUF file (the key must occur once).
uint32_t storedTypeOf(const std::vector<std::byte>& file, const std::string& key) {
    const std::string encoded =
        std::string(reinterpret_cast<const char*>(ByteBuilder().ggufString(key).bytes().data()),
                    8 + key.size());
    const std::string_view text(reinterpret_cast<const char*>(file.data()), file.size());
    const size_t at = text.find(encoded);
    if (at == std::string_view::npos)
        return ~0u;
    uint32_t type = 0;
    std::memcpy(&type, file.data() + at + encoded.size(), sizeof(type));
    return type;
}

std::vector<std::byte> halves(std::initializer_list<uint16_t> values) {
    ByteBuilder builder;
    for (uint16_t v : values)
        builder.value(v);
    return builder.bytes();
}

std::vector<float> readAll(const Checkpoint& checkpoint, size_t index) {
    std::vector<float> values(checkpoint.tensors()[index].elementCount());
    checkpoint.readFloats(index, 0, values.size(), values.data());
    return values;
}

} // namespace

class TestGguf : public QObject {
    Q_OBJECT
private slots:
    void realVocabulary() {
        BITLENS_REQUIRE_SHARED_DATA();
        const fs::path path = test::sharedDataPath("gguf/ggml-vocab-llama-spm.gguf").toStdString();
        const std::vector<std::byte> bytes = test::readFileBytes(path);
        uint32_t version = 0;
        uint64_t tensorCount = 0, keyValueCount = 0;
        std::memcpy(&version, bytes.data() + 4, 4);
        std::memcpy(&tensorCount, bytes.data() + 8, 8);
        std::memcpy(&keyValueCount, bytes.data() + 16, 8);
        QCOMPARE(version, 3u);

        const auto checkpoint = openCheckpoint(path);
        QCOMPARE(checkpoint->format(), std::string("gguf"));
        QCOMPARE(checkpoint->tensors().size(), size_t(tensorCount));
        QCOMPARE(checkpoint->tensors().size(), size_t(0));
        const nlohmann::json& metadata = checkpoint->metadata();
        QCOMPARE(metadata.size(), size_t(keyValueCount));
        QCOMPARE(metadata.size(), size_t(22));
        QCOMPARE(metadata["general.architecture"].get<std::string>(), std::string("llama"));
        QCOMPARE(metadata["general.name"].get<std::string>(), std::string("llama-spm"));
        QCOMPARE(metadata["llama.context_length"].get<uint32_t>(), 4096u);
        QCOMPARE(metadata["llama.attention.layer_norm_rms_epsilon"].get<float>(), 1e-5f);
        QCOMPARE(metadata["tokenizer.ggml.add_bos_token"].get<bool>(), true);
        QCOMPARE(metadata["tokenizer.ggml.add_eos_token"].get<bool>(), false);
        QCOMPARE(metadata["tokenizer.ggml.bos_token_id"].get<uint32_t>(), 1u);
        const nlohmann::json& tokens = metadata["tokenizer.ggml.tokens"];
        QCOMPARE(tokens.size(), size_t(32000));
        QCOMPARE(tokens[0].get<std::string>(), std::string("<unk>"));
        QCOMPARE(tokens[1].get<std::string>(), std::string("<s>"));
        QCOMPARE(tokens[13].get<std::string>(), std::string("<0x0A>"));
        QCOMPARE(metadata["tokenizer.ggml.scores"].size(), size_t(32000));
        QVERIFY(metadata["tokenizer.ggml.scores"][0].is_number_float());
        QCOMPARE(metadata["tokenizer.ggml.token_type"].size(), size_t(32000));
        QCOMPARE(metadata["tokenizer.ggml.token_type"][0].get<int>(), 2);
        QCOMPARE(metadata["tokenizer.ggml.token_type"][1].get<int>(), 3);

        const nlohmann::json& model = checkpoint->model();
        QCOMPARE(model["architecture"].get<std::string>(), std::string("llama"));
        QCOMPARE(model["dim"].get<int>(), 4096);
        QCOMPARE(model["n_layers"].get<int>(), 32);
        QCOMPARE(model["hidden_dim"].get<int>(), 11008);
        QCOMPARE(model["n_heads"].get<int>(), 32);
        QCOMPARE(model["n_kv_heads"].get<int>(), 32);
        QCOMPARE(model["context_length"].get<int>(), 4096);
        QCOMPARE(model["vocab_size"].get<int>(), 32000);
        QVERIFY(!model.contains("rope_theta"));
    }

    void everyMetadataType() {
        QTemporaryDir dir;
        const fs::path path = pathIn(dir, "types.gguf");
        GgufWriter writer(64);
        writer.addMetadata("t.u8", {uint8_t(255)});
        writer.addMetadata("t.i8", {int8_t(-128)});
        writer.addMetadata("t.u16", {uint16_t(65535)});
        writer.addMetadata("t.i16", {int16_t(-32768)});
        writer.addMetadata("t.u32", {uint32_t(4294967295u)});
        writer.addMetadata("t.i32", {std::numeric_limits<int32_t>::min()});
        writer.addMetadata("t.f32", {0.15625f});
        writer.addMetadata("t.bool", {true});
        writer.addMetadata("t.str", {std::string("h\xc3\xa9llo")});
        writer.addMetadata("t.u64", {std::numeric_limits<uint64_t>::max()});
        writer.addMetadata("t.i64", {std::numeric_limits<int64_t>::min()});
        writer.addMetadata("t.f64", {0.1});
        writer.addMetadata(
            "t.strings",
            array(GgufType::String, {{std::string("a")}, {std::string("")}, {std::string("b c")}}));
        writer.addMetadata("t.nested", array(GgufType::Array,
                                             {array(GgufType::Int32, {{int32_t(1)}, {int32_t(-2)}}),
                                              array(GgufType::Int32, {}),
                                              array(GgufType::Int32, {{int32_t(3)}})}));
        writer.addMetadata("t.empty", array(GgufType::Float32, {}));
        writer.addMetadata("t.bools", array(GgufType::Bool, {{false}, {true}}));
        writer.write(path);

        const auto checkpoint = openCheckpoint(path);
        const nlohmann::json& metadata = checkpoint->metadata();
        QCOMPARE(metadata.size(), size_t(17));
        QCOMPARE(metadata["general.alignment"].get<uint32_t>(), 64u);
        QCOMPARE(metadata["t.u8"].get<int>(), 255);
        QCOMPARE(metadata["t.i8"].get<int>(), -128);
        QCOMPARE(metadata["t.u16"].get<int>(), 65535);
        QCOMPARE(metadata["t.i16"].get<int>(), -32768);
        QCOMPARE(metadata["t.u32"].get<uint32_t>(), 4294967295u);
        QCOMPARE(metadata["t.i32"].get<int32_t>(), std::numeric_limits<int32_t>::min());
        QCOMPARE(metadata["t.f32"].get<float>(), 0.15625f);
        QCOMPARE(metadata["t.bool"].get<bool>(), true);
        QCOMPARE(metadata["t.str"].get<std::string>(), std::string("h\xc3\xa9llo"));
        QCOMPARE(metadata["t.u64"].get<uint64_t>(), std::numeric_limits<uint64_t>::max());
        QCOMPARE(metadata["t.i64"].get<int64_t>(), std::numeric_limits<int64_t>::min());
        QCOMPARE(metadata["t.f64"].get<double>(), 0.1);
        QCOMPARE(metadata["t.strings"].dump(), std::string(R"(["a","","b c"])"));
        QCOMPARE(metadata["t.nested"].dump(), std::string("[[1,-2],[],[3]]"));
        QCOMPARE(metadata["t.empty"].dump(), std::string("[]"));
        QCOMPARE(metadata["t.bools"].dump(), std::string("[false,true]"));

        // The writer stored each value with its exact type id.
        const std::vector<std::byte> bytes = test::readFileBytes(path);
        const std::pair<const char*, GgufType> types[] = {
            {"general.alignment", GgufType::UInt32},
            {"t.u8", GgufType::UInt8},
            {"t.i8", GgufType::Int8},
            {"t.u16", GgufType::UInt16},
            {"t.i16", GgufType::Int16},
            {"t.u32", GgufType::UInt32},
            {"t.i32", GgufType::Int32},
            {"t.f32", GgufType::Float32},
            {"t.bool", GgufType::Bool},
            {"t.str", GgufType::String},
            {"t.u64", GgufType::UInt64},
            {"t.i64", GgufType::Int64},
            {"t.f64", GgufType::Float64},
            {"t.nested", GgufType::Array},
        };
        for (const auto& [key, type] : types)
            QCOMPARE(storedTypeOf(bytes, key), uint32_t(type));
    }

    void floatTensors() {
        QTemporaryDir dir;
        const fs::path path = pathIn(dir, "tensors.gguf");
        GgufWriter writer(64);
        writer.addMetadata("general.architecture", {std::string("llama")});
        ByteBuilder f32;
        for (float v : {1.0f, -2.0f, 3.5f, 0.25f, 5.0f, -6.0f})
            f32.value(v);
        writer.addTensor({"blk.0.attn_q.weight", {2, 3}, DType::F32, f32.bytes()});
        writer.addTensor(
            {"blk.0.ffn_norm.weight", {3}, DType::F16, halves({0x3c00, 0xc000, 0x3800})});
        writer.addTensor(
            {"output.weight", {2, 1, 2}, DType::BF16, halves({0x3f80, 0x4000, 0xc040, 0x4080})});
        writer.write(path);

        const auto checkpoint = openCheckpoint(path);
        QCOMPARE(checkpoint->tensors().size(), size_t(3));
        const TensorInfo& q = checkpoint->tensors()[0];
        QCOMPARE(q.name, std::string("blk.0.attn_q.weight"));
        QCOMPARE(q.shape, (std::vector<uint64_t>{2, 3}));
        QCOMPARE(q.dtype, DType::F32);
        QCOMPARE(checkpoint->tensors()[1].dtype, DType::F16);
        QCOMPARE(checkpoint->tensors()[2].dtype, DType::BF16);
        QCOMPARE(checkpoint->tensors()[2].shape, (std::vector<uint64_t>{2, 1, 2}));
        for (const TensorInfo& tensor : checkpoint->tensors())
            QCOMPARE(tensor.offset % 64, uint64_t(0));
        QCOMPARE(readAll(*checkpoint, 0),
                 (std::vector<float>{1.0f, -2.0f, 3.5f, 0.25f, 5.0f, -6.0f}));
        QCOMPARE(readAll(*checkpoint, 1), (std::vector<float>{1.0f, -2.0f, 0.5f}));
        QCOMPARE(readAll(*checkpoint, 2), (std::vector<float>{1.0f, 2.0f, -3.0f, 4.0f}));
        QCOMPARE(checkpoint->model()["architecture"].get<std::string>(), std::string("llama"));
    }

    // A version 2 file made by hand: ggml's ne[0] (row length) comes first in the file.
    void handMadeVersion2Orientation() {
        QTemporaryDir dir;
        const fs::path path = pathIn(dir, "v2.gguf");
        ByteBuilder file;
        file.raw("GGUF").value(uint32_t(2)).value(uint64_t(1)).value(uint64_t(1));
        file.ggufString("general.architecture").value(uint32_t(8)).ggufString("llama");
        file.ggufString("w").value(uint32_t(2)).value(uint64_t(3)).value(uint64_t(2));
        file.value(uint32_t(0)).value(uint64_t(0));
        file.alignTo(32);
        const uint64_t dataStart = file.size();
        for (float v : {0.0f, 1.0f, 2.0f, 10.0f, 11.0f, 12.0f})
            file.value(v);
        test::writeFileBytes(path, file.bytes());

        const auto checkpoint = openCheckpoint(path);
        const TensorInfo& w = checkpoint->tensors().at(0);
        QCOMPARE(w.shape, (std::vector<uint64_t>{2, 3}));
        QCOMPARE(w.offset, dataStart);
        const MatrixShape matrix = quantizationShape(w);
        QCOMPARE(matrix.rows, uint64_t(2));
        QCOMPARE(matrix.rowLength, uint64_t(3));
        float row[3];
        checkpoint->readMatrixRows(0, 1, 1, row);
        QCOMPARE(row[0], 10.0f);
        QCOMPARE(row[2], 12.0f);
    }

    void blockTensors() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto q4_0 =
            test::readFileBytes(test::sharedDataPath("ggml-vectors/q4_0.bin").toStdString());
        const auto q4_k =
            test::readFileBytes(test::sharedDataPath("ggml-vectors/q4_K.bin").toStdString());
        QCOMPARE(q4_0.size(), size_t(64 * 8 * 18));
        QCOMPARE(q4_k.size(), size_t(64 * 144));
        QTemporaryDir dir;
        const fs::path path = pathIn(dir, "blocks.gguf");
        GgufWriter writer;
        writer.addTensor({"a.q4_0", {64, 256}, DType::Q4_0, q4_0});
        writer.addTensor({"b.q4_k", {64, 256}, DType::Q4_K, q4_k});
        writer.write(path);

        const auto checkpoint = openCheckpoint(path);
        QCOMPARE(checkpoint->tensors().size(), size_t(2));
        const TensorInfo& a = checkpoint->tensors()[0];
        const TensorInfo& b = checkpoint->tensors()[1];
        QCOMPARE(a.dtype, DType::Q4_0);
        QCOMPARE(b.dtype, DType::Q4_K);
        QCOMPARE(a.shape, (std::vector<uint64_t>{64, 256}));
        QCOMPARE(a.byteSize, uint64_t(9216));
        QCOMPARE(b.byteSize, uint64_t(9216));
        QCOMPARE(checkpoint->totalParameters(), uint64_t(2 * 64 * 256));
        const auto rawA = checkpoint->rawBytes(0);
        const auto rawB = checkpoint->rawBytes(1);
        QVERIFY(std::equal(rawA.begin(), rawA.end(), q4_0.begin(), q4_0.end()));
        QVERIFY(std::equal(rawB.begin(), rawB.end(), q4_k.begin(), q4_k.end()));
        // Block tensors read decoded (tst_gguf_blocks checks every type and range).
        const auto decoded = test::readFileBytes(
            test::sharedDataPath("ggml-vectors/q4_K.dequant.f32").toStdString());
        float values[2];
        checkpoint->readFloats(1, 300, 2, values);
        QVERIFY(std::memcmp(values, decoded.data() + 300 * sizeof(float), sizeof values) == 0);
    }

    void writerRejectsBadInput() {
        QVERIFY_THROWS_EXCEPTION(Error, GgufWriter(48));
        GgufWriter writer;
        writer.addMetadata("a", {uint32_t(1)});
        QVERIFY_THROWS_EXCEPTION(Error, writer.addMetadata("a", {uint32_t(2)}));
        QVERIFY_THROWS_EXCEPTION(Error, writer.addMetadata("general.alignment", {uint32_t(64)}));
        QVERIFY_THROWS_EXCEPTION(
            Error, writer.addMetadata("mixed", array(GgufType::Int32, {{int32_t(1)}, {1.0f}})));
        QVERIFY_THROWS_EXCEPTION(
            Error, writer.addTensor({"fp8", {4}, DType::F8_E4M3, std::vector<std::byte>(4)}));
        QVERIFY_THROWS_EXCEPTION(
            Error, writer.addTensor({"q", {1, 100}, DType::Q4_0, std::vector<std::byte>(18)}));
        QVERIFY_THROWS_EXCEPTION(
            Error,
            writer.addTensor({"five", {1, 1, 1, 1, 1}, DType::F32, std::vector<std::byte>(4)}));
    }
};

QTEST_GUILESS_MAIN(TestGguf)
#include "tst_gguf.moc"
