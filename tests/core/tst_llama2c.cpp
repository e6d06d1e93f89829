// SPDX-License-Identifier: MIT
#include "common/TestData.h"
#include "core/io/CheckpointReader.h"
#include "core/io/Llama2cTokenizer.h"
#include "core/util/Error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <cstring>

using namespace bitlens;

namespace {

std::filesystem::path sharedFile(const char* relative) {
    return bitlens::test::sharedDataPath(QString::fromLatin1(relative)).toStdString();
}

QByteArray fileBytes(const std::filesystem::path& path) {
    QFile file(QString::fromStdString(path.string()));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

float floatAt(const QByteArray& bytes, qsizetype offset) {
    float value;
    std::memcpy(&value, bytes.constData() + offset, sizeof value);
    return value;
}

std::vector<uint64_t> shapeOf(const Checkpoint& checkpoint, const char* name) {
    const long index = checkpoint.findTensor(name);
    return index < 0 ? std::vector<uint64_t>{} : checkpoint.tensors()[size_t(index)].shape;
}

} // namespace

class TestLlama2c : public QObject {
    Q_OBJECT
private slots:
    void storiesHeaderAndModel() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = openCheckpoint(sharedFile("llama2c/stories260K.bin"));
        QCOMPARE(checkpoint->format(), std::string("llama2c"));
        const nlohmann::json& model = checkpoint->model();
        QCOMPARE(model["architecture"].get<std::string>(), std::string("llama"));
        QCOMPARE(model["dim"].get<int>(), 64);
        QCOMPARE(model["hidden_dim"].get<int>(), 172);
        QCOMPARE(model["n_layers"].get<int>(), 5);
        QCOMPARE(model["n_heads"].get<int>(), 8);
        QCOMPARE(model["n_kv_heads"].get<int>(), 4);
        QCOMPARE(model["vocab_size"].get<int>(), 512);
        QCOMPARE(model["seq_len"].get<int>(), 512);
        QCOMPARE(model["shared_classifier"].get<bool>(), true);
        QCOMPARE(checkpoint->metadata()["vocab_size"].get<int>(), 512);
    }

    void storiesTensors() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = openCheckpoint(sharedFile("llama2c/stories260K.bin"));
        // token_embd + 5 layers x 9 + output_norm; no output.weight (shared with the embedding)
        QCOMPARE(checkpoint->tensors().size(), size_t(47));
        QCOMPARE(checkpoint->tensors().front().name, std::string("token_embd.weight"));
        QCOMPARE(checkpoint->tensors()[1].name, std::string("blk.0.attn_norm.weight"));
        QCOMPARE(checkpoint->tensors().back().name, std::string("output_norm.weight"));
        QCOMPARE(checkpoint->findTensor("output.weight"), -1L);
        QCOMPARE(shapeOf(*checkpoint, "token_embd.weight"), (std::vector<uint64_t>{512, 64}));
        QCOMPARE(shapeOf(*checkpoint, "blk.0.attn_q.weight"), (std::vector<uint64_t>{64, 64}));
        QCOMPARE(shapeOf(*checkpoint, "blk.0.attn_k.weight"), (std::vector<uint64_t>{32, 64}));
        QCOMPARE(shapeOf(*checkpoint, "blk.4.attn_v.weight"), (std::vector<uint64_t>{32, 64}));
        QCOMPARE(shapeOf(*checkpoint, "blk.2.attn_output.weight"), (std::vector<uint64_t>{64, 64}));
        QCOMPARE(shapeOf(*checkpoint, "blk.0.ffn_gate.weight"), (std::vector<uint64_t>{172, 64}));
        QCOMPARE(shapeOf(*checkpoint, "blk.0.ffn_down.weight"), (std::vector<uint64_t>{64, 172}));
        QCOMPARE(shapeOf(*checkpoint, "blk.3.ffn_up.weight"), (std::vector<uint64_t>{172, 64}));
        QCOMPARE(shapeOf(*checkpoint, "blk.1.ffn_norm.weight"), (std::vector<uint64_t>{64}));
        QCOMPARE(shapeOf(*checkpoint, "output_norm.weight"), (std::vector<uint64_t>{64}));
        QCOMPARE(checkpoint->totalParameters(), uint64_t(1056540 - 28) / 4 - 512 * 8);
    }

    void storiesValuesComeFromTheRightBytes() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto path = sharedFile("llama2c/stories260K.bin");
        const QByteArray bytes = fileBytes(path);
        QCOMPARE(bytes.size(), qsizetype(1056540));
        const auto checkpoint = openCheckpoint(path);

        float first[4];
        checkpoint->readFloats(size_t(checkpoint->findTensor("token_embd.weight")), 0, 4, first);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(first[i], floatAt(bytes, 28 + 4 * i));
        QCOMPARE(first[0], -0.29474878311157227f);

        // Layer 1 of wq: after the embedding, all rms_att rows and layer 0 of wq.
        const qsizetype wq1 = 28 + 4 * (512 * 64 + 5 * 64 + 64 * 64);
        const auto q1 = size_t(checkpoint->findTensor("blk.1.attn_q.weight"));
        QCOMPARE(checkpoint->tensors()[q1].offset, uint64_t(wq1));
        float q[2];
        checkpoint->readFloats(q1, 0, 2, q);
        QCOMPARE(q[0], floatAt(bytes, wq1));
        QCOMPARE(q[1], floatAt(bytes, wq1 + 4));
        QCOMPARE(q[0], 0.21412323415279388f);

        // output_norm is followed only by the two legacy RoPE tables (seq_len x head_size).
        const TensorInfo& norm = checkpoint->tensors().back();
        QCOMPARE(norm.offset + norm.byteSize + 512 * 8 * 4, uint64_t(bytes.size()));
    }

    void unsharedClassifier() {
        // dim 8, hidden 12, 2 layers, 2 heads, 1 kv head, vocab -10 (classifier stored), seq 4;
        // every float holds its own index, so offsets can be checked through the values.
        const int32_t header[7] = {8, 12, 2, 2, 1, -10, 4};
        const uint64_t floats =
            10 * 8 + 2 * 8 + 2 * 64 + 2 * 2 * 32 + 2 * 64 + 2 * 8 + 3 * 2 * 96 + 8 + 4 * 4 + 10 * 8;
        QByteArray bytes(reinterpret_cast<const char*>(header), sizeof header);
        for (uint64_t i = 0; i < floats; ++i) {
            const float value = float(i);
            bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
        }
        QTemporaryDir dir;
        const QString path = dir.filePath("unshared.bin");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
        file.close();

        const auto checkpoint = openCheckpoint(path.toStdString());
        QCOMPARE(checkpoint->model()["shared_classifier"].get<bool>(), false);
        QCOMPARE(checkpoint->model()["vocab_size"].get<int>(), 10);
        QCOMPARE(checkpoint->metadata()["vocab_size"].get<int>(), -10);
        QCOMPARE(checkpoint->tensors().size(), size_t(1 + 2 * 9 + 2));
        QCOMPARE(shapeOf(*checkpoint, "output.weight"), (std::vector<uint64_t>{10, 8}));
        QCOMPARE(shapeOf(*checkpoint, "blk.1.attn_k.weight"), (std::vector<uint64_t>{4, 8}));
        float value = -1;
        checkpoint->readFloats(size_t(checkpoint->findTensor("output.weight")), 0, 1, &value);
        QCOMPARE(value, float(floats - 80));
        checkpoint->readFloats(size_t(checkpoint->findTensor("blk.1.attn_k.weight")), 0, 1, &value);
        QCOMPARE(value, float(80 + 16 + 128 + 32)); // embedding, rms_att, wq, layer 0 of wk
        checkpoint->readFloats(size_t(checkpoint->findTensor("blk.1.ffn_down.weight")), 0, 1,
                               &value);
        // ... wk, wv, wo, rms_ffn, w1 and layer 0 of w2
        QCOMPARE(value, float(80 + 16 + 128 + 64 + 64 + 128 + 16 + 192 + 96));
    }

    void tokenizer() {
        BITLENS_REQUIRE_SHARED_DATA();
        const Vocabulary vocabulary = readLlama2cTokenizer(sharedFile("llama2c/tok512.bin"), 512);
        QCOMPARE(vocabulary.size(), size_t(512));
        QCOMPARE(vocabulary.scores.size(), size_t(512));
        QCOMPARE(vocabulary.maxTokenLength, 7u);
        QCOMPARE(vocabulary.tokens[0], std::string("<unk>"));
        QCOMPARE(vocabulary.tokens[1], std::string("\n<s>\n"));
        QCOMPARE(vocabulary.tokens[2], std::string("\n</s>\n"));
        QCOMPARE(vocabulary.tokens[3], std::string("<0x00>"));
        QCOMPARE(vocabulary.tokens[260], std::string("he"));
        QCOMPARE(vocabulary.scores[260], -1.0f);
        QCOMPARE(vocabulary.tokens[511], std::string("\xe2\x80\x8a"));
        QCOMPARE(vocabulary.scores[511], -252.0f);
        for (size_t i = 0; i < vocabulary.size(); ++i) {
            QVERIFY(std::isfinite(vocabulary.scores[i]));
            QVERIFY(vocabulary.tokens[i].size() <= vocabulary.maxTokenLength);
        }
    }

    void tokenizerForCheckpoint() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = openCheckpoint(sharedFile("llama2c/stories260K.bin"));
        const Vocabulary vocabulary =
            readLlama2cTokenizer(sharedFile("llama2c/tok512.bin"), *checkpoint);
        QCOMPARE(vocabulary.size(), size_t(512));
        // The same file read for a model with a smaller vocabulary leaves tokens over.
        QVERIFY_THROWS_EXCEPTION(FileError,
                                 readLlama2cTokenizer(sharedFile("llama2c/tok512.bin"), 500));
    }
};

QTEST_GUILESS_MAIN(TestLlama2c)
#include "tst_llama2c.moc"
