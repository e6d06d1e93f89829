// SPDX-License-Identifier: MIT
#include "app/DocumentWait.h"
#include "app/IsolatedSettings.h"
#include "common/SafetensorsFile.h"
#include "common/TestData.h"
#include "core/util/Error.h"
#include "gui/CheckpointDocument.h"
#include "gui/RecipeDocument.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using bitlens::PatternKind;
using bitlens::app::CheckpointDocument;
using bitlens::app::RecipeDocument;
using bitlens::test::openAndWait;

namespace {

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

std::string json(const RecipeDocument& document) {
    return document.recipe().toJson().dump();
}

} // namespace

class TestRecipeDocument : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        bitlens::test::isolateSettings(dir_.filePath("settings"), "tst_recipedocument");
        stories_ = bitlens::test::sharedDataPath("llama2c/stories260K.bin");
        other_ = dir_.filePath("other.safetensors");
        QVERIFY(bitlens::test::writeSafetensors(other_, {{"w", "F32", {4, 32}}}));
    }
    void init() { QSettings().clear(); }

    void editsAreUndoableSteps() {
        BITLENS_REQUIRE_SHARED_DATA();
        CheckpointDocument checkpoints;
        RecipeDocument recipes(&checkpoints);
        QSignalSpy changed(&recipes, &RecipeDocument::recipeChanged);
        QCOMPARE(openAndWait(checkpoints, stories_), QString());
        QCOMPARE(changed.count(), 1);
        const std::string initial = json(recipes);
        QCOMPARE(recipes.recipe().defaultTarget(), std::string("keep"));

        recipes.setDefault("q8_0");
        recipes.addRule(PatternKind::Glob, "blk.*.ffn_*", "q4_0");
        recipes.addRule(PatternKind::Regex, "attn_[qk]", "q4_k");
        recipes.editRule(1, PatternKind::Glob, "blk.*.attn_v.weight", "q6_k");
        recipes.removeRule(0);
        recipes.setFormats({"token_embd.weight"}, "keep");
        QCOMPARE(changed.count(), 7);
        QCOMPARE(recipes.undoStack()->count(), 6);
        QCOMPARE(recipes.recipe().rules().size(), size_t(1));
        QCOMPARE(recipes.recipe().rules()[0].pattern.text(), std::string("blk.*.attn_v.weight"));
        QCOMPARE(recipes.recipe().overrides().at("token_embd.weight"), std::string("keep"));
        QCOMPARE(recipes.undoStack()->undoText(), QString("Set 'token_embd.weight' to keep"));
        const std::string edited = json(recipes);

        // Invalid edits throw and record nothing; a change to the same recipe is no step.
        QVERIFY_THROWS_EXCEPTION(bitlens::Error, recipes.setDefault("q9_9"));
        QVERIFY_THROWS_EXCEPTION(bitlens::Error, recipes.addRule(PatternKind::Regex, "(", "q8_0"));
        QVERIFY_THROWS_EXCEPTION(bitlens::Error, recipes.removeRule(5));
        recipes.setDefault("q8_0");
        QCOMPARE(recipes.undoStack()->count(), 6);
        QCOMPARE(changed.count(), 7);

        while (recipes.undoStack()->canUndo())
            recipes.undoStack()->undo();
        QCOMPARE(json(recipes), initial);
        QCOMPARE(recipes.totals().bytesAfter, uint64_t(1040128));
        QCOMPARE(changed.count(), 13);
        while (recipes.undoStack()->canRedo())
            recipes.undoStack()->redo();
        QCOMPARE(json(recipes), edited);
    }

    void saveLoadRoundTrip() {
        BITLENS_REQUIRE_SHARED_DATA();
        CheckpointDocument checkpoints;
        RecipeDocument recipes(&checkpoints);
        QCOMPARE(openAndWait(checkpoints, stories_), QString());
        recipes.setDefault("q4_0");
        recipes.addRule(PatternKind::Regex, "attn_v", "q8_0");
        recipes.setFormats({"blk.0.attn_q.weight", "blk.1.attn_q.weight"}, "int4-g32-asym");
        const std::string saved = json(recipes);
        const uint64_t savedBytes = recipes.totals().bytesAfter;
        QTemporaryDir folder;
        const QString path = folder.filePath("mix.json");
        QCOMPARE(recipes.save(path), QString());
        QVERIFY(!QFile::exists(path + ".tmp"));

        recipes.undoStack()->undo();
        recipes.undoStack()->undo();
        QVERIFY(json(recipes) != saved);
        QCOMPARE(recipes.load(path), QString());
        QCOMPARE(json(recipes), saved);
        QCOMPARE(recipes.totals().bytesAfter, savedBytes);
        QCOMPARE(recipes.undoStack()->undoText(), QString("Load recipe mix.json"));
        recipes.undoStack()->undo();
        QVERIFY(json(recipes) != saved);
        QCOMPARE(recipes.save(folder.filePath("missing/folder/x.json")).contains("missing/folder"),
                 true);
    }

    void malformedFileNamesFileAndProblem_data() {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("problem");
        QTest::newRow("not json") << QByteArray("{ \"version\": 1, ") << "not valid JSON";
        QTest::newRow("unknown format")
            << QByteArray(R"({"version": 1, "default": "q9_9"})") << "field 'default'";
        QTest::newRow("wrong version") << QByteArray(R"({"version": 2})") << "field 'version'";
        QTest::newRow("rule without pattern")
            << QByteArray(R"({"version": 1, "rules": [{"format": "q8_0"}]})")
            << "field 'rules[0].pattern': missing";
    }
    void malformedFileNamesFileAndProblem() {
        QFETCH(QByteArray, contents);
        QFETCH(QString, problem);
        BITLENS_REQUIRE_SHARED_DATA();
        CheckpointDocument checkpoints;
        RecipeDocument recipes(&checkpoints);
        QCOMPARE(openAndWait(checkpoints, stories_), QString());
        recipes.setDefault("q8_0");
        const std::string before = json(recipes);
        QTemporaryDir folder;
        const QString path = folder.filePath("broken.json");
        QVERIFY(writeFile(path, contents));
        QSignalSpy changed(&recipes, &RecipeDocument::recipeChanged);
        const QString error = recipes.load(path);
        QVERIFY2(error.startsWith(path + ": "), qPrintable(error));
        QVERIFY2(error.contains(problem), qPrintable(error));
        QCOMPARE(json(recipes), before);
        QCOMPARE(recipes.undoStack()->count(), 1);
        QCOMPARE(changed.count(), 0);
        const QString missing = folder.filePath("absent.json");
        QCOMPARE(recipes.load(missing), missing + ": cannot be read");
    }

    // Totals worked by hand from the formats' block sizes (see tst_layertablemodel for the
    // tensor sizes of stories260K). All Q8_0: every matrix of rows of 64 in 34-byte blocks of
    // 32; ffn_down (rows of 172) kept:
    //   token_embd 34816 + 5 × (4352 + 2176 + 2176 + 4352 + 11696 + 11696 + 44032 + 512) + 256.
    // Q4_K_M (llama.cpp): token_embd q8_0 34816; per block q5_0 (22-byte blocks of 32):
    // attn_q 2816, attn_k 1408, attn_v 1408 (q8_0 2176 in blocks 2 and 4), attn_output 2816,
    // ffn_gate 7568, ffn_up 7568; ffn_down kept 44032; norms 512; output_norm 256.
    void presets_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<qulonglong>("bytesAfter");
        QTest::newRow("All Q8_0") << "All Q8_0" << qulonglong(34816 + 5 * 80992 + 256);
        QTest::newRow("Q4_K_M") << "Q4_K_M (llama.cpp mix)"
                                << qulonglong(34816 + 3 * 68128 + 2 * 68896 + 256);
    }
    void presets() {
        QFETCH(QString, preset);
        QFETCH(qulonglong, bytesAfter);
        BITLENS_REQUIRE_SHARED_DATA();
        CheckpointDocument checkpoints;
        RecipeDocument recipes(&checkpoints);
        QVERIFY_THROWS_EXCEPTION(bitlens::Error, recipes.applyPreset(preset.toStdString()));
        QCOMPARE(recipes.load(dir_.filePath("any.json")),
                 QString("Open a checkpoint before loading a recipe."));
        QCOMPARE(openAndWait(checkpoints, stories_), QString());
        recipes.applyPreset(preset.toStdString());
        QCOMPARE(recipes.undoStack()->count(), 1);
        QCOMPARE(qulonglong(recipes.totals().bytesAfter), bytesAfter);
        QCOMPARE(recipes.totals().bytesBefore, uint64_t(1040128));
        QCOMPARE(recipes.totals().bitsPerWeight(), double(bytesAfter) * 8.0 / 260032.0);
        QCOMPARE(recipes.totals().compressionRatio(), 1040128.0 / double(bytesAfter));
        qInfo("%s on stories260K: %llu -> %llu bytes, %.4f bits/weight, ratio %.4f",
              qPrintable(preset), qulonglong(recipes.totals().bytesBefore),
              qulonglong(recipes.totals().bytesAfter), recipes.totals().bitsPerWeight(),
              recipes.totals().compressionRatio());
        recipes.undoStack()->undo();
        QCOMPARE(recipes.totals().bytesAfter, uint64_t(1040128));
        QVERIFY_THROWS_EXCEPTION(bitlens::Error, recipes.applyPreset("no such preset"));
    }

    void lastRecipeIsRestoredPerFile() {
        BITLENS_REQUIRE_SHARED_DATA();
        {
            CheckpointDocument checkpoints;
            RecipeDocument recipes(&checkpoints);
            QCOMPARE(openAndWait(checkpoints, stories_), QString());
            recipes.setDefault("q8_0");
            recipes.setFormats({"blk.4.attn_v.weight"}, "q4_0");
            QCOMPARE(openAndWait(checkpoints, other_), QString());
            QCOMPARE(recipes.recipe().defaultTarget(), std::string("keep"));
            QCOMPARE(recipes.undoStack()->count(), 0);
            recipes.setDefault("nf4");
        }
        QVERIFY(QSettings().contains(RecipeDocument::settingsKey(stories_)));
        CheckpointDocument checkpoints;
        RecipeDocument recipes(&checkpoints);
        QSignalSpy changed(&recipes, &RecipeDocument::recipeChanged);
        // The key is the absolute path: a relative path to the same file finds it.
        const QString relative = QDir::current().relativeFilePath(stories_);
        QCOMPARE(RecipeDocument::settingsKey(relative), RecipeDocument::settingsKey(stories_));
        QCOMPARE(openAndWait(checkpoints, relative), QString());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(recipes.recipe().defaultTarget(), std::string("q8_0"));
        QCOMPARE(recipes.recipe().overrides().at("blk.4.attn_v.weight"), std::string("q4_0"));
        QCOMPARE(recipes.undoStack()->count(), 0);
        QCOMPARE(openAndWait(checkpoints, other_), QString());
        QCOMPARE(recipes.recipe().defaultTarget(), std::string("nf4"));

        // A remembered recipe that no longer parses is dropped, not fatal.
        QSettings().setValue(RecipeDocument::settingsKey(other_), "{\"version\": 7}");
        QCOMPARE(openAndWait(checkpoints, other_), QString());
        QCOMPARE(recipes.recipe().defaultTarget(), std::string("keep"));
    }

private:
    QTemporaryDir dir_;
    QString stories_;
    QString other_;
};

QTEST_MAIN(TestRecipeDocument)
#include "tst_recipedocument.moc"
