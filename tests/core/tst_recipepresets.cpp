// SPDX-License-Identifier: MIT
#include "common/SyntheticCheckpoint.h"
#include "common/TestData.h"
#include "core/io/CheckpointReader.h"
#include "core/recipe/RecipePresets.h"
#include "core/recipe/SizePlan.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QTest>
#include <map>

using namespace bitlens;

namespace {

std::map<std::string, std::string> targetsByName(const Checkpoint& checkpoint,
                                                 const Recipe& recipe) {
    std::map<std::string, std::string> targets;
    for (const TensorInfo& tensor : checkpoint.tensors())
        targets[tensor.name] = recipe.resolve(tensor).target;
    return targets;
}

} // namespace

class TestRecipePresets : public QObject {
    Q_OBJECT
private slots:
    void singleFormatPresets_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<QString>("format");
        QTest::newRow("q8_0") << "All Q8_0"
                              << "q8_0";
        QTest::newRow("q4_k") << "All Q4_K"
                              << "q4_k";
        QTest::newRow("int4") << "int4-g128"
                              << "int4-g128-asym";
        QTest::newRow("nf4") << "NF4"
                             << "nf4";
        QTest::newRow("mxfp4") << "MXFP4"
                               << "mxfp4";
    }
    void singleFormatPresets() {
        QFETCH(QString, preset);
        QFETCH(QString, format);
        const Checkpoint empty("none", "synthetic");
        const Recipe recipe = makeRecipePreset(preset.toStdString(), empty);
        QCOMPARE(QString::fromStdString(recipe.defaultTarget()), format);
        QCOMPARE(QString::fromStdString(recipe.fallbackTarget()), QString("keep"));
        QVERIFY(recipe.rules().empty());
        QVERIFY(recipe.overrides().empty());
    }

    void namesInOrderAndUnknownRefused() {
        QCOMPARE(recipePresetNames(),
                 (std::vector<std::string>{"All Q8_0", "All Q4_K", "int4-g128", "NF4", "MXFP4",
                                           "Q4_K_M (llama.cpp mix)"}));
        const Checkpoint empty("none", "synthetic");
        QVERIFY_THROWS_EXCEPTION(Error, makeRecipePreset("Q3_K_XL", empty));
    }

    // stories260K: dim 64, hidden_dim 172, 5 layers, tied embeddings (no output.weight).
    // llama.cpp's rules for Q4_K_M, worked by hand:
    // - token_embd is the output matrix (tied): its rows of 64 are not a multiple of 256 -> Q8_0.
    // - use_more_bits(i, 5): 5/8 = 0, 7*5/8 = 4, so i >= 4 or i % 3 == 2: layers 2 and 4.
    // - attn_v of layers 2, 4 -> Q6_K, rows of 64 do not fit 256 -> Q8_0; the others Q4_K -> Q5_0.
    // - attn_q/k/output, ffn_gate/up: Q4_K, rows of 64 -> Q5_0.
    // - ffn_down (rows of 172): layers 2, 4 Q6_K -> Q8_0 -> 172 % 32 != 0 -> F16; the others
    //   Q4_K -> Q5_0 -> F16. BitLens has no F16 format: kept.
    // - norms (1-D): kept.
    void q4kmOnStories260K() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint =
            openCheckpoint(bitlens::test::sharedDataPath("llama2c/stories260K.bin").toStdString());
        const Recipe recipe = makeRecipePreset("Q4_K_M (llama.cpp mix)", *checkpoint);
        std::map<std::string, std::string> expected;
        expected["token_embd.weight"] = "q8_0";
        expected["output_norm.weight"] = "keep";
        for (int layer = 0; layer < 5; ++layer) {
            const std::string blk = "blk." + std::to_string(layer) + ".";
            const bool more = layer == 2 || layer == 4;
            expected[blk + "attn_norm.weight"] = "keep";
            expected[blk + "ffn_norm.weight"] = "keep";
            expected[blk + "attn_q.weight"] = "q5_0";
            expected[blk + "attn_k.weight"] = "q5_0";
            expected[blk + "attn_v.weight"] = more ? "q8_0" : "q5_0";
            expected[blk + "attn_output.weight"] = "q5_0";
            expected[blk + "ffn_gate.weight"] = "q5_0";
            expected[blk + "ffn_up.weight"] = "q5_0";
            expected[blk + "ffn_down.weight"] = "keep";
        }
        QCOMPARE(targetsByName(*checkpoint, recipe), expected);
        QCOMPARE(QString::fromStdString(recipe.defaultTarget()), QString("q4_k"));
        QCOMPARE(QString::fromStdString(recipe.fallbackTarget()), QString("q5_0"));
        // ffn_down is kept through the fallback, and says why.
        const RecipeDecision down = recipe.resolve(
            checkpoint->tensors()[size_t(checkpoint->findTensor("blk.0.ffn_down.weight"))]);
        QVERIFY2(down.fallback.find("row length 172") != std::string::npos, down.fallback.c_str());
    }

    // Rows of 256 take the K types; a separate lm_head; 8 blocks in Hugging Face names given out
    // of order. use_more_bits(i, 8): 8/8 = 1, 7*8/8 = 7: i < 1, i >= 7, (i - 1) % 3 == 2 -> 0, 3,
    // 6, 7.
    void q4kmOnHuggingFaceNames() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        std::vector<test::SyntheticTensor> tensors;
        for (int layer : {7, 0, 1, 2, 3, 4, 5, 6}) {
            const std::string prefix = "model.layers." + std::to_string(layer) + ".";
            tensors.push_back({prefix + "self_attn.q_proj.weight", {256, 256}, {}});
            tensors.push_back({prefix + "self_attn.v_proj.weight", {64, 256}, {}});
            tensors.push_back({prefix + "mlp.down_proj.weight", {256, 512}, {}});
            tensors.push_back({prefix + "input_layernorm.weight", {256}, {}});
        }
        tensors.push_back({"model.embed_tokens.weight", {32, 256}, {}});
        tensors.push_back({"lm_head.weight", {32, 256}, {}});
        const auto checkpoint = test::makeCheckpoint(dir.filePath("hf.bin"), tensors);
        QVERIFY(checkpoint);
        const auto targets =
            targetsByName(*checkpoint, makeRecipePreset("Q4_K_M (llama.cpp mix)", *checkpoint));
        QCOMPARE(targets.at("lm_head.weight"), std::string("q6_k"));
        QCOMPARE(targets.at("model.embed_tokens.weight"), std::string("q4_k"));
        for (int layer = 0; layer < 8; ++layer) {
            const std::string prefix = "model.layers." + std::to_string(layer) + ".";
            const bool more = layer == 0 || layer == 3 || layer == 6 || layer == 7;
            const std::string expected = more ? "q6_k" : "q4_k";
            QCOMPARE(targets.at(prefix + "self_attn.v_proj.weight"), expected);
            QCOMPARE(targets.at(prefix + "mlp.down_proj.weight"), expected);
            QCOMPARE(targets.at(prefix + "self_attn.q_proj.weight"), std::string("q4_k"));
            QCOMPARE(targets.at(prefix + "input_layernorm.weight"), std::string("keep"));
        }
    }
};

QTEST_GUILESS_MAIN(TestRecipePresets)
#include "tst_recipepresets.moc"
