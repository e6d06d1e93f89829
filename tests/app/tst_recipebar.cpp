// SPDX-License-Identifier: MIT
#include "app/DocumentWait.h"
#include "app/IsolatedSettings.h"
#include "common/TestData.h"
#include "gui/CheckpointDocument.h"
#include "gui/FormatComboBox.h"
#include "gui/RecipeBar.h"
#include "gui/RecipeDocument.h"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using bitlens::app::CheckpointDocument;
using bitlens::app::FormatComboBox;
using bitlens::app::RecipeBar;
using bitlens::app::RecipeDocument;

class TestRecipeBar : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(dir_.isValid());
        bitlens::test::isolateSettings(dir_.filePath("settings"), "tst_recipebar");
    }

    void formatComboGroupsByFamily() {
        FormatComboBox combo;
        QCOMPARE(combo.currentTarget(), QString("keep"));
        QVERIFY(combo.setCurrentTarget("q4_k"));
        QCOMPARE(combo.currentTarget(), QString("q4_k"));
        QVERIFY(!combo.setCurrentTarget("q9_9"));
        QCOMPARE(combo.currentTarget(), QString("q4_k"));
        // Family headings are there and cannot be chosen.
        const int heading = combo.findText("llama.cpp (ggml)");
        QVERIFY(heading > 0);
        QVERIFY(combo.itemData(heading).toString().isEmpty());
        QCOMPARE(combo.itemText(heading + 1), QString("q4_0"));
        QVERIFY(combo.findData("int4-g128-asym") > combo.findText("Integer"));
    }

    // Rules editor and default format through the widgets; totals follow every change.
    void editsTheRecipe() {
        BITLENS_REQUIRE_SHARED_DATA();
        QSettings().clear();
        CheckpointDocument checkpoints;
        RecipeDocument recipes(&checkpoints);
        RecipeBar bar(&recipes);
        auto* totals = bar.findChild<QLabel*>("recipeTotals");
        QCOMPARE(totals->text(), QString("No checkpoint open"));
        QVERIFY(!bar.findChild<QPushButton*>("applyPreset")->isEnabled());
        QCOMPARE(bitlens::test::openAndWait(
                     checkpoints, bitlens::test::sharedDataPath("llama2c/stories260K.bin")),
                 QString());
        QCOMPARE(totals->text(),
                 QString("1015.8 KiB → 1015.8 KiB  ·  32.00 bits/weight  ·  1.00× smaller"));

        auto* pattern = bar.findChild<QLineEdit*>("rulePattern");
        auto* format = bar.findChild<FormatComboBox*>("ruleFormat");
        auto* rules = bar.findChild<QListWidget*>("recipeRules");
        pattern->setText("blk.*.attn_q.weight");
        QVERIFY(format->setCurrentTarget("q8_0"));
        bar.findChild<QPushButton*>("addRule")->click();
        QCOMPARE(recipes.recipe().rules().size(), size_t(1));
        QCOMPARE(rules->count(), 1);
        QCOMPARE(rules->item(0)->text(), QString("glob 'blk.*.attn_q.weight' → q8_0"));
        // Five attn_q of 16384 bytes become 4352 bytes each.
        QCOMPARE(recipes.totals().bytesAfter, uint64_t(1040128 - 5 * (16384 - 4352)));

        rules->setCurrentRow(0);
        pattern->setText("blk.*.attn_k.weight");
        QVERIFY(format->setCurrentTarget("q4_0"));
        bar.findChild<QPushButton*>("replaceRule")->click();
        QCOMPARE(rules->item(0)->text(), QString("glob 'blk.*.attn_k.weight' → q4_0"));
        QCOMPARE(recipes.totals().bytesAfter, uint64_t(1040128 - 5 * (8192 - 1152)));

        auto* defaultFormat = bar.findChild<FormatComboBox*>("defaultFormat");
        const int q8 = defaultFormat->findData("q8_0");
        defaultFormat->setCurrentIndex(q8);
        emit defaultFormat->activated(q8);
        QCOMPARE(recipes.recipe().defaultTarget(), std::string("q8_0"));

        rules->setCurrentRow(0);
        bar.findChild<QPushButton*>("removeRule")->click();
        QVERIFY(recipes.recipe().rules().empty());
        QCOMPARE(rules->count(), 0);
        QVERIFY(!bar.findChild<QPushButton*>("removeRule")->isEnabled());
        QCOMPARE(recipes.totals().bytesAfter, uint64_t(440032));
        QVERIFY2(totals->text().contains("13.54 bits/weight  ·  2.36× smaller"),
                 qPrintable(totals->text()));
        QCOMPARE(recipes.undoStack()->count(), 4);

        // The bar follows undo: the default combo shows the recipe's default again.
        recipes.undoStack()->undo();
        recipes.undoStack()->undo();
        QCOMPARE(defaultFormat->currentTarget(), QString("keep"));
        QCOMPARE(rules->count(), 1);
    }

private:
    QTemporaryDir dir_;
};

QTEST_MAIN(TestRecipeBar)
#include "tst_recipebar.moc"
