// SPDX-License-Identifier: MIT
#include "common/GreedyStory.h"
#include "common/TestData.h"
#include "common/TinyLlama.h"
#include "core/eval/LlamaEngine.h"
#include "core/eval/LlamaModel.h"
#include "core/io/CheckpointReader.h"
#include "core/text/TokenizerFactory.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <numbers>
#include <utility>

using namespace bitlens;
using bitlens::test::TinyLlama;

namespace {

std::unique_ptr<Checkpoint> open(const QString& path) {
    return openCheckpoint(path.toStdString());
}

std::vector<float> logitsOf(const QString& path, const std::vector<int32_t>& tokens) {
    const auto checkpoint = open(path);
    const LlamaModel model(*checkpoint, LlamaConfig::fromCheckpoint(*checkpoint),
                           OriginalWeights());
    return model.forward(tokens);
}

double largestDifference(const std::vector<float>& a, const std::vector<float>& b) {
    double largest = 0;
    for (size_t i = 0; i < a.size(); ++i)
        largest = std::max(largest, std::fabs(double(a[i]) - double(b[i])));
    return largest;
}

QString writeConfigFolder(const QTemporaryDir& dir, const nlohmann::json& changes) {
    TinyLlama model;
    model.randomize(7);
    const QString folder = dir.filePath("hf");
    bitlens::test::writeHuggingFace(model, folder, "LlamaForCausalLM", {}, changes);
    return folder;
}

} // namespace

class TestLlama : public QObject {
    Q_OBJECT
private slots:
    void stories260KConfig() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = open(bitlens::test::sharedDataPath("llama2c/stories260K.bin"));
        const LlamaConfig config = LlamaConfig::fromCheckpoint(*checkpoint);
        QCOMPARE(config.architecture, std::string("llama"));
        QCOMPARE(config.dim, uint64_t(64));
        QCOMPARE(config.layers, uint64_t(5));
        QCOMPARE(config.heads, uint64_t(8));
        QCOMPARE(config.kvHeads, uint64_t(4));
        QCOMPARE(config.headDim, uint64_t(8));
        QCOMPARE(config.hiddenDim, uint64_t(172));
        QCOMPARE(config.vocabSize, uint64_t(512));
        QCOMPARE(config.contextLength, uint64_t(512));
        QVERIFY(config.tiedOutput);
        QCOMPARE(config.tensors.output, config.tensors.embedding);
        QVERIFY(config.ropePairing == RopePairing::Adjacent);
        QCOMPARE(config.ropeInverseFrequencies.size(), size_t(4));
        QCOMPARE(config.ropeInverseFrequencies[1], std::pow(10000.0, -0.25));
        QCOMPARE(checkpoint->tensors()[config.tensors.layers[4].down].name,
                 std::string("blk.4.ffn_down.weight"));
    }

    void handBuiltBigramLogits() {
        QTemporaryDir dir;
        const QString path = dir.filePath("bigram.gguf");
        bitlens::test::writeGguf(bitlens::test::bigramLlama(), path);
        const std::vector<int32_t> tokens = {1, 3, 0, 0, 2};
        const std::vector<float> logits = logitsOf(path, tokens);
        QCOMPARE(logits.size(), size_t(5 * 4));
        const double high = std::log(3.0) / std::sqrt(1.0 + 1e-5);
        for (size_t p = 0; p < tokens.size(); ++p)
            for (int32_t v = 0; v < 4; ++v) {
                const double expected = v == (tokens[p] + 1) % 4 ? high : 0.0;
                QVERIFY2(std::fabs(logits[p * 4 + size_t(v)] - expected) < 1e-6,
                         qPrintable(QString("position %1 token %2: %3, expected %4")
                                        .arg(p)
                                        .arg(v)
                                        .arg(logits[p * 4 + size_t(v)])
                                        .arg(expected)));
            }
    }

    void sameLogitsInEveryLayout_data() {
        QTest::addColumn<bool>("tied");
        QTest::newRow("separate output") << false;
        QTest::newRow("tied output") << true;
    }
    void sameLogitsInEveryLayout() {
        QFETCH(bool, tied);
        TinyLlama model;
        model.tied = tied;
        model.randomize(11);
        QTemporaryDir dir;
        QVERIFY(bitlens::test::writeLlama2c(model, dir.filePath("m.bin")));
        bitlens::test::writeGguf(model, dir.filePath("m.gguf"));
        QVERIFY(bitlens::test::writeHuggingFace(model, dir.filePath("hf")));
        const std::vector<int32_t> tokens = {1, 5, 9, 2, 2, 7, 0, 3, 8, 4, 6, 1};
        const std::vector<float> llama2c = logitsOf(dir.filePath("m.bin"), tokens);
        const std::vector<float> gguf = logitsOf(dir.filePath("m.gguf"), tokens);
        const std::vector<float> hf = logitsOf(dir.filePath("hf"), tokens);
        QCOMPARE(llama2c.size(), tokens.size() * model.vocab);
        QCOMPARE(largestDifference(llama2c, gguf), 0.0);
        QVERIFY2(largestDifference(llama2c, hf) < 1e-5,
                 qPrintable(QString::number(largestDifference(llama2c, hf))));
        // The attention path matters: the same tensors without the q/k row permutation differ.
        const auto checkpoint = open(dir.filePath("hf"));
        LlamaConfig unpermuted = LlamaConfig::fromCheckpoint(*checkpoint);
        unpermuted.ropePairing = RopePairing::Adjacent;
        const LlamaModel wrong(*checkpoint, unpermuted, OriginalWeights());
        QVERIFY(largestDifference(llama2c, wrong.forward(tokens)) > 1e-3);
    }

    // What every engine refuses before a forward pass (LlamaConfig::checkSequence).
    void checkSequenceRefuses() {
        LlamaConfig config;
        config.vocabSize = 10;
        config.slidingWindow = 4;
        const auto message = [&](const std::vector<int32_t>& tokens) {
            try {
                config.checkSequence(tokens);
                return std::string();
            } catch (const Error& error) {
                return std::string(error.what());
            }
        };
        QCOMPARE(message({0, 9, 3, 4}), std::string());
        QCOMPARE(message({}), std::string("the model needs at least one token"));
        QCOMPARE(message({1, 10}), std::string("token id 10 is outside the vocabulary of 10"));
        QCOMPARE(message({1, -1}), std::string("token id -1 is outside the vocabulary of 10"));
        QCOMPARE(message({1, 2, 3, 4, 5}),
                 std::string("a sequence of 5 tokens exceeds the model's sliding attention window "
                             "of 4; BitLens computes full attention only, so use a context of at "
                             "most 4 tokens"));
        config.slidingWindow = 0; // unlimited
        QCOMPARE(message({1, 2, 3, 4, 5}), std::string());
    }

    void refusals_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing weight") << "missing"
                                        << "weight 'blk.1.ffn_up.weight'";
        QTest::newRow("misshapen weight") << "misshapen"
                                          << "weight 'blk.0.attn_k.weight' has shape";
        QTest::newRow("GGUF architecture") << "gguf-arch"
                                           << "GGUF architecture 'qwen2'";
        QTest::newRow("HF architecture") << "hf-arch"
                                         << "architecture 'GPT2LMHeadModel'";
        QTest::newRow("rope scaling") << "yarn"
                                      << "type 'yarn' is not supported";
        QTest::newRow("Qwen2 without biases") << "qwen2"
                                              << "self_attn.q_proj.bias";
        QTest::newRow("not a language model") << "safetensors"
                                              << "not a llama-family";
    }
    void refusals() {
        QFETCH(QString, kind);
        QFETCH(QString, message);
        QTemporaryDir dir;
        TinyLlama model;
        model.randomize(3);
        QString path = dir.filePath("m.gguf");
        if (kind == "missing") {
            model.weights.erase("blk.1.ffn_up.weight");
            bitlens::test::writeGguf(model, path);
        } else if (kind == "misshapen") {
            model.kvHeads = 2; // k and v get 8 rows where the metadata says 1 kv head: 4 rows
            model.randomize(3);
            bitlens::test::writeGguf(model, path, 1);
        } else if (kind == "gguf-arch") {
            GgufWriter writer;
            writer.addMetadata("general.architecture", {std::string("qwen2")});
            writer.write(path.toStdString());
        } else if (kind == "hf-arch") {
            path = writeConfigFolder(dir, {{"architectures", {"GPT2LMHeadModel"}}});
        } else if (kind == "yarn") {
            path = writeConfigFolder(dir, {{"rope_scaling", {{"type", "yarn"}, {"factor", 4}}}});
        } else if (kind == "qwen2") {
            path = writeConfigFolder(dir, {{"architectures", {"Qwen2ForCausalLM"}}});
        } else {
            path = dir.filePath("plain.safetensors");
            SafetensorsWriter writer;
            writer.addTensor({"w", {2, 2}, DType::F32, bitlens::test::floatBytes({1, 2, 3, 4})});
            writer.write(path.toStdString());
        }
        const auto checkpoint = open(path);
        try {
            LlamaConfig::fromCheckpoint(*checkpoint);
            QFAIL("no error");
        } catch (const FileError& error) {
            QVERIFY2(std::string(error.what()).find(message.toStdString()) != std::string::npos,
                     error.what());
            QCOMPARE(error.path(), checkpoint->source());
        }
    }

    void ropeScaling() {
        QTemporaryDir dir;
        // Head size 4: pair frequencies 1 and theta^-1/2.
        const auto linear = open(writeConfigFolder(
            dir, {{"rope_theta", 100.0}, {"rope_scaling", {{"type", "linear"}, {"factor", 4.0}}}}));
        const LlamaConfig linearConfig = LlamaConfig::fromCheckpoint(*linear);
        QCOMPARE(linearConfig.ropeScaling, std::string("linear"));
        QCOMPARE(linearConfig.ropeInverseFrequencies[0], 0.25);
        QCOMPARE(linearConfig.ropeInverseFrequencies[1], 0.1 / 4.0);
        QVERIFY(linearConfig.ropePairing == RopePairing::HalfSplit);

        // llama3 with an original context of 64, low 1, high 4, factor 8: wavelengths under 16
        // keep their frequency (2 pi for frequency 1), over 64 are divided by 8 (theta 10^4:
        // 628), in between blend by smooth = (64 / wavelength - 1) / 3 (theta 100: 62.8).
        const nlohmann::json llama3 = {{"rope_type", "llama3"},
                                       {"factor", 8.0},
                                       {"low_freq_factor", 1.0},
                                       {"high_freq_factor", 4.0},
                                       {"original_max_position_embeddings", 64}};
        QTemporaryDir dir2;
        const LlamaConfig low = LlamaConfig::fromCheckpoint(
            *open(writeConfigFolder(dir2, {{"rope_theta", 10000.0}, {"rope_scaling", llama3}})));
        QCOMPARE(low.ropeScaling, std::string("llama3"));
        QCOMPARE(low.ropeInverseFrequencies[0], 1.0);
        QCOMPARE(low.ropeInverseFrequencies[1], 0.01 / 8.0);
        QTemporaryDir dir3;
        const LlamaConfig blended = LlamaConfig::fromCheckpoint(
            *open(writeConfigFolder(dir3, {{"rope_theta", 100.0}, {"rope_scaling", llama3}})));
        const double smooth = (64.0 / (2 * std::numbers::pi / 0.1) - 1.0) / 3.0;
        QVERIFY(std::fabs(blended.ropeInverseFrequencies[1] -
                          ((1 - smooth) * 0.1 / 8 + smooth * 0.1)) < 1e-12);
    }

    void generationIsDeterministic() {
        TinyLlama model;
        model.randomize(5);
        QTemporaryDir dir;
        bitlens::test::writeGguf(model, dir.filePath("m.gguf"));
        const auto checkpoint = open(dir.filePath("m.gguf"));
        const std::unique_ptr<LlamaRunner> llama = CpuLlamaEngine().load(
            *checkpoint, LlamaConfig::fromCheckpoint(*checkpoint), OriginalWeights());
        const std::vector<int32_t> prompt = {1, 4};
        const std::vector<int32_t> greedy = generateTokens(*llama, prompt, 6, {});
        QCOMPARE(greedy.size(), size_t(6));
        // Greedy takes the arg max of the forward pass's last row.
        const std::vector<float> logits = llama->forward(prompt);
        const auto last = logits.end() - ptrdiff_t(model.vocab);
        QCOMPARE(greedy[0], int32_t(std::max_element(last, logits.end()) - last));
        QCOMPARE(llama->nextTokenLogits(prompt), std::vector<float>(last, logits.end()));
        QCOMPARE(generateTokens(*llama, prompt, 6, {0.001f, 9}), greedy);
        const std::vector<int32_t> sampled = generateTokens(*llama, prompt, 20, {1.5f, 42});
        QCOMPARE(generateTokens(*llama, prompt, 20, {1.5f, 42}), sampled);
        QVERIFY(generateTokens(*llama, prompt, 20, {1.5f, 43}) != sampled);
        // Stops at the context length (32) and after the stop token.
        QCOMPARE(generateTokens(*llama, prompt, 100, {}).size(), size_t(30));
        const std::vector<int32_t> stopped = generateTokens(*llama, prompt, 6, {}, greedy[2]);
        QCOMPARE(stopped.back(), greedy[2]);
        QVERIFY(stopped.size() <= 3);
        // Progress after each token; false cancels.
        uint64_t heard = 0;
        QVERIFY_THROWS_EXCEPTION(Cancelled, generateTokens(*llama, prompt, 6, {}, -1,
                                                           [&heard](uint64_t done, uint64_t total) {
                                                               heard = done;
                                                               return done < 2 && total == 6;
                                                           }));
        QCOMPARE(heard, uint64_t(2));
    }

    void stories260KGreedyStory() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = open(bitlens::test::sharedDataPath("llama2c/stories260K.bin"));
        const auto tokenizer = loadTokenizer(
            *checkpoint, bitlens::test::sharedDataPath("llama2c/tok512.bin").toStdString());
        const std::unique_ptr<LlamaRunner> model = CpuLlamaEngine().load(
            *checkpoint, LlamaConfig::fromCheckpoint(*checkpoint), OriginalWeights());
        const std::string text = bitlens::test::greedyStoryFromBos(*model, *tokenizer, 24);
        QVERIFY2(text.starts_with("Once upon a time, there was a little girl named Lily"),
                 text.c_str());
    }
};

QTEST_GUILESS_MAIN(TestLlama)
#include "tst_llama.moc"
