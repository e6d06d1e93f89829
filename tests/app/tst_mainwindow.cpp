// SPDX-License-Identifier: MIT
#include "common/SafetensorsFile.h"
#include "common/TestData.h"
#include "gui/CheckpointDocument.h"
#include "gui/LayerTableModel.h"
#include "gui/MainWindow.h"
#include "gui/RecentFiles.h"
#include "gui/ThemedPlot.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <qcustomplot.h>

using bitlens::app::CheckpointDocument;
using bitlens::app::MainWindow;
using bitlens::app::RecentFiles;

namespace {

QString summaryText(const MainWindow& window) {
    return window.findChild<QLabel*>("checkpointSummary")->text();
}

QAbstractItemModel* tableModel(const MainWindow& window) {
    return window.findChild<QTableView*>("tensorTable")->model();
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("BitLensTest");
        QCoreApplication::setApplicationName("tst_mainwindow");
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath("model.safetensors");
        QVERIFY(bitlens::test::writeSafetensors(
            model_, {{"embed.weight", "F32", {100, 16}}, {"head.weight", "F16", {10, 16}}}));
        other_ = dir_.filePath("other.safetensors");
        QVERIFY(bitlens::test::writeSafetensors(other_, {{"w", "F32", {4}}}));
        corrupt_ = dir_.filePath("corrupt.safetensors");
        QVERIFY(writeFile(corrupt_, QByteArray("\xff\xff\xff\xff\xff\xff\xff\x7f{}", 10)));
    }
    void init() { QSettings().clear(); }

    void startsEmpty() {
        MainWindow window;
        QCOMPARE(tableModel(window)->rowCount(), 0);
        QVERIFY(summaryText(window).startsWith("No checkpoint open"));
    }

    void openPathFillsTableAndStatusBar() {
        MainWindow window;
        window.show();
        window.openPath(model_);
        QTRY_COMPARE(tableModel(window)->rowCount(), 2);
        // 1600 + 160 parameters; 6400 + 320 bytes.
        QCOMPARE(summaryText(window),
                 QString("safetensors  ·  2 tensors  ·  1,760 parameters  ·  6.6 KiB"));
        QVERIFY(window.windowTitle().startsWith("model.safetensors"));
        QVERIFY(window.document()->checkpoint() != nullptr);
    }

    void corruptFileShowsErrorAndKeepsCheckpoint() {
        MainWindow window;
        window.show();
        window.openPath(model_);
        QTRY_COMPARE(tableModel(window)->rowCount(), 2);
        const QString summary = summaryText(window);
        QSignalSpy errors(&window, &MainWindow::errorShown);
        window.openPath(corrupt_);
        QTRY_COMPARE(errors.count(), 1);
        QVERIFY2(errors.first().at(0).toString().contains(corrupt_),
                 qPrintable(errors.first().at(0).toString()));
        auto* box = window.findChild<QMessageBox*>("errorBox");
        QVERIFY(box);
        QVERIFY(box->isVisible());
        QCOMPARE(box->icon(), QMessageBox::Critical);
        QVERIFY(box->text().contains("corrupt.safetensors"));
        QCOMPARE(box->informativeText(), errors.first().at(0).toString());
        // The previous checkpoint stays open and summarised.
        QCOMPARE(tableModel(window)->rowCount(), 2);
        QCOMPARE(summaryText(window), summary);
        box->accept();
        QTRY_VERIFY(!window.findChild<QMessageBox*>("errorBox"));
    }

    void missingFileShowsError() {
        MainWindow window;
        QSignalSpy errors(&window, &MainWindow::errorShown);
        const QString missing = dir_.filePath("missing.gguf");
        window.openPath(missing);
        QTRY_COMPARE(errors.count(), 1);
        QVERIFY(errors.first().at(0).toString().contains(missing));
        QVERIFY(summaryText(window).startsWith("No checkpoint open"));
    }

    void recentFilesNewestFirst() {
        MainWindow window;
        QSignalSpy opened(window.document(), &CheckpointDocument::opened);
        window.openPath(model_);
        QTRY_COMPARE(opened.count(), 1);
        window.openPath(other_);
        QTRY_COMPARE(opened.count(), 2);
        window.openPath(corrupt_); // failures are not remembered
        QTRY_VERIFY(!window.document()->isOpening());
        QCOMPARE(RecentFiles().paths(), (QStringList{other_, model_}));

        auto* menu = window.findChild<QMenu*>("recentFilesMenu");
        emit menu->aboutToShow();
        QStringList entries;
        for (QAction* action : menu->actions())
            if (!action->isSeparator())
                entries.append(action->text());
        QCOMPARE(entries, (QStringList{"&1  other.safetensors", "&2  model.safetensors",
                                       "&Clear Recent Files"}));
        menu->actions().first()->trigger();
        QTRY_COMPARE(opened.count(), 3);
        QCOMPARE(opened.last().at(0).toString(), other_);
    }

    void recentFilesDropMissingWithNotice() {
        const QString gone = dir_.filePath("gone.safetensors");
        QVERIFY(bitlens::test::writeSafetensors(gone, {{"w", "F32", {1}}}));
        RecentFiles recent;
        recent.add(model_);
        recent.add(gone);
        QVERIFY(QFile::remove(gone));
        MainWindow window;
        auto* menu = window.findChild<QMenu*>("recentFilesMenu");
        emit menu->aboutToShow();
        QCOMPARE(recent.paths(), QStringList{model_});
        QVERIFY2(window.statusBar()->currentMessage().contains(
                     "Removed 1 missing file(s) from Recent Files: " + gone),
                 qPrintable(window.statusBar()->currentMessage()));
    }

    void recentFilesKeepTen() {
        RecentFiles recent;
        for (int i = 0; i < 12; ++i)
            recent.add(dir_.filePath(QString("file%1.bin").arg(i)));
        recent.add(dir_.filePath("file5.bin")); // moves to the front, no duplicate
        const QStringList paths = recent.paths();
        QCOMPARE(paths.size(), RecentFiles::kMaxEntries);
        QCOMPARE(paths.first(), dir_.filePath("file5.bin"));
        QCOMPARE(paths.count(dir_.filePath("file5.bin")), 1);
        QCOMPARE(paths.at(1), dir_.filePath("file11.bin"));
        QVERIFY(!paths.contains(dir_.filePath("file0.bin")));
        QVERIFY(!paths.contains(dir_.filePath("file1.bin")));
    }

    void dropOpensFile() {
        MainWindow window;
        window.show();
        auto* mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(other_)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QTRY_COMPARE(tableModel(window)->rowCount(), 1);
        QCOMPARE(window.document()->path(), other_);
        delete mime;
    }

    void ctrlFFocusesFilter() {
        MainWindow window;
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        auto* filter = window.findChild<QLineEdit*>("tensorFilter");
        window.findChild<QTableView*>("tensorTable")->setFocus();
        QVERIFY(!filter->hasFocus());
        QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(filter->hasFocus());
    }

    void filterBoxFiltersTable() {
        MainWindow window;
        window.openPath(model_);
        QTRY_COMPARE(tableModel(window)->rowCount(), 2);
        auto* filter = window.findChild<QLineEdit*>("tensorFilter");
        filter->setText("HEAD");
        QCOMPARE(tableModel(window)->rowCount(), 1);
        QCOMPARE(tableModel(window)->index(0, 0).data().toString(), QString("head.weight"));
        filter->clear();
        QCOMPARE(tableModel(window)->rowCount(), 2);
    }

    void geometryIsRestored() {
        {
            MainWindow window;
            window.show();
            window.resize(900, 640);
            QTRY_COMPARE(window.size(), QSize(900, 640));
            window.close();
        }
        MainWindow window;
        QCOMPARE(window.size(), QSize(900, 640));
    }

    void opensSharedLlama2c() {
        BITLENS_REQUIRE_SHARED_DATA();
        MainWindow window;
        QSignalSpy errors(&window, &MainWindow::errorShown);
        window.openPath(bitlens::test::sharedDataPath("llama2c/stories260K.bin"));
        QTRY_VERIFY(!window.document()->isOpening());
        QVERIFY2(errors.isEmpty(),
                 errors.isEmpty() ? "" : qPrintable(errors.first().at(0).toString()));
        QVERIFY(summaryText(window).contains("260,032 parameters"));
    }

    // A file opened for the first time starts with q8_0 everywhere; the recipe bar's preset
    // changes the totals; Ctrl+Z / Ctrl+Shift+Z undo and redo it. All Q8_0 on stories260K:
    // 1,040,128 -> 440,032 bytes (tst_recipedocument works it out).
    void recipeBarPresetAndUndo() {
        BITLENS_REQUIRE_SHARED_DATA();
        MainWindow window;
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        window.openPath(bitlens::test::sharedDataPath("llama2c/stories260K.bin"));
        QTRY_COMPARE(tableModel(window)->rowCount(), 47);
        auto* totals = window.findChild<QLabel*>("recipeTotals");
        const QString q8 = "13.54 bits/weight  ·  2.36× smaller";
        QVERIFY2(totals->text().contains(q8), qPrintable(totals->text()));
        const auto formatOfFirstRow = [&window] {
            return tableModel(window)
                ->index(0, bitlens::app::LayerTableModel::FormatColumn)
                .data()
                .toString();
        };
        QCOMPARE(formatOfFirstRow(), QString("q8_0"));
        window.findChild<QComboBox*>("recipePreset")->setCurrentText("NF4");
        window.findChild<QPushButton*>("applyPreset")->click();
        QCOMPARE(formatOfFirstRow(), QString("nf4"));
        const QString nf4 = totals->text();
        QVERIFY2(!nf4.contains(q8), qPrintable(nf4));
        window.findChild<QTableView*>("tensorTable")->setFocus();
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
        QVERIFY2(totals->text().contains(q8), qPrintable(totals->text()));
        QCOMPARE(formatOfFirstRow(), QString("q8_0"));
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(totals->text(), nf4);
    }

    // View > Appearance switches the whole application's palette, the plots follow it, and the
    // choice is remembered.
    void appearanceSwitchesPalettes() {
        const QPalette desktop = QApplication::palette();
        MainWindow window;
        window.show();
        auto* plot = window.findChild<bitlens::ThemedPlot*>();
        QVERIFY(plot);
        window.findChild<QAction*>("appearance-dark")->trigger();
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
        QTRY_VERIFY(plot->xAxis->tickLabelColor().lightness() > 180);
        QCOMPARE(QSettings().value("mainWindow/appearance").toString(), QString("dark"));
        window.findChild<QAction*>("appearance-light")->trigger();
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 200);
        QTRY_VERIFY(plot->xAxis->tickLabelColor().lightness() < 80);
        window.findChild<QAction*>("appearance-system")->trigger();
        QCOMPARE(QApplication::palette().color(QPalette::Window), desktop.color(QPalette::Window));
        QCOMPARE(QSettings().value("mainWindow/appearance").toString(), QString("system"));
    }

private:
    QTemporaryDir dir_;
    QString model_;
    QString other_;
    QString corrupt_;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
