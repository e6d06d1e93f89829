// SPDX-License-Identifier: MIT
#include "app/DocumentWait.h"
#include "app/IsolatedSettings.h"
#include "common/SafetensorsFile.h"
#include "common/TestData.h"
#include "core/recipe/SizePlan.h"
#include "gui/CheckpointDocument.h"
#include "gui/FormatComboBox.h"
#include "gui/FormatDelegate.h"
#include "gui/LayerTableModel.h"
#include "gui/RecipeDocument.h"
#include "gui/TensorFilterModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QStyleOptionViewItem>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <cmath>
#include <memory>

using bitlens::app::CheckpointDocument;
using bitlens::app::LayerTableModel;
using bitlens::app::RecipeDocument;
using bitlens::app::TensorFilterModel;
using bitlens::test::openAndWait;

namespace {

// Parameters: 32768, 4096, 64, 4096, 1720 (42744 in all).
const std::vector<bitlens::test::SafetensorsTensor> kTensors = {
    {"tok_embeddings.weight", "F32", {512, 64}},
    {"layers.0.attention.wq.weight", "F16", {64, 64}},
    {"layers.0.attention_norm.weight", "F32", {64}},
    {"layers.1.attention.wq.weight", "BF16", {64, 64}},
    {"output.weight", "F32", {10, 172}},
};

int rowNamed(const QAbstractItemModel& model, const QString& name) {
    for (int row = 0; row < model.rowCount(); ++row)
        if (model.index(row, LayerTableModel::NameColumn).data() == name)
            return row;
    return -1;
}

QStringList namesInOrder(const QAbstractItemModel& model) {
    QStringList names;
    for (int row = 0; row < model.rowCount(); ++row)
        names.append(model.index(row, LayerTableModel::NameColumn).data().toString());
    return names;
}

// A checkpoint document, its recipe document and the layer table over them, under a tester.
struct Studio {
    CheckpointDocument checkpoints;
    RecipeDocument recipes{&checkpoints};
    LayerTableModel model{&recipes};
    QAbstractItemModelTester tester{&model, QAbstractItemModelTester::FailureReportingMode::QtTest};

    QVariant cell(const QString& name, int column, int role = Qt::DisplayRole) const {
        return model.index(rowNamed(model, name), column).data(role);
    }
};

bitlens::ErrorMetrics metrics(double relativeRmse, double sqnrDb, double cosine) {
    bitlens::ErrorMetrics result;
    result.relativeRmse = relativeRmse;
    result.sqnrDb = sqnrDb;
    result.cosine = cosine;
    return result;
}

} // namespace

class TestLayerTableModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(dir_.isValid());
        bitlens::test::isolateSettings(dir_.filePath("settings"), "tst_layertablemodel");
        path_ = dir_.filePath("model.safetensors");
        QVERIFY(bitlens::test::writeSafetensors(path_, kTensors));
        stories_ = bitlens::test::sharedDataPath("llama2c/stories260K.bin");
    }
    void init() { QSettings().clear(); }

    void emptyUntilOpened() {
        Studio studio;
        QCOMPARE(studio.model.rowCount(), 0);
        QCOMPARE(studio.model.columnCount(), int(LayerTableModel::ColumnCount));
        QCOMPARE(studio.model.headerData(LayerTableModel::ShapeColumn, Qt::Horizontal).toString(),
                 QString("Shape"));
        QCOMPARE(studio.model.headerData(LayerTableModel::SqnrColumn, Qt::Horizontal).toString(),
                 QString("SQNR dB"));
    }

    void rowsForEveryTensor() {
        Studio studio;
        QSignalSpy reset(&studio.model, &QAbstractItemModel::modelReset);
        QCOMPARE(openAndWait(studio.checkpoints, path_), QString());
        QCOMPARE(reset.count(), 1);
        QCOMPARE(studio.model.rowCount(), 5);
        QCOMPARE(studio.model.rowCount(studio.model.index(0, 0)), 0);

        const QString embedding = "tok_embeddings.weight";
        QCOMPARE(studio.cell(embedding, LayerTableModel::KindColumn).toString(),
                 QString("embedding"));
        QCOMPARE(studio.cell(embedding, LayerTableModel::BlockColumn).toString(), QString());
        QCOMPARE(studio.cell(embedding, LayerTableModel::BlockColumn, LayerTableModel::SortRole),
                 QVariant(-1));
        QCOMPARE(studio.cell(embedding, LayerTableModel::ShapeColumn).toString(),
                 QString("[512, 64]"));
        QCOMPARE(studio.cell(embedding, LayerTableModel::DTypeColumn).toString(), QString("F32"));
        QCOMPARE(studio.cell(embedding, LayerTableModel::ParametersColumn).toString(),
                 QString("32,768"));
        // The default recipe keeps everything: size after = stored size, 32 bits per weight.
        QCOMPARE(studio.cell(embedding, LayerTableModel::FormatColumn).toString(), QString("keep"));
        QCOMPARE(studio.cell(embedding, LayerTableModel::BitsColumn).toString(), QString("32.00"));
        QCOMPARE(studio.cell(embedding, LayerTableModel::SizeAfterColumn).toString(),
                 QString("128.0 KiB"));
        QCOMPARE(
            studio.cell(embedding, LayerTableModel::SizeAfterColumn, Qt::ToolTipRole).toString(),
            QString("131,072 bytes (stored: 131,072 bytes)"));
        QCOMPARE(
            studio.cell(embedding, LayerTableModel::ParametersColumn, LayerTableModel::SortRole),
            QVariant(qulonglong(32768)));
        QCOMPARE(
            studio.cell(embedding, LayerTableModel::SizeAfterColumn, LayerTableModel::SortRole),
            QVariant(qulonglong(131072)));
        QCOMPARE(studio.cell(embedding, LayerTableModel::SizeAfterColumn, Qt::TextAlignmentRole)
                     .value<Qt::Alignment>(),
                 Qt::AlignRight | Qt::AlignVCenter);
        QCOMPARE(studio.cell(embedding, LayerTableModel::RelativeRmseColumn).toString(), QString());

        const QString wq = "layers.1.attention.wq.weight";
        QCOMPARE(studio.cell(wq, LayerTableModel::KindColumn).toString(), QString("attention"));
        QCOMPARE(studio.cell(wq, LayerTableModel::BlockColumn).toString(), QString("1"));
        QCOMPARE(studio.cell(wq, LayerTableModel::DTypeColumn).toString(), QString("BF16"));
        QCOMPARE(studio.cell(wq, LayerTableModel::BitsColumn).toString(), QString("16.00"));
        QCOMPARE(
            studio.cell("layers.0.attention_norm.weight", LayerTableModel::KindColumn).toString(),
            QString("norm"));
        QCOMPARE(studio.cell("output.weight", LayerTableModel::KindColumn).toString(),
                 QString("output"));
        const QModelIndex format =
            studio.model.index(rowNamed(studio.model, wq), LayerTableModel::FormatColumn);
        QVERIFY(studio.model.flags(format) & Qt::ItemIsEditable);
        QVERIFY(!(studio.model.flags(studio.model.index(0, LayerTableModel::NameColumn)) &
                  Qt::ItemIsEditable));
    }

    void sortsByRawValues_data() {
        QTest::addColumn<int>("column");
        QTest::addColumn<Qt::SortOrder>("order");
        QTest::addColumn<QStringList>("names");
        QTest::newRow("parameters ascending")
            << int(LayerTableModel::ParametersColumn) << Qt::AscendingOrder
            << QStringList{"layers.0.attention_norm.weight", "output.weight",
                           "layers.0.attention.wq.weight", "layers.1.attention.wq.weight",
                           "tok_embeddings.weight"};
        // 6880 bytes sorts below 8192 although "6.7 KiB" > "128.0 KiB" as text.
        QTest::newRow("size after descending")
            << int(LayerTableModel::SizeAfterColumn) << Qt::DescendingOrder
            << QStringList{"tok_embeddings.weight", "layers.0.attention.wq.weight",
                           "layers.1.attention.wq.weight", "output.weight",
                           "layers.0.attention_norm.weight"};
        QTest::newRow("name ascending")
            << int(LayerTableModel::NameColumn) << Qt::AscendingOrder
            << QStringList{"layers.0.attention.wq.weight", "layers.0.attention_norm.weight",
                           "layers.1.attention.wq.weight", "output.weight",
                           "tok_embeddings.weight"};
        // F32 (32 bits) above F16/BF16 (16 bits) whatever the text order of the types.
        QTest::newRow("bits descending")
            << int(LayerTableModel::BitsColumn) << Qt::DescendingOrder
            << QStringList{"layers.0.attention_norm.weight", "output.weight",
                           "tok_embeddings.weight", "layers.0.attention.wq.weight",
                           "layers.1.attention.wq.weight"};
    }
    void sortsByRawValues() {
        QFETCH(int, column);
        QFETCH(Qt::SortOrder, order);
        QFETCH(QStringList, names);
        Studio studio;
        TensorFilterModel proxy;
        proxy.setSourceModel(&studio.model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(openAndWait(studio.checkpoints, path_), QString());
        proxy.sort(column, order);
        QStringList sorted = namesInOrder(proxy);
        // Ties (two 8 KiB tensors; three 32-bit and two 16-bit tensors) have no contract order.
        if (column == LayerTableModel::SizeAfterColumn && sorted.size() == names.size())
            std::sort(sorted.begin() + 1, sorted.begin() + 3);
        if (column == LayerTableModel::BitsColumn && sorted.size() == names.size()) {
            std::sort(sorted.begin(), sorted.begin() + 3);
            std::sort(sorted.begin() + 3, sorted.end());
        }
        QCOMPARE(sorted, names);
    }

    void filters_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("block");
        QTest::addColumn<QStringList>("names");
        const QStringList all = {"layers.0.attention.wq.weight", "layers.0.attention_norm.weight",
                                 "layers.1.attention.wq.weight", "output.weight",
                                 "tok_embeddings.weight"};
        QTest::newRow("none") << ""
                              << "" << -1 << all;
        QTest::newRow("substring")
            << "wq"
            << "" << -1
            << QStringList{"layers.0.attention.wq.weight", "layers.1.attention.wq.weight"};
        QTest::newRow("case-insensitive")
            << "ATTENTION_NORM"
            << "" << -1 << QStringList{"layers.0.attention_norm.weight"};
        QTest::newRow("dot is literal")
            << "s.0."
            << "" << -1
            << QStringList{"layers.0.attention.wq.weight", "layers.0.attention_norm.weight"};
        QTest::newRow("star") << "layers.*.weight"
                              << "" << -1
                              << QStringList{"layers.0.attention.wq.weight",
                                             "layers.0.attention_norm.weight",
                                             "layers.1.attention.wq.weight"};
        QTest::newRow("question mark")
            << "layers.?.attention.w"
            << "" << -1
            << QStringList{"layers.0.attention.wq.weight", "layers.1.attention.wq.weight"};
        QTest::newRow("no match") << "bias"
                                  << "" << -1 << QStringList{};
        QTest::newRow("kind attention")
            << ""
            << "attention" << -1
            << QStringList{"layers.0.attention.wq.weight", "layers.1.attention.wq.weight"};
        QTest::newRow("kind norm") << ""
                                   << "norm" << -1 << QStringList{"layers.0.attention_norm.weight"};
        QTest::newRow("block 0") << ""
                                 << "" << 0
                                 << QStringList{"layers.0.attention.wq.weight",
                                                "layers.0.attention_norm.weight"};
        QTest::newRow("kind and block")
            << ""
            << "attention" << 1 << QStringList{"layers.1.attention.wq.weight"};
        QTest::newRow("all three") << "norm"
                                   << "attention" << 0 << QStringList{};
        QTest::newRow("block without tensors") << ""
                                               << "" << 7 << QStringList{};
    }
    void filters() {
        QFETCH(QString, name);
        QFETCH(QString, kind);
        QFETCH(int, block);
        QFETCH(QStringList, names);
        Studio studio;
        TensorFilterModel proxy;
        proxy.setSourceModel(&studio.model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(openAndWait(studio.checkpoints, path_), QString());
        proxy.setNameFilter(name);
        proxy.setKindFilter(kind);
        proxy.setBlockFilter(block);
        proxy.sort(LayerTableModel::NameColumn);
        QCOMPARE(namesInOrder(proxy), names);
    }

    // stories260K: 260,032 parameters, 1,040,128 bytes of float32. blk.0.attn_q is [64, 64]:
    // 4096 values, 16384 bytes; as q8_0 128 blocks of 34 bytes = 4352 bytes.
    void editingAFormatUpdatesSizes() {
        BITLENS_REQUIRE_SHARED_DATA();
        Studio studio;
        QCOMPARE(openAndWait(studio.checkpoints, stories_), QString());
        QCOMPARE(studio.recipes.totals().bytesAfter, uint64_t(1040128));
        const QString name = "blk.0.attn_q.weight";
        const int row = rowNamed(studio.model, name);
        QSignalSpy changed(&studio.model, &QAbstractItemModel::dataChanged);
        QVERIFY(
            studio.model.setData(studio.model.index(row, LayerTableModel::FormatColumn), "q8_0"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(studio.cell(name, LayerTableModel::FormatColumn).toString(), QString("q8_0"));
        QCOMPARE(studio.cell(name, LayerTableModel::FormatColumn, Qt::EditRole).toString(),
                 QString("q8_0"));
        QCOMPARE(studio.cell(name, LayerTableModel::SizeAfterColumn, LayerTableModel::SortRole),
                 QVariant(qulonglong(4352)));
        QCOMPARE(studio.cell(name, LayerTableModel::BitsColumn).toString(), QString("8.50"));
        const uint64_t after = 1040128 - 16384 + 4352;
        QCOMPARE(studio.recipes.totals().bytesAfter, after);
        QCOMPARE(studio.recipes.totals().bitsPerWeight(), double(after) * 8.0 / 260032.0);
        // The same numbers as planning the recipe directly.
        const bitlens::SizePlan plan =
            bitlens::planSizes(*studio.recipes.checkpoint(), studio.recipes.recipe());
        QCOMPARE(plan.totals.bytesAfter, after);
        QCOMPARE(plan.tensors[size_t(row)].bytesAfter, uint64_t(4352));
        QCOMPARE(studio.recipes.undoStack()->count(), 1);

        // Unknown ids are refused without a change.
        QVERIFY(
            !studio.model.setData(studio.model.index(row, LayerTableModel::FormatColumn), "q9_9"));
        QVERIFY(
            !studio.model.setData(studio.model.index(row, LayerTableModel::NameColumn), "q4_0"));
        QCOMPARE(studio.recipes.undoStack()->count(), 1);
        QCOMPARE(studio.recipes.totals().bytesAfter, after);
    }

    // q4_0: blocks of 32 values in 18 bytes. attn_q [64,64] 2304 bytes, attn_k and attn_v
    // [32,64] 1152 bytes each, instead of 16384 + 8192 + 8192 float32 bytes.
    void multiRowApplyIsOneUndoStep() {
        BITLENS_REQUIRE_SHARED_DATA();
        Studio studio;
        QCOMPARE(openAndWait(studio.checkpoints, stories_), QString());
        const QList<int> rows = {rowNamed(studio.model, "blk.0.attn_q.weight"),
                                 rowNamed(studio.model, "blk.0.attn_k.weight"),
                                 rowNamed(studio.model, "blk.0.attn_v.weight")};
        QVERIFY(studio.model.setFormats(rows, "q4_0"));
        QCOMPARE(studio.recipes.undoStack()->count(), 1);
        const uint64_t after = 1040128 - (16384 + 8192 + 8192) + (2304 + 1152 + 1152);
        QCOMPARE(studio.recipes.totals().bytesAfter, after);
        for (int row : rows)
            QCOMPARE(studio.model.index(row, LayerTableModel::FormatColumn).data().toString(),
                     QString("q4_0"));
        const double bits = studio.recipes.totals().bitsPerWeight();
        QCOMPARE(bits, double(after) * 8.0 / 260032.0);

        studio.recipes.undoStack()->undo();
        QCOMPARE(studio.recipes.totals().bytesAfter, uint64_t(1040128));
        QCOMPARE(studio.recipes.totals().bitsPerWeight(), 32.0);
        for (int row : rows)
            QCOMPARE(studio.model.index(row, LayerTableModel::FormatColumn).data().toString(),
                     QString("keep"));
        studio.recipes.undoStack()->redo();
        QCOMPARE(studio.recipes.totals().bytesAfter, after);
        QCOMPARE(studio.recipes.totals().bitsPerWeight(), bits);
        QVERIFY(!studio.model.setFormats({rows.first(), 9999}, "q8_0"));
        QCOMPARE(studio.recipes.undoStack()->count(), 1);
    }

    // Through the delegate and a view: a commit on a selected row applies to every selected row
    // as one step; on a row outside the selection, to that row only.
    void delegateAppliesToSelection() {
        BITLENS_REQUIRE_SHARED_DATA();
        Studio studio;
        TensorFilterModel proxy;
        proxy.setSourceModel(&studio.model);
        QTableView view;
        view.setModel(&proxy);
        view.setSelectionBehavior(QAbstractItemView::SelectRows);
        bitlens::app::FormatDelegate delegate(&view);
        QCOMPARE(openAndWait(studio.checkpoints, stories_), QString());
        proxy.setKindFilter("mlp");
        proxy.setBlockFilter(1);
        proxy.sort(LayerTableModel::NameColumn); // down, gate, up
        QCOMPARE(proxy.rowCount(), 3);
        const auto select = [&](int row) {
            view.selectionModel()->select(proxy.index(row, 0),
                                          QItemSelectionModel::Select | QItemSelectionModel::Rows);
        };
        select(1);
        select(2);
        const auto commit = [&](int row, const QString& target) {
            const QModelIndex index = proxy.index(row, LayerTableModel::FormatColumn);
            std::unique_ptr<QWidget> editor(
                delegate.createEditor(view.viewport(), QStyleOptionViewItem(), index));
            delegate.setEditorData(editor.get(), index);
            auto* combo = static_cast<bitlens::app::FormatComboBox*>(editor.get());
            QCOMPARE(combo->currentTarget(), QString("keep"));
            QVERIFY(combo->setCurrentTarget(target));
            delegate.setModelData(editor.get(), &proxy, index);
        };
        commit(2, "q8_0");
        QCOMPARE(studio.recipes.undoStack()->count(), 1);
        QCOMPARE(proxy.index(0, LayerTableModel::FormatColumn).data().toString(), QString("keep"));
        QCOMPARE(proxy.index(1, LayerTableModel::FormatColumn).data().toString(), QString("q8_0"));
        QCOMPARE(proxy.index(2, LayerTableModel::FormatColumn).data().toString(), QString("q8_0"));
        commit(0, "q6_k"); // not selected: only itself; q6_k does not fit 172 values
        QCOMPARE(studio.recipes.undoStack()->count(), 2);
        QCOMPARE(proxy.index(0, LayerTableModel::FormatColumn).data().toString(),
                 QString("q6_k → keep"));
        QCOMPARE(proxy.index(1, LayerTableModel::FormatColumn).data().toString(), QString("q8_0"));
    }

    void fallbackShowsWhy() {
        BITLENS_REQUIRE_SHARED_DATA();
        Studio studio;
        QCOMPARE(openAndWait(studio.checkpoints, stories_), QString());
        studio.recipes.setDefault("q4_0");
        const QString down = "blk.2.ffn_down.weight";
        QCOMPARE(studio.cell(down, LayerTableModel::FormatColumn).toString(),
                 QString("q4_0 → keep"));
        const QString why =
            studio.cell(down, LayerTableModel::FormatColumn, Qt::ToolTipRole).toString();
        QVERIFY2(why.startsWith("default: format q4_0 does not fit row length 172"),
                 qPrintable(why));
        QVERIFY2(why.endsWith("fell back to keep"), qPrintable(why));
        QVERIFY(studio.cell(down, LayerTableModel::FormatColumn, Qt::BackgroundRole).isValid());
        QCOMPARE(studio.cell(down, LayerTableModel::SizeAfterColumn, LayerTableModel::SortRole),
                 QVariant(qulonglong(64 * 172 * 4)));
        const QString gate = "blk.2.ffn_gate.weight";
        QCOMPARE(studio.cell(gate, LayerTableModel::FormatColumn).toString(), QString("q4_0"));
        QCOMPARE(studio.cell(gate, LayerTableModel::FormatColumn, Qt::ToolTipRole).toString(),
                 QString("default"));
        QVERIFY(!studio.cell(gate, LayerTableModel::FormatColumn, Qt::BackgroundRole).isValid());
    }

    void metricsShowForTheCurrentFormatOnly() {
        BITLENS_REQUIRE_SHARED_DATA();
        Studio studio;
        QCOMPARE(openAndWait(studio.checkpoints, stories_), QString());
        const QString name = "blk.0.attn_q.weight";
        const int row = rowNamed(studio.model, name);
        const auto shown = [&] {
            return QStringList{studio.cell(name, LayerTableModel::RelativeRmseColumn).toString(),
                               studio.cell(name, LayerTableModel::SqnrColumn).toString(),
                               studio.cell(name, LayerTableModel::CosineColumn).toString()};
        };
        QVERIFY(studio.model.setFormats({row}, "q8_0"));
        QSignalSpy changed(&studio.model, &QAbstractItemModel::dataChanged);
        studio.model.setMetrics(row, "q8_0", metrics(0.0123456, 38.25, 0.99992));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(shown(), (QStringList{"0.01235", "38.25", "0.999920"}));
        QCOMPARE(studio.cell(name, LayerTableModel::SqnrColumn, LayerTableModel::SortRole),
                 QVariant(38.25));
        studio.model.setMetrics(row, "q4_0", metrics(0.1, 20.0, 0.995));
        QCOMPARE(shown(), (QStringList{"0.01235", "38.25", "0.999920"}));
        QVERIFY(studio.model.setFormats({row}, "q4_0"));
        QCOMPARE(shown(), (QStringList{"0.1", "20.00", "0.995000"}));
        QVERIFY(studio.model.setFormats({row}, "keep"));
        QCOMPARE(shown(), (QStringList{"", "", ""}));
        studio.recipes.undoStack()->undo(); // back to q4_0: its metrics are still known
        QCOMPARE(shown(), (QStringList{"0.1", "20.00", "0.995000"}));
        // An error-free tensor has an infinite SQNR.
        studio.model.setMetrics(row, "q4_0", metrics(0, INFINITY, 1));
        QCOMPARE(shown(), (QStringList{"0", "∞", "1.000000"}));
        // Other rows stay empty; out-of-range indices are ignored.
        QCOMPARE(studio.cell("blk.1.attn_q.weight", LayerTableModel::SqnrColumn).toString(),
                 QString());
        studio.model.setMetrics(-1, "q4_0", metrics(1, 1, 1));
        studio.model.setMetrics(studio.model.rowCount(), "q4_0", metrics(1, 1, 1));
        studio.model.clearMetrics();
        QCOMPARE(shown(), (QStringList{"", "", ""}));
    }

private:
    QTemporaryDir dir_;
    QString path_;
    QString stories_;
};

QTEST_MAIN(TestLayerTableModel)
#include "tst_layertablemodel.moc"
