// SPDX-License-Identifier: MIT
#include "common/SyntheticCheckpoint.h"
#include "core/recipe/Recipe.h"
#include "core/recipe/SizePlan.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QTest>
#include <fstream>

using namespace bitlens;

namespace {

TensorInfo tensor(const std::string& name, std::vector<uint64_t> shape) {
    TensorInfo info;
    info.name = name;
    info.shape = std::move(shape);
    info.byteSize = info.elementCount() * 4;
    return info;
}

// The recipe used by several tests: rules of both kinds, a default and an override.
Recipe layeredRecipe() {
    Recipe recipe;
    recipe.setDefault("q4_0");
    recipe.addRule(PatternKind::Glob, "*.attention.w?", "q4_k");
    recipe.addRule(PatternKind::Regex, "feed_forward\\.w[13]$", "q8_0");
    recipe.addRule(PatternKind::Glob, "layers.0.*", "keep");
    recipe.setOverride("layers.0.attention.wq", "q6_k");
    recipe.setOverride("norm.weight", "q4_0");
    return recipe;
}

} // namespace

class TestRecipe : public QObject {
    Q_OBJECT
private slots:
    void globs_data() {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("matches");
        QTest::newRow("star spans dots") << "blk.*.weight"
                                         << "blk.1.attn_q.weight" << true;
        QTest::newRow("star may be empty") << "blk.*1"
                                           << "blk.1" << true;
        QTest::newRow("backtracking") << "*a*b*c"
                                      << "xaxbxbxc" << true;
        QTest::newRow("no partial match") << "attn"
                                          << "blk.0.attn_q" << false;
        QTest::newRow("question mark") << "w?"
                                       << "w1" << true;
        QTest::newRow("question mark needs a character") << "w?"
                                                         << "w" << false;
        QTest::newRow("trailing text") << "*.weight"
                                       << "a.weights" << false;
        QTest::newRow("empty") << ""
                               << "" << true;
    }
    void globs() {
        QFETCH(QString, pattern);
        QFETCH(QString, name);
        QFETCH(bool, matches);
        QCOMPARE(globMatches(pattern.toStdString(), name.toStdString()), matches);
    }
    void precedence_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("why");
        // The override beats rule 1 and rule 3, which both match.
        QTest::newRow("override") << "layers.0.attention.wq"
                                  << "q6_k"
                                  << "override";
        // Rules 1 and 3 match: the first wins.
        QTest::newRow("first rule") << "layers.0.attention.wk"
                                    << "q4_k"
                                    << "rule 1 (glob '*.attention.w?')";
        QTest::newRow("regex searches") << "layers.1.feed_forward.w3"
                                        << "q8_0"
                                        << "rule 2 (regex 'feed_forward\\.w[13]$')";
        QTest::newRow("regex anchored by $") << "layers.1.feed_forward.w30"
                                             << "q4_0"
                                             << "default";
        QTest::newRow("keep rule") << "layers.0.feed_forward.w2"
                                   << "keep"
                                   << "rule 3 (glob 'layers.0.*')";
        QTest::newRow("glob is a whole match") << "x.layers.0.w"
                                               << "q4_0"
                                               << "default";
        QTest::newRow("default") << "output.weight"
                                 << "q4_0"
                                 << "default";
    }
    void precedence() {
        QFETCH(QString, name);
        QFETCH(QString, target);
        QFETCH(QString, why);
        const RecipeDecision decision =
            layeredRecipe().resolve(tensor(name.toStdString(), {64, 256}));
        QCOMPARE(QString::fromStdString(decision.target), target);
        QCOMPARE(QString::fromStdString(decision.why), why);
        QVERIFY(decision.fallback.empty());
    }
    void oneDimensionalTensorsAreKept() {
        const Recipe recipe = layeredRecipe();
        const RecipeDecision bias = recipe.resolve(tensor("layers.1.attention.wq", {256}));
        QVERIFY(bias.keep());
        QCOMPARE(bias.source, DecisionSource::OneDimensional);
        QVERIFY(recipe.resolve(tensor("scale", {})).keep());
        // ... unless an override names them.
        const RecipeDecision norm = recipe.resolve(tensor("norm.weight", {256}));
        QCOMPARE(norm.target, std::string("q4_0"));
        QCOMPARE(norm.source, DecisionSource::Override);
    }
    void fallbackIsReported() {
        Recipe recipe = Recipe::singleFormat("q4_k");
        const TensorInfo w2 = tensor("layers.0.feed_forward.w2", {64, 172});
        RecipeDecision decision = recipe.resolve(w2);
        QVERIFY(decision.keep());
        QCOMPARE(decision.requested, std::string("q4_k"));
        QVERIFY2(decision.fallback.starts_with("format q4_k does not fit row length 172 ("),
                 decision.fallback.c_str());
        QVERIFY(decision.fallback.ends_with("): fell back to keep"));

        recipe.setFallback("int8-ch-sym");
        decision = recipe.resolve(w2);
        QCOMPARE(decision.target, std::string("int8-ch-sym"));
        QVERIFY(decision.fallback.ends_with("fell back to int8-ch-sym"));

        recipe.setFallback("q8_0"); // 172 is not a multiple of 32 either
        decision = recipe.resolve(w2);
        QVERIFY(decision.keep());
        QVERIFY2(decision.fallback.find("fell back to keep (fallback q8_0 does not fit either") !=
                     std::string::npos,
                 decision.fallback.c_str());

        // Rows that fit: no fallback.
        QCOMPARE(recipe.resolve(tensor("w1", {172, 256})).target, std::string("q4_k"));
    }
    void keras() {
        // Channels-last Dense kernel [in 784, out 128]: rows of 784 values.
        TensorInfo kernel = tensor("dense/kernel:0", {784, 128});
        kernel.channelAxis = ChannelAxis::Last;
        const RecipeDecision decision = Recipe::singleFormat("int4-g32-sym").resolve(kernel);
        QVERIFY(decision.keep()); // 784 is not a multiple of 32
        QVERIFY(decision.fallback.find("row length 784") != std::string::npos);
        QCOMPARE(Recipe::singleFormat("int4-g16-sym").resolve(kernel).target,
                 std::string("int4-g16-sym"));
    }
    void badTargetsThrow() {
        Recipe recipe;
        QVERIFY_THROWS_EXCEPTION(Error, recipe.setDefault("q9_9"));
        QVERIFY_THROWS_EXCEPTION(Error, recipe.addRule(PatternKind::Regex, "(", "q8_0"));
        QVERIFY_THROWS_EXCEPTION(Error, Recipe::singleFormat("int9-g32-sym"));
        QCOMPARE(recipe.defaultTarget(), std::string("keep"));
        QVERIFY(recipe.rules().empty());
    }
    void rulesAreReplacedAndRemoved() {
        Recipe recipe = layeredRecipe();
        recipe.setRule(1, PatternKind::Glob, "*.w2", "q6_k");
        QCOMPARE(recipe.rules()[1].pattern.text(), std::string("*.w2"));
        QCOMPARE(recipe.rules()[1].target, std::string("q6_k"));
        QVERIFY(recipe.rules()[1].pattern.kind() == PatternKind::Glob);
        recipe.removeRule(0);
        QCOMPARE(recipe.rules().size(), size_t(2));
        QCOMPARE(recipe.rules()[0].pattern.text(), std::string("*.w2"));
        QVERIFY_THROWS_EXCEPTION(Error, recipe.removeRule(2));
        QVERIFY_THROWS_EXCEPTION(Error, recipe.setRule(2, PatternKind::Glob, "x", "q8_0"));
        // A bad target leaves the rule as it was.
        QVERIFY_THROWS_EXCEPTION(Error, recipe.setRule(0, PatternKind::Glob, "y", "q9_9"));
        QCOMPARE(recipe.rules()[0].pattern.text(), std::string("*.w2"));
    }
    void jsonRoundTrip() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("recipe.json").toStdString();
        Recipe recipe = layeredRecipe();
        recipe.setFallback("q8_0");
        recipe.save(path);
        const Recipe loaded = Recipe::load(path);
        QCOMPARE(loaded.toJson().dump(), recipe.toJson().dump());
        QVERIFY(loaded.toJson()["version"] == 1);
        QCOMPARE(loaded.rules().size(), size_t(3));
        QCOMPARE(loaded.rules()[1].pattern.kind(), PatternKind::Regex);
        QCOMPARE(loaded.overrides().at("layers.0.attention.wq"), std::string("q6_k"));
        QCOMPARE(loaded.fallbackTarget(), std::string("q8_0"));
        QVERIFY(!std::filesystem::exists(path + ".tmp"));
        // A minimal file: every field but the version is optional.
        std::ofstream(dir.filePath("min.json").toStdString()) << "{\"version\": 1}";
        const Recipe minimal = Recipe::load(dir.filePath("min.json").toStdString());
        QCOMPARE(minimal.toJson().dump(), Recipe().toJson().dump());
    }
    void malformedFiles_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("not json") << "{'version': 1,"
                                  << "not valid JSON";
        QTest::newRow("not an object") << "[1]"
                                       << "field '(top level)': expected an object";
        QTest::newRow("no version") << "{}"
                                    << "field 'version': missing";
        QTest::newRow("version 2") << "{'version': 2}"
                                   << "field 'version': unsupported recipe version 2";
        QTest::newRow("version string") << "{'version': '1'}"
                                        << "field 'version': unsupported recipe version \"1\"";
        QTest::newRow("unknown key") << "{'version': 1, 'defualt': 'q8_0'}"
                                     << "field 'defualt': unknown key";
        QTest::newRow("default number") << "{'version': 1, 'default': 8}"
                                        << "field 'default': expected a string, found number";
        QTest::newRow("unknown format")
            << "{'version': 1, 'rules': [{'pattern': '*', 'format': 'q9_0'}]}"
            << "field 'rules[0].format': unknown format id 'q9_0'";
        QTest::newRow("bad regex")
            << "{'version': 1, 'rules': [{'kind': 'regex', 'pattern': '([', 'format': 'q8_0'}]}"
            << "field 'rules[0].pattern': bad regex '(['";
        QTest::newRow("bad kind")
            << "{'version': 1, 'rules': [{'kind': 'wild', 'pattern': '*', 'format': 'q8_0'}]}"
            << "field 'rules[0].kind': 'wild' is neither";
        QTest::newRow("rules object") << "{'version': 1, 'rules': {}}"
                                      << "field 'rules': expected an array, found object";
        QTest::newRow("rule without format") << "{'version': 1, 'rules': [{'pattern': '*'}]}"
                                             << "field 'rules[0].format': missing";
        QTest::newRow("override number") << "{'version': 1, 'overrides': {'w': 4}}"
                                         << "field 'overrides.w': expected a string";
        QTest::newRow("fallback unknown") << "{'version': 1, 'fallback': 'int4'}"
                                          << "field 'fallback': ";
    }
    void malformedFiles() {
        QFETCH(QString, text);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.json").toStdString();
        // The table writes JSON with single quotes (moc cannot read raw string literals).
        std::ofstream(path) << text.replace(QLatin1Char('\''), QLatin1Char('"')).toStdString();
        try {
            Recipe::load(path);
            QFAIL("no error");
        } catch (const FileError& error) {
            const QString what = QString::fromUtf8(error.what());
            QVERIFY2(what.startsWith(QString::fromStdString(path) + ": "), qPrintable(what));
            QVERIFY2(what.contains(message), qPrintable(what));
        }
        QVERIFY_THROWS_EXCEPTION(FileError,
                                 Recipe::load(dir.filePath("missing.json").toStdString()));
    }
    void sizePlan() {
        QTemporaryDir dir;
        const auto checkpoint = test::makeCheckpoint(dir.filePath("model.bin"),
                                                     {{"tok_embeddings.weight", {512, 64}, {}},
                                                      {"norm.weight", {64}, {}},
                                                      {"layers.0.feed_forward.w2", {64, 172}, {}}});
        QVERIFY(checkpoint);
        const SizePlan plan = planSizes(*checkpoint, Recipe::singleFormat("q8_0"));
        QCOMPARE(plan.tensors.size(), size_t(3));
        // q8_0: 34 bytes per 32 values.
        QCOMPARE(plan.tensors[0].bytesAfter, uint64_t(512 * 64 / 32 * 34));
        QCOMPARE(plan.tensors[0].bitsPerWeight(), 8.5);
        QCOMPARE(plan.tensors[1].bytesAfter, uint64_t(64 * 4));
        QCOMPARE(plan.tensors[2].bytesAfter, uint64_t(64 * 172 * 4));
        QVERIFY(!plan.tensors[2].decision.fallback.empty());
        const SizeTotals& t = plan.totals;
        QCOMPARE(t.params, uint64_t(32768 + 64 + 11008));
        QCOMPARE(t.bytesBefore, uint64_t(43840 * 4));
        QCOMPARE(t.bytesAfter, uint64_t(34816 + 256 + 44032));
        QCOMPARE(t.quantizedParams, uint64_t(32768));
        QCOMPARE(t.quantizedBitsPerWeight(), 8.5);
        QCOMPARE(t.bitsPerWeight(), 79104.0 * 8 / 43840);
        QCOMPARE(t.compressionRatio(), 175360.0 / 79104);

        const SizePlan subset = planSizes(*checkpoint, Recipe::singleFormat("q8_0"), {1});
        QCOMPARE(subset.tensors.size(), size_t(1));
        QCOMPARE(subset.totals.params, uint64_t(64));
        QCOMPARE(subset.totals.quantizedBitsPerWeight(), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestRecipe)
#include "tst_recipe.moc"
