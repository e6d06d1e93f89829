// SPDX-License-Identifier: MIT
#include "ComputeSession.h"
#include "VulkanLlamaEngine.h"
#include "common/GreedyStory.h"
#include "common/TestData.h"
#include "common/TinyLlama.h"
#include "core/eval/PerplexityEvaluator.h"
#include "core/io/CheckpointReader.h"
#include "core/text/TokenizerFactory.h"
#include "core/util/Error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <utility>

using namespace bitlens;
using bitlens::test::TinyLlama;

namespace {

constexpr double kTolerance = 1e-4;

// Every logit within kTolerance relative of the CPU's: |actual - expected| <=
// 1e-4 * max(|expected|, rms(expected)), the RMS floor for logits that cancel to nearly zero.
void compareRelative(const std::vector<float>& actual, const std::vector<float>& expected) {
    QCOMPARE(actual.size(), expected.size());
    double squares = 0;
    for (float value : expected)
        squares += double(value) * double(value);
    const double rms = std::sqrt(squares / double(expected.size()));
    QVERIFY(rms > 0);
    for (size_t i = 0; i < expected.size(); ++i) {
        const double scale = std::max(std::abs(double(expected[i])), rms);
        QVERIFY2(std::abs(double(actual[i]) - double(expected[i])) <= kTolerance * scale,
                 qPrintable(QString("logit %1: %2 vs CPU %3")
                                .arg(i)
                                .arg(double(actual[i]), 0, 'g', 9)
                                .arg(double(expected[i]), 0, 'g', 9)));
    }
}

void compareScalar(double actual, double expected, const char* what) {
    QVERIFY2(std::abs(actual - expected) <= kTolerance * std::abs(expected),
             qPrintable(QString("%1: Vulkan %2 vs CPU %3")
                            .arg(what)
                            .arg(actual, 0, 'g', 12)
                            .arg(expected, 0, 'g', 12)));
}

std::vector<int32_t> randomTokens(size_t count, uint64_t vocab, uint32_t seed) {
    std::mt19937 random(seed);
    std::vector<int32_t> tokens(count);
    for (int32_t& token : tokens)
        token = int32_t(random() % vocab);
    return tokens;
}

// A Hugging Face folder of `model` with `changes` merged into its config.json.
QString writeFolder(const TinyLlama& model, const QTemporaryDir& dir,
                    const std::string& architecture, const nlohmann::json& changes,
                    const std::map<std::string, std::vector<float>>& vectors = {}) {
    const QString folder = dir.filePath("hf");
    bitlens::test::writeHuggingFace(model, folder, architecture, vectors, changes);
    return folder;
}

std::vector<float> seeded(size_t count, uint32_t seed) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> uniform(-0.5f, 0.5f);
    std::vector<float> values(count);
    for (float& value : values)
        value = uniform(random);
    return values;
}

} // namespace

class TestVulkanLlama : public QObject {
    Q_OBJECT

    std::shared_ptr<ComputeSession> session_;
    std::shared_ptr<const LlamaEngine> vulkan_;
    const CpuLlamaEngine cpu_;

    // The Vulkan runner's forward and next-token logits against the CPU's for each sequence.
    void compareEngines(const Checkpoint& checkpoint,
                        const std::vector<std::vector<int32_t>>& sequences) {
        const LlamaConfig config = LlamaConfig::fromCheckpoint(checkpoint);
        const auto reference = cpu_.load(checkpoint, config, OriginalWeights());
        const auto device = vulkan_->load(checkpoint, config, OriginalWeights());
        for (const std::vector<int32_t>& tokens : sequences) {
            compareRelative(device->forward(tokens), reference->forward(tokens));
            compareRelative(device->nextTokenLogits(tokens), reference->nextTokenLogits(tokens));
        }
    }

private slots:
    void initTestCase() {
        // No Vulkan device is a failure, not a skip: this test exists to run the forward pass.
        session_ = ComputeSession::create();
        vulkan_ = std::make_shared<VulkanLlamaEngine>(session_);
        QVERIFY(vulkan_->name().starts_with("vulkan: "));
    }

    void stories260KLogits() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint =
            openCheckpoint(bitlens::test::sharedDataPath("llama2c/stories260K.bin").toStdString());
        // Length 1, a short prompt, one over the matmul's 64-row tile, and the longer first
        // sequence after shorter ones (the activations grow).
        compareEngines(*checkpoint, {{1},
                                     randomTokens(9, 512, 1),
                                     randomTokens(100, 512, 2),
                                     randomTokens(3, 512, 3),
                                     randomTokens(200, 512, 4)});
    }

    void tinyModels_data() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("GGUF, grouped-query") << "gguf";
        QTest::newRow("llama2.c, tied output") << "llama2c-tied";
        QTest::newRow("Hugging Face, half-split RoPE") << "hf";
        QTest::newRow("Hugging Face, tied output") << "hf-tied";
        QTest::newRow("Qwen2, q/k/v/o biases") << "qwen2";
        QTest::newRow("linear rope scaling") << "linear";
        QTest::newRow("llama3 rope scaling") << "llama3";
    }
    void tinyModels() {
        QFETCH(QString, kind);
        TinyLlama model;
        model.dim = 16;
        model.hiddenDim = 24;
        model.heads = 4;
        model.kvHeads = 2;
        model.tied = kind.endsWith("tied");
        model.randomize(11);
        QTemporaryDir dir;
        QString path;
        if (kind == "gguf") {
            path = dir.filePath("m.gguf");
            bitlens::test::writeGguf(model, path);
        } else if (kind == "llama2c-tied") {
            path = dir.filePath("m.bin");
            QVERIFY(bitlens::test::writeLlama2c(model, path));
        } else if (kind == "qwen2") {
            std::map<std::string, std::vector<float>> biases;
            const uint64_t kvWidth = model.kvHeads * model.headDim();
            for (uint64_t i = 0; i < model.layers; ++i) {
                const std::string prefix = "model.layers." + std::to_string(i) + ".self_attn.";
                biases[prefix + "q_proj.bias"] = seeded(model.dim, 20 + uint32_t(i));
                biases[prefix + "k_proj.bias"] = seeded(kvWidth, 30 + uint32_t(i));
                biases[prefix + "v_proj.bias"] = seeded(kvWidth, 40 + uint32_t(i));
                biases[prefix + "o_proj.bias"] = seeded(model.dim, 50 + uint32_t(i));
            }
            path = writeFolder(model, dir, "Qwen2ForCausalLM", nlohmann::json::object(), biases);
        } else if (kind == "linear") {
            path = writeFolder(
                model, dir, "LlamaForCausalLM",
                {{"rope_theta", 100.0}, {"rope_scaling", {{"type", "linear"}, {"factor", 4.0}}}});
        } else if (kind == "llama3") {
            path = writeFolder(model, dir, "LlamaForCausalLM",
                               {{"rope_scaling",
                                 {{"rope_type", "llama3"},
                                  {"factor", 8.0},
                                  {"low_freq_factor", 1.0},
                                  {"high_freq_factor", 4.0},
                                  {"original_max_position_embeddings", 8}}}});
        } else {
            path = writeFolder(model, dir, "LlamaForCausalLM", nlohmann::json::object());
        }
        const auto checkpoint = openCheckpoint(path.toStdString());
        const LlamaConfig config = LlamaConfig::fromCheckpoint(*checkpoint);
        QCOMPARE(config.kvHeads, uint64_t(2));
        QCOMPARE(config.tiedOutput, model.tied);
        QCOMPARE(config.tensors.layers[0].queryBias >= 0, kind == "qwen2");
        QCOMPARE(config.tensors.layers[1].attentionOutputBias >= 0, kind == "qwen2");
        QCOMPARE(config.ropePairing == RopePairing::HalfSplit,
                 kind != "gguf" && kind != "llama2c-tied");
        if (kind == "linear" || kind == "llama3")
            QVERIFY(config.ropeScaling == kind.toStdString());
        compareEngines(*checkpoint,
                       {{3}, randomTokens(7, model.vocab, 5), randomTokens(32, model.vocab, 6)});
    }

    void refusals() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint =
            openCheckpoint(bitlens::test::sharedDataPath("llama2c/stories260K.bin").toStdString());
        const auto runner =
            vulkan_->load(*checkpoint, LlamaConfig::fromCheckpoint(*checkpoint), OriginalWeights());
        auto refuses = [&](const std::vector<int32_t>& tokens, const char* message) {
            try {
                runner->forward(tokens);
                QFAIL("no error");
            } catch (const Error& error) {
                QVERIFY2(std::string(error.what()).find(message) != std::string::npos,
                         error.what());
            }
        };
        refuses({}, "at least one token");
        refuses({1, 512}, "outside the vocabulary");
        refuses(std::vector<int32_t>(2049, 1), "limit of 2048 positions");
    }

    void limitations() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint =
            openCheckpoint(bitlens::test::sharedDataPath("llama2c/stories260K.bin").toStdString());
        LlamaConfig config = LlamaConfig::fromCheckpoint(*checkpoint);
        QCOMPARE(vulkan_->limitation(config, 512), std::string());
        QCOMPARE(CpuLlamaEngine().limitation(config, 4096), std::string());
        QCOMPARE(vulkan_->limitation(config, 2049),
                 std::string("a context of 2049 tokens exceeds the Vulkan attention's 2048"));
        // An embedding one row larger than one storage buffer.
        const uint64_t rangeFloats = session_->context()->description().maxStorageBufferRange / 4;
        config.vocabSize = rangeFloats / config.dim + 1;
        const std::string tooLarge = vulkan_->limitation(config, 512);
        QVERIFY2(tooLarge.find("exceeds the device's storage buffer range") != std::string::npos,
                 tooLarge.c_str());
    }

    void stories260KPerplexity() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint =
            openCheckpoint(bitlens::test::sharedDataPath("llama2c/stories260K.bin").toStdString());
        const auto tokenizer = loadTokenizer(
            *checkpoint, bitlens::test::sharedDataPath("llama2c/tok512.bin").toStdString());
        QFile text(bitlens::test::sharedDataPath("text/tinystories_val.txt"));
        QVERIFY(text.open(QIODevice::ReadOnly));
        const std::vector<int32_t> tokens =
            PerplexityEvaluator::tokenizeText(*tokenizer, text.readAll().toStdString());
        const PerplexityOptions options{128, 2};
        PerplexityEvaluator onCpu(*checkpoint);
        PerplexityEvaluator onDevice(*checkpoint);
        onDevice.setEngine(vulkan_);
        QCOMPARE(onDevice.engine().name(), vulkan_->name());

        const PerplexityResult cpuFloat = onCpu.scoreOriginal(tokens, tokenizer->bos(), options);
        const PerplexityResult gpuFloat = onDevice.scoreOriginal(tokens, tokenizer->bos(), options);
        QCOMPARE(gpuFloat.scoredTokens, uint64_t(2 * 63));
        qInfo("float: ppl cpu %.6f +/- %.6f, vulkan %.6f +/- %.6f", cpuFloat.original.ppl,
              cpuFloat.original.pplError, gpuFloat.original.ppl, gpuFloat.original.pplError);
        compareScalar(gpuFloat.original.ppl, cpuFloat.original.ppl, "float ppl");
        compareScalar(gpuFloat.original.pplError, cpuFloat.original.pplError, "float ppl error");

        const QuantizedWeights q4(formatsFromRecipe(Recipe::singleFormat("q4_0")));
        const PerplexityComparison cpuQ4 = onCpu.compare(tokens, tokenizer->bos(), options, q4);
        const PerplexityComparison gpuQ4 = onDevice.compare(tokens, tokenizer->bos(), options, q4);
        qInfo("q4_0: ppl cpu %.6f, vulkan %.6f; KL mean cpu %.8f, vulkan %.8f; p99 cpu %.8f, "
              "vulkan %.8f; same top cpu %.4f, vulkan %.4f",
              cpuQ4.quantized.ppl, gpuQ4.quantized.ppl, cpuQ4.kldMean, gpuQ4.kldMean, cpuQ4.kldP99,
              gpuQ4.kldP99, cpuQ4.sameTop, gpuQ4.sameTop);
        compareScalar(gpuQ4.quantized.ppl, cpuQ4.quantized.ppl, "q4_0 ppl");
        QVERIFY(gpuQ4.quantized.ppl != gpuFloat.original.ppl);
        QVERIFY(cpuQ4.kldMean > 1e-4); // the quantization is visible above the tolerance
        QVERIFY(std::abs(gpuQ4.kldMean - cpuQ4.kldMean) <= kTolerance);
        QVERIFY(std::abs(gpuQ4.kldP99 - cpuQ4.kldP99) <= kTolerance);
    }

    void stories260KGreedyStory() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint =
            openCheckpoint(bitlens::test::sharedDataPath("llama2c/stories260K.bin").toStdString());
        const auto tokenizer = loadTokenizer(
            *checkpoint, bitlens::test::sharedDataPath("llama2c/tok512.bin").toStdString());
        const auto runner =
            vulkan_->load(*checkpoint, LlamaConfig::fromCheckpoint(*checkpoint), OriginalWeights());
        const std::string text = bitlens::test::greedyStoryFromBos(*runner, *tokenizer, 24);
        QVERIFY2(text.starts_with("Once upon a time, there was a little girl named Lily"),
                 text.c_str());
    }
};

QTEST_GUILESS_MAIN(TestVulkanLlama)
#include "tst_vulkan_llama.moc"
