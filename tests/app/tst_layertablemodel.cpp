// SPDX-License-Identifier: MIT
#include "app/DocumentWait.h"
#include "common/SafetensorsFile.h"
#include "gui/CheckpointDocument.h"
#include "gui/TensorFilterModel.h"
#include "gui/TensorTableModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using bitlens::app::CheckpointDocument;
using bitlens::app::TensorFilterModel;
using bitlens::app::TensorTableModel;
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
        if (model.index(row, TensorTableModel::NameColumn).data() == name)
            return row;
    return -1;
}

QStringList namesInOrder(const QAbstractItemModel& model) {
    QStringList names;
    for (int row = 0; row < model.rowCount(); ++row)
        names.append(model.index(row, TensorTableModel::NameColumn).data().toString());
    return names;
}

} // namespace

class TestTensorTableModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(dir_.isValid());
        path_ = dir_.filePath("model.safetensors");
        QVERIFY(bitlens::test::writeSafetensors(path_, kTensors));
    }

    void emptyUntilOpened() {
        CheckpointDocument document;
        TensorTableModel model(&document);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(TensorTableModel::ColumnCount));
        QCOMPARE(model.headerData(TensorTableModel::ShapeColumn, Qt::Horizontal).toString(),
                 QString("Shape"));
    }

    void rowsForEveryTensor() {
        CheckpointDocument document;
        TensorTableModel model(&document);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QCOMPARE(openAndWait(document, path_), QString());
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.columnCount(), 5);
        QCOMPARE(model.rowCount(model.index(0, 0)), 0);

        const int embedding = rowNamed(model, "tok_embeddings.weight");
        QVERIFY(embedding >= 0);
        const auto cell = [&](int row, int column, int role = Qt::DisplayRole) {
            return model.index(row, column).data(role);
        };
        QCOMPARE(cell(embedding, TensorTableModel::ShapeColumn).toString(), QString("[512, 64]"));
        QCOMPARE(cell(embedding, TensorTableModel::DTypeColumn).toString(), QString("F32"));
        QCOMPARE(cell(embedding, TensorTableModel::ParametersColumn).toString(), QString("32,768"));
        QCOMPARE(cell(embedding, TensorTableModel::BytesColumn).toString(), QString("128.0 KiB"));
        QCOMPARE(cell(embedding, TensorTableModel::BytesColumn, Qt::ToolTipRole).toString(),
                 QString("131,072 bytes"));
        QCOMPARE(cell(embedding, TensorTableModel::ParametersColumn, TensorTableModel::SortRole),
                 QVariant(qulonglong(32768)));
        QCOMPARE(cell(embedding, TensorTableModel::BytesColumn, TensorTableModel::SortRole),
                 QVariant(qulonglong(131072)));
        QCOMPARE(cell(embedding, TensorTableModel::BytesColumn, Qt::TextAlignmentRole)
                     .value<Qt::Alignment>(),
                 Qt::AlignRight | Qt::AlignVCenter);

        const int wq = rowNamed(model, "layers.0.attention.wq.weight");
        QVERIFY(wq >= 0);
        QCOMPARE(cell(wq, TensorTableModel::DTypeColumn).toString(), QString("F16"));
        QCOMPARE(cell(wq, TensorTableModel::BytesColumn).toString(), QString("8.0 KiB"));
        const int norm = rowNamed(model, "layers.0.attention_norm.weight");
        QCOMPARE(cell(norm, TensorTableModel::ShapeColumn).toString(), QString("[64]"));
        QCOMPARE(cell(norm, TensorTableModel::BytesColumn).toString(), QString("256 B"));
        QCOMPARE(cell(norm, TensorTableModel::ShapeColumn, TensorTableModel::SortRole),
                 QVariant(qulonglong(64)));
    }

    void sortsByRawValues_data() {
        QTest::addColumn<int>("column");
        QTest::addColumn<Qt::SortOrder>("order");
        QTest::addColumn<QStringList>("names");
        QTest::newRow("parameters ascending")
            << int(TensorTableModel::ParametersColumn) << Qt::AscendingOrder
            << QStringList{"layers.0.attention_norm.weight", "output.weight",
                           "layers.0.attention.wq.weight", "layers.1.attention.wq.weight",
                           "tok_embeddings.weight"};
        // 6880 bytes sorts below 8192 although "6.7 KiB" > "128.0 KiB" as text.
        QTest::newRow("bytes descending")
            << int(TensorTableModel::BytesColumn) << Qt::DescendingOrder
            << QStringList{"tok_embeddings.weight", "layers.0.attention.wq.weight",
                           "layers.1.attention.wq.weight", "output.weight",
                           "layers.0.attention_norm.weight"};
        QTest::newRow("name ascending")
            << int(TensorTableModel::NameColumn) << Qt::AscendingOrder
            << QStringList{"layers.0.attention.wq.weight", "layers.0.attention_norm.weight",
                           "layers.1.attention.wq.weight", "output.weight",
                           "tok_embeddings.weight"};
    }
    void sortsByRawValues() {
        QFETCH(int, column);
        QFETCH(Qt::SortOrder, order);
        QFETCH(QStringList, names);
        CheckpointDocument document;
        TensorTableModel model(&document);
        TensorFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(openAndWait(document, path_), QString());
        proxy.sort(column, order);
        QStringList sorted = namesInOrder(proxy);
        // The two 8 KiB tensors tie on bytes; their relative order is not part of the contract.
        if (column == TensorTableModel::BytesColumn && sorted.size() == names.size())
            std::sort(sorted.begin() + 1, sorted.begin() + 3);
        QCOMPARE(sorted, names);
    }

    void filtersByName_data() {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QStringList>("names");
        const QStringList all = {"layers.0.attention.wq.weight", "layers.0.attention_norm.weight",
                                 "layers.1.attention.wq.weight", "output.weight",
                                 "tok_embeddings.weight"};
        QTest::newRow("empty") << "" << all;
        QTest::newRow("substring")
            << "wq" << QStringList{"layers.0.attention.wq.weight", "layers.1.attention.wq.weight"};
        QTest::newRow("case-insensitive")
            << "ATTENTION_NORM" << QStringList{"layers.0.attention_norm.weight"};
        QTest::newRow("dot is literal")
            << "s.0."
            << QStringList{"layers.0.attention.wq.weight", "layers.0.attention_norm.weight"};
        QTest::newRow("star") << "layers.*.weight"
                              << QStringList{"layers.0.attention.wq.weight",
                                             "layers.0.attention_norm.weight",
                                             "layers.1.attention.wq.weight"};
        QTest::newRow("question mark")
            << "layers.?.attention.w"
            << QStringList{"layers.0.attention.wq.weight", "layers.1.attention.wq.weight"};
        QTest::newRow("wildcard matches anywhere")
            << "emb*ght" << QStringList{"tok_embeddings.weight"};
        QTest::newRow("no match") << "bias" << QStringList{};
    }
    void filtersByName() {
        QFETCH(QString, filter);
        QFETCH(QStringList, names);
        CheckpointDocument document;
        TensorTableModel model(&document);
        TensorFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(openAndWait(document, path_), QString());
        proxy.setNameFilter(filter);
        proxy.sort(TensorTableModel::NameColumn);
        QCOMPARE(namesInOrder(proxy), names);
    }

    void reopeningResetsAndFailureKeepsRows() {
        CheckpointDocument document;
        TensorTableModel model(&document);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(openAndWait(document, path_), QString());
        QCOMPARE(model.rowCount(), 5);

        const QString single = dir_.filePath("single.safetensors");
        QVERIFY(bitlens::test::writeSafetensors(single, {{"only", "F64", {3, 2}}}));
        QCOMPARE(openAndWait(document, single), QString());
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, TensorTableModel::BytesColumn).data().toString(), QString("48 B"));

        const QString garbage = dir_.filePath("garbage.bin");
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a checkpoint");
        file.close();
        QSignalSpy failed(&document, &CheckpointDocument::failed);
        QVERIFY(!openAndWait(document, garbage).isEmpty());
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.first().at(0).toString(), garbage);
        QVERIFY(failed.first().at(1).toString().contains(garbage));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(document.path(), single);
    }

    void newerOpenSupersedesOlder() {
        CheckpointDocument document;
        QSignalSpy opened(&document, &CheckpointDocument::opened);
        const QString single = dir_.filePath("single.safetensors");
        QVERIFY(bitlens::test::writeSafetensors(single, {{"only", "F64", {3, 2}}}));
        document.open(path_);
        document.open(single);
        QVERIFY(document.isOpening());
        QTRY_VERIFY(!document.isOpening());
        QTest::qWait(100); // the older open may finish later; it must stay silent
        QCOMPARE(opened.count(), 1);
        QCOMPARE(opened.first().at(0).toString(), single);
        QCOMPARE(document.checkpoint()->tensors().size(), size_t(1));
    }

private:
    QTemporaryDir dir_;
    QString path_;
};

QTEST_MAIN(TestTensorTableModel)
#include "tst_tensortablemodel.moc"
