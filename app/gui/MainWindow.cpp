// SPDX-License-Identifier: MIT
#include "gui/MainWindow.h"

#include "core/recipe/SizePlan.h"
#include "core/recipe/TensorKind.h"
#include "core/util/HumanText.h"
#include "gui/Appearance.h"
#include "gui/CheckpointDocument.h"
#include "gui/EvaluationPanel.h"
#include "gui/FormatDelegate.h"
#include "gui/LayerChart.h"
#include "gui/LayerTableModel.h"
#include "gui/QuantController.h"
#include "gui/RecipeBar.h"
#include "gui/RecipeDocument.h"
#include "gui/TensorFilterModel.h"
#include "gui/TensorViews.h"

#include <QAction>
#include <QActionGroup>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

namespace bitlens::app {

namespace {

const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
const QString kTableKey = QStringLiteral("mainWindow/layerTable");
const QString kDirectoryKey = QStringLiteral("mainWindow/lastDirectory");
const QString kAppearanceKey = QStringLiteral("mainWindow/appearance");
const QString kRecipeDirectoryKey = QStringLiteral("mainWindow/lastRecipeDirectory");

// The evaluation data fields last used with the model at `path`.
QString evaluationSettingsKey(const QString& path) {
    return QStringLiteral("evaluation/") +
           QString::fromLatin1(QFileInfo(path).absoluteFilePath().toUtf8().toBase64());
}

constexpr int kProgressSteps = 1000;

int progressValue(quint64 done, quint64 total) {
    return total == 0 ? kProgressSteps : int(double(done) / double(total) * kProgressSteps);
}

QStringList localPaths(const QMimeData* mime) {
    QStringList paths;
    if (!mime->hasUrls())
        return paths;
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile())
            paths.append(url.toLocalFile());
    return paths;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), document_(new CheckpointDocument(this)),
      recipeDocument_(new RecipeDocument(document_, this)),
      tableModel_(new LayerTableModel(recipeDocument_, this)),
      filterModel_(new TensorFilterModel(this)),
      quant_(new QuantController(BackendKind::Auto, this)), views_(new TensorViews(this)) {
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("BitLens"));
    setAcceptDrops(true);
    filterModel_->setSourceModel(tableModel_);
    // A file opened for the first time shows what 8-bit blocks cost at once.
    recipeDocument_->setStartRecipe(Recipe::singleFormat("q8_0"));
    createCentralWidget();
    createDocks();
    createMenus();
    createStatusWidgets();

    connect(document_, &CheckpointDocument::openingStarted, this, &MainWindow::showOpening);
    connect(document_, &CheckpointDocument::opened, this, &MainWindow::showOpened);
    connect(document_, &CheckpointDocument::failed, this, &MainWindow::showFailure);
    connect(quant_, &QuantController::backendReady, this, &MainWindow::showBackend);
    connect(quant_, &QuantController::selectionReady, this, &MainWindow::showSelectionResult);
    connect(quant_, &QuantController::selectionFailed, this, &MainWindow::showSelectionFailure);
    connect(quant_, &QuantController::selectionProgress, this, &MainWindow::showSelectionProgress);
    connect(quant_, &QuantController::quantizeAllProgress, this,
            &MainWindow::showQuantizeAllProgress);
    connect(quant_, &QuantController::quantizeAllFinished, this,
            &MainWindow::showQuantizeAllFinished);
    connect(quant_, &QuantController::tensorQuantized, this, &MainWindow::tensorQuantized);
    connect(quant_, &QuantController::tensorQuantized, tableModel_, &LayerTableModel::setMetrics);
    connect(recipeDocument_, &RecipeDocument::recipeChanged, this,
            [this] { setRecipe(recipeDocument_->recipe()); });
    connect(quant_, &QuantController::tensorQuantized, chartRefresh_, qOverload<>(&QTimer::start));
    connect(quant_, &QuantController::comparisonReady, this,
            [this](int tensorIndex, const QList<SharedQuantResult>& results,
                   const QStringList& failures) {
                const auto checkpoint = document_->checkpoint();
                if (!checkpoint || tensorIndex >= int(checkpoint->tensors().size()))
                    return;
                views_->showComparison(
                    QString::fromStdString(checkpoint->tensors()[size_t(tensorIndex)].name),
                    results, failures);
            });
    connect(views_, &TensorViews::compareRequested, this, &MainWindow::compareSelectedTensor);
    connect(views_, &TensorViews::resultShown, this, &MainWindow::selectionShown);
    showSummary();
    restoreSettings();
}

void MainWindow::createStatusWidgets() {
    summaryLabel_ = new QLabel(this);
    summaryLabel_->setObjectName(QStringLiteral("checkpointSummary"));
    busyIndicator_ = new QProgressBar(this);
    busyIndicator_->setRange(0, 0);
    busyIndicator_->setMaximumWidth(120);
    busyIndicator_->hide();
    selectionProgress_ = new QProgressBar(this);
    selectionProgress_->setObjectName(QStringLiteral("selectionProgress"));
    selectionProgress_->setRange(0, kProgressSteps);
    selectionProgress_->setMaximumWidth(160);
    selectionProgress_->setFormat(tr("tensor %p%"));
    selectionProgress_->hide();
    batchProgress_ = new QProgressBar(this);
    batchProgress_->setObjectName(QStringLiteral("quantizeAllProgress"));
    batchProgress_->setRange(0, kProgressSteps);
    batchProgress_->setMaximumWidth(200);
    batchProgress_->setFormat(tr("Quantize all %p%"));
    batchProgress_->hide();
    cancelButton_ = new QPushButton(tr("Cancel"), this);
    cancelButton_->setObjectName(QStringLiteral("cancelQuantizeAll"));
    cancelButton_->hide();
    connect(cancelButton_, &QPushButton::clicked, this, &MainWindow::cancelQuantizeAll);
    backendLabel_ = new QLabel(this);
    backendLabel_->setObjectName(QStringLiteral("backendLabel"));
    statusBar()->addWidget(summaryLabel_, 1);
    statusBar()->addPermanentWidget(selectionProgress_);
    statusBar()->addPermanentWidget(batchProgress_);
    statusBar()->addPermanentWidget(cancelButton_);
    statusBar()->addPermanentWidget(backendLabel_);
    statusBar()->addPermanentWidget(busyIndicator_);
}

void MainWindow::createCentralWidget() {
    filterEdit_ = new QLineEdit;
    filterEdit_->setObjectName(QStringLiteral("tensorFilter"));
    filterEdit_->setPlaceholderText(tr("Filter tensors by name (Ctrl+F); * and ? are wildcards"));
    filterEdit_->setClearButtonEnabled(true);
    connect(filterEdit_, &QLineEdit::textChanged, filterModel_, &TensorFilterModel::setNameFilter);
    auto* kindFilter = new QComboBox;
    kindFilter->setObjectName(QStringLiteral("kindFilter"));
    kindFilter->addItem(tr("All kinds"), QString());
    for (TensorKind kind : {TensorKind::Embedding, TensorKind::Attention, TensorKind::Mlp,
                            TensorKind::Norm, TensorKind::Output, TensorKind::Other})
        kindFilter->addItem(QString::fromLatin1(tensorKindName(kind)),
                            QString::fromLatin1(tensorKindName(kind)));
    connect(kindFilter, &QComboBox::currentIndexChanged, this, [this, kindFilter] {
        filterModel_->setKindFilter(kindFilter->currentData().toString());
    });
    auto* blockFilter = new QSpinBox;
    blockFilter->setObjectName(QStringLiteral("blockFilter"));
    blockFilter->setRange(-1, 99999);
    blockFilter->setSpecialValueText(tr("All blocks"));
    blockFilter->setPrefix(tr("Block "));
    blockFilter->setValue(-1);
    connect(blockFilter, &QSpinBox::valueChanged, filterModel_, &TensorFilterModel::setBlockFilter);

    tableView_ = new QTableView;
    tableView_->setObjectName(QStringLiteral("tensorTable"));
    tableView_->setModel(filterModel_);
    tableView_->setSelectionBehavior(QAbstractItemView::SelectRows);
    tableView_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    tableView_->setItemDelegateForColumn(LayerTableModel::FormatColumn,
                                         new FormatDelegate(tableView_));
    tableView_->setEditTriggers(QAbstractItemView::DoubleClicked |
                                QAbstractItemView::EditKeyPressed |
                                QAbstractItemView::SelectedClicked);
    tableView_->setAlternatingRowColors(true);
    tableView_->setWordWrap(false);
    tableView_->verticalHeader()->hide();
    tableView_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    tableView_->verticalHeader()->setDefaultSectionSize(tableView_->fontMetrics().height() + 6);
    QHeaderView* header = tableView_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(LayerTableModel::NameColumn, QHeaderView::Stretch);
    // File order until a header is clicked; a third click returns to it.
    header->setSortIndicatorClearable(true);
    header->setSortIndicator(-1, Qt::AscendingOrder);
    tableView_->setSortingEnabled(true);

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->addWidget(new RecipeBar(recipeDocument_));
    auto* filters = new QHBoxLayout;
    filters->addWidget(filterEdit_, 1);
    filters->addWidget(kindFilter);
    filters->addWidget(blockFilter);
    layout->addLayout(filters);
    layout->addWidget(tableView_);
    setCentralWidget(central);
    connect(tableView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::showSelectedTensor);
}

void MainWindow::createDocks() {
    auto addDock = [this](const QString& title, const QString& name, QWidget* widget,
                          Qt::DockWidgetArea area) {
        auto* dock = new QDockWidget(title, this);
        dock->setObjectName(name);
        dock->setWidget(widget);
        addDockWidget(area, dock);
        return dock;
    };
    QDockWidget* histogram = addDock(tr("Weight histogram"), QStringLiteral("histogramDock"),
                                     views_->histogramPanel(), Qt::RightDockWidgetArea);
    QDockWidget* errors = addDock(tr("Error histogram"), QStringLiteral("errorDock"),
                                  views_->errorPanel(), Qt::RightDockWidgetArea);
    QDockWidget* scatter = addDock(tr("Original vs dequantized"), QStringLiteral("scatterDock"),
                                   views_->scatterPanel(), Qt::RightDockWidgetArea);
    QDockWidget* heatMap = addDock(tr("Error heat map"), QStringLiteral("heatMapDock"),
                                   views_->heatMapPanel(), Qt::RightDockWidgetArea);
    evaluationPanel_ = new EvaluationPanel;
    // The panel is taller than a laptop screen leaves a dock: it scrolls rather than set the
    // window's minimum height.
    auto* evaluationScroll = new QScrollArea;
    evaluationScroll->setWidget(evaluationPanel_);
    evaluationScroll->setWidgetResizable(true);
    evaluationScroll->setFrameShape(QFrame::NoFrame);
    QDockWidget* evaluation = addDock(tr("Evaluation"), QStringLiteral("evaluationDock"),
                                      evaluationScroll, Qt::RightDockWidgetArea);
    tabifyDockWidget(histogram, evaluation);
    // The data set used with a model is remembered for the next time that file opens.
    connect(evaluationPanel_, &EvaluationPanel::evaluated, this, [this] {
        QSettings().setValue(evaluationSettingsKey(document_->path()),
                             evaluationPanel_->dataFields());
    });
    tabifyDockWidget(errors, scatter);
    tabifyDockWidget(scatter, heatMap);
    errors->raise();

    layerChart_ = new LayerChart;
    layerChart_->setObjectName(QStringLiteral("layerChart"));
    QDockWidget* chart = addDock(tr("Layer chart"), QStringLiteral("layerChartDock"), layerChart_,
                                 Qt::BottomDockWidgetArea);
    QDockWidget* block = addDock(tr("Block inspector"), QStringLiteral("blockDock"),
                                 views_->blockPanel(), Qt::BottomDockWidgetArea);
    QDockWidget* compare = addDock(tr("Compare formats"), QStringLiteral("compareDock"),
                                   views_->comparePanel(), Qt::BottomDockWidgetArea);
    tabifyDockWidget(chart, block);
    tabifyDockWidget(block, compare);
    chart->raise();
    histogram->raise();
    // The weight histogram gets most of the right column, the chart a band at the bottom.
    resizeDocks({histogram, errors}, {3, 2}, Qt::Vertical);
    resizeDocks({chart}, {380}, Qt::Vertical);
    connect(layerChart_, &LayerChart::tensorClicked, this, &MainWindow::selectTensorRow);

    // Quantize All reports one tensor after another: the chart redraws at most ten times a second.
    chartRefresh_ = new QTimer(this);
    chartRefresh_->setSingleShot(true);
    chartRefresh_->setInterval(100);
    connect(chartRefresh_, &QTimer::timeout, this, &MainWindow::refreshLayerChart);
}

int MainWindow::selectedTensor() const {
    const QModelIndex current = tableView_->selectionModel()->currentIndex();
    return current.isValid() ? filterModel_->mapToSource(current).row() : -1;
}

void MainWindow::setRecipe(const Recipe& recipe) {
    recipe_ = recipe;
    evaluationPanel_->setRecipe(recipe);
    showSelectedTensor();
    refreshLayerChart();
}

void MainWindow::showSelectedTensor() {
    const int index = selectedTensor();
    const auto checkpoint = document_->checkpoint();
    selectionProgress_->hide();
    layerChart_->setSelectedTensor(index);
    if (index < 0 || !checkpoint) {
        quant_->clearSelection();
        views_->showMessage(tr("Select a tensor to see its distribution and quantization error."));
        return;
    }
    const TensorInfo& tensor = checkpoint->tensors()[size_t(index)];
    const QString name = QString::fromStdString(tensor.name);
    views_->showComparisonMessage(tr("Press Compare to compare formats for %1.").arg(name));
    const RecipeDecision decision = recipe_.resolve(tensor);
    if (decision.keep()) {
        quant_->clearSelection();
        const QString why =
            QString::fromStdString(decision.fallback.empty() ? decision.why : decision.fallback);
        views_->showMessage(tr("%1 is kept as stored (%2).").arg(name, why));
        emit selectionShown(index);
        return;
    }
    views_->showMessage(
        tr("Quantizing %1 in %2…").arg(name, QString::fromStdString(decision.target)));
    quant_->select(checkpoint, index, decision.target);
}

void MainWindow::showSelectionResult(const SharedQuantResult& result) {
    selectionProgress_->hide();
    views_->showResult(result); // selectionShown follows from TensorViews::resultShown
}

void MainWindow::showSelectionFailure(int tensorIndex, const QString& formatId,
                                      const QString& message) {
    selectionProgress_->hide();
    views_->showMessage(tr("Cannot quantize in %1: %2").arg(formatId, message));
    emit selectionShown(tensorIndex);
}

void MainWindow::showSelectionProgress(quint64 done, quint64 total) {
    selectionProgress_->setValue(progressValue(done, total));
    selectionProgress_->show();
}

void MainWindow::showBackend(const QString& name, const QString& notice) {
    backendLabel_->setText(notice.isEmpty() ? name : notice);
    backendLabel_->setToolTip(notice.isEmpty() ? tr("Quantizing on %1").arg(name) : notice);
    if (!notice.isEmpty())
        statusBar()->showMessage(notice, 15000);
}

void MainWindow::compareSelectedTensor() {
    const int index = selectedTensor();
    const auto checkpoint = document_->checkpoint();
    const std::vector<std::string> formats = views_->comparisonFormats();
    if (index < 0 || !checkpoint) {
        views_->showComparisonMessage(tr("Select a tensor first."));
        return;
    }
    if (formats.empty()) {
        views_->showComparisonMessage(tr("List at least one format id."));
        return;
    }
    views_->showComparisonMessage(
        tr("Quantizing %1 in %n format(s)…", "", int(formats.size()))
            .arg(QString::fromStdString(checkpoint->tensors()[size_t(index)].name)));
    quant_->compare(checkpoint, index, formats);
}

bool MainWindow::quantizeAll() {
    const auto checkpoint = document_->checkpoint();
    if (!checkpoint || !quant_->quantizeAll(checkpoint, planSizes(*checkpoint, recipe_)))
        return false;
    quantizeAllAction_->setEnabled(false);
    batchProgress_->setValue(0);
    batchProgress_->show();
    cancelButton_->show();
    return true;
}

void MainWindow::cancelQuantizeAll() {
    quant_->cancelQuantizeAll();
}

void MainWindow::showQuantizeAllProgress(quint64 done, quint64 total) {
    batchProgress_->setValue(progressValue(done, total));
}

void MainWindow::showQuantizeAllFinished(int quantized, int failed, int planned, bool cancelled) {
    batchProgress_->hide();
    cancelButton_->hide();
    quantizeAllAction_->setEnabled(true);
    QString text = cancelled ? tr("Quantize all cancelled: %1 of %2 tensors quantized")
                             : tr("Quantize all: %1 of %2 tensors quantized");
    text = text.arg(quantized).arg(planned);
    if (failed > 0)
        text += tr("; %n could not be", "", failed);
    statusBar()->showMessage(text, 15000);
    refreshLayerChart();
}

void MainWindow::refreshLayerChart() {
    const auto checkpoint = document_->checkpoint();
    std::vector<LayerChartEntry> entries;
    if (checkpoint) {
        const double unknown = std::numeric_limits<double>::quiet_NaN();
        for (const TensorPlan& plan : planSizes(*checkpoint, recipe_).tensors) {
            LayerChartEntry entry;
            entry.name = QString::fromStdString(checkpoint->tensors()[plan.tensorIndex].name);
            entry.formatId = QString::fromStdString(plan.decision.target);
            entry.bitsPerWeight = plan.bitsPerWeight();
            if (plan.decision.keep()) {
                entry.sqnrDb = std::numeric_limits<double>::infinity();
            } else if (const auto metrics = quant_->cache().metrics(
                           checkpoint.get(), int(plan.tensorIndex), plan.decision.target)) {
                entry.relativeRmse = metrics->relativeRmse;
                entry.sqnrDb = metrics->sqnrDb;
            } else {
                entry.relativeRmse = unknown;
                entry.sqnrDb = unknown;
            }
            entries.push_back(entry);
        }
    }
    layerChart_->setEntries(entries);
    layerChart_->setSelectedTensor(selectedTensor());
}

void MainWindow::selectTensorRow(int tensorIndex) {
    const QModelIndex row = filterModel_->mapFromSource(tableModel_->index(tensorIndex, 0));
    if (!row.isValid()) {
        statusBar()->showMessage(tr("That tensor is hidden by the name filter."), 5000);
        return;
    }
    tableView_->setCurrentIndex(row);
    tableView_->scrollTo(row);
}

void MainWindow::createMenus() {
    QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
    QAction* open = fileMenu->addAction(tr("&Open…"), this, &MainWindow::chooseFile);
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_O));
    QAction* openFolder = fileMenu->addAction(tr("Open &Folder…"), this, &MainWindow::chooseFolder);
    openFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    recentMenu_ = fileMenu->addMenu(tr("&Recent Files"));
    recentMenu_->setObjectName(QStringLiteral("recentFilesMenu"));
    connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    fileMenu->addSeparator();
    fileMenu->addAction(tr("&Load Recipe…"), this, &MainWindow::chooseRecipeToLoad)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    fileMenu->addAction(tr("&Save Recipe As…"), this, &MainWindow::chooseRecipeToSave)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_S));
    fileMenu->addSeparator();
    QAction* quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));

    QMenu* editMenu = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = recipeDocument_->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
    QAction* redo = recipeDocument_->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
    editMenu->addActions({undo, redo});

    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    QAction* filter = viewMenu->addAction(tr("&Filter Tensors"), this, [this] {
        filterEdit_->setFocus(Qt::ShortcutFocusReason);
        filterEdit_->selectAll();
    });
    filter->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F));
    QMenu* appearanceMenu = viewMenu->addMenu(tr("&Appearance"));
    auto* appearances = new QActionGroup(this);
    const std::pair<Appearance, QString> choices[] = {{Appearance::System, tr("&System")},
                                                      {Appearance::Light, tr("&Light")},
                                                      {Appearance::Dark, tr("&Dark")}};
    const Appearance current = appearanceFromKey(QSettings().value(kAppearanceKey).toString());
    for (const auto& [appearance, label] : choices) {
        QAction* action = appearanceMenu->addAction(label, this, [appearance] {
            applyAppearance(appearance);
            QSettings().setValue(kAppearanceKey, appearanceKey(appearance));
        });
        action->setObjectName(QStringLiteral("appearance-") + appearanceKey(appearance));
        action->setCheckable(true);
        action->setChecked(appearance == current);
        appearances->addAction(action);
    }

    QMenu* quantizeMenu = menuBar()->addMenu(tr("&Quantize"));
    quantizeAllAction_ =
        quantizeMenu->addAction(tr("Quantize &All"), this, &MainWindow::quantizeAll);
    quantizeAllAction_->setObjectName(QStringLiteral("quantizeAllAction"));
    quantizeAllAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    QAction* cancel =
        quantizeMenu->addAction(tr("&Cancel Quantize All"), this, &MainWindow::cancelQuantizeAll);
    cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    rebuildRecentMenu();
}

void MainWindow::restoreSettings() {
    const QSettings settings;
    if (const Appearance appearance = appearanceFromKey(settings.value(kAppearanceKey).toString());
        appearance != Appearance::System)
        applyAppearance(appearance);
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(1100, 720);
    restoreState(settings.value(kStateKey).toByteArray());
    tableView_->horizontalHeader()->restoreState(settings.value(kTableKey).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kTableKey, tableView_->horizontalHeader()->saveState());
    event->accept();
}

void MainWindow::openPath(const QString& path) {
    document_->open(path);
}

void MainWindow::chooseFile() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Checkpoint"), QSettings().value(kDirectoryKey).toString(),
        tr("Checkpoints (*.safetensors *.gguf *.h5 *.hdf5 *.keras *.bin);;All files (*)"));
    if (path.isEmpty())
        return;
    rememberDirectory(QFileInfo(path).absolutePath());
    openPath(path);
}

void MainWindow::chooseFolder() {
    const QString path = QFileDialog::getExistingDirectory(
        this, tr("Open Model Folder"), QSettings().value(kDirectoryKey).toString());
    if (path.isEmpty())
        return;
    rememberDirectory(QFileInfo(path).absolutePath());
    openPath(path);
}

void MainWindow::chooseRecipeToLoad() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Load Recipe"), QSettings().value(kRecipeDirectoryKey).toString(),
        tr("Recipes (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QSettings().setValue(kRecipeDirectoryKey, QFileInfo(path).absolutePath());
    if (const QString error = recipeDocument_->load(path); !error.isEmpty())
        showError(tr("BitLens could not load the recipe %1.").arg(QDir::toNativeSeparators(path)),
                  error);
}

void MainWindow::chooseRecipeToSave() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Recipe As"), QSettings().value(kRecipeDirectoryKey).toString(),
        tr("Recipes (*.json)"));
    if (path.isEmpty())
        return;
    QSettings().setValue(kRecipeDirectoryKey, QFileInfo(path).absolutePath());
    if (const QString error = recipeDocument_->save(path); !error.isEmpty())
        showError(tr("BitLens could not save the recipe %1.").arg(QDir::toNativeSeparators(path)),
                  error);
    else
        statusBar()->showMessage(tr("Recipe saved to %1").arg(QDir::toNativeSeparators(path)),
                                 5000);
}

void MainWindow::rememberDirectory(const QString& path) {
    QSettings().setValue(kDirectoryKey, path);
}

void MainWindow::rebuildRecentMenu() {
    const QStringList missing = recentFiles_.removeMissing();
    if (!missing.isEmpty())
        statusBar()->showMessage(
            tr("Removed %n missing file(s) from Recent Files: %1", "", int(missing.size()))
                .arg(missing.join(QStringLiteral(", "))),
            10000);
    recentMenu_->clear();
    const QStringList paths = recentFiles_.paths();
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const QString& path = paths[i];
        QAction* action = recentMenu_->addAction(
            QStringLiteral("&%1  %2").arg(i + 1).arg(QFileInfo(path).fileName()), this,
            [this, path] { openPath(path); });
        action->setToolTip(QDir::toNativeSeparators(path));
        action->setStatusTip(QDir::toNativeSeparators(path));
    }
    if (paths.isEmpty()) {
        recentMenu_->addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    recentMenu_->addSeparator();
    recentMenu_->addAction(tr("&Clear Recent Files"), this, [this] {
        for (const QString& path : recentFiles_.paths())
            recentFiles_.remove(path);
        rebuildRecentMenu();
    });
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!localPaths(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QStringList paths = localPaths(event->mimeData());
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    if (paths.size() > 1)
        statusBar()->showMessage(tr("%1 items dropped; opening the first").arg(paths.size()),
                                 10000);
    openPath(paths.first());
}

void MainWindow::showOpening(const QString& path) {
    summaryLabel_->setText(tr("Opening %1…").arg(QDir::toNativeSeparators(path)));
    busyIndicator_->show();
}

void MainWindow::showOpened(const QString& path) {
    busyIndicator_->hide();
    // Results of the previous checkpoint are of no further use.
    if (quantizedCheckpoint_ && quantizedCheckpoint_ != document_->checkpoint()) {
        quant_->cancelQuantizeAll();
        quant_->cache().forget(quantizedCheckpoint_.get());
    }
    quantizedCheckpoint_ = document_->checkpoint();
    refreshLayerChart();
    recentFiles_.add(path);
    rebuildRecentMenu();
    setWindowTitle(tr("%1 – BitLens").arg(QFileInfo(path).fileName()));
    showSummary();
    evaluationPanel_->setModel(document_->checkpoint());
    evaluationPanel_->setDataFields(QSettings().value(evaluationSettingsKey(path)).toStringList());
    // The first tensor's plots come at once; the user picks others in the table.
    if (filterModel_->rowCount() > 0)
        tableView_->setCurrentIndex(filterModel_->index(0, 0));
    else
        showSelectedTensor();
}

void MainWindow::showFailure(const QString& path, const QString& message) {
    busyIndicator_->hide();
    if (!QFileInfo::exists(path))
        recentFiles_.remove(path);
    showSummary();
    showError(tr("BitLens could not open %1.").arg(QDir::toNativeSeparators(path)), message);
}

void MainWindow::showError(const QString& text, const QString& details) {
    auto* box = new QMessageBox(QMessageBox::Critical, tr("BitLens"), text, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("errorBox"));
    box->setInformativeText(details);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    emit errorShown(details);
}

void MainWindow::showSummary() {
    const std::shared_ptr<const Checkpoint> checkpoint = document_->checkpoint();
    if (!checkpoint) {
        summaryLabel_->setText(
            tr("No checkpoint open: File › Open (Ctrl+O), or drop a file or folder here"));
        return;
    }
    const QLocale locale;
    const auto tensors = qulonglong(checkpoint->tensors().size());
    summaryLabel_->setText(
        tr("%1  ·  %2 %3  ·  %4 parameters  ·  %5")
            .arg(QString::fromStdString(checkpoint->format()), locale.toString(tensors),
                 tensors == 1 ? tr("tensor") : tr("tensors"),
                 locale.toString(qulonglong(checkpoint->totalParameters())),
                 QString::fromStdString(byteSizeText(checkpoint->totalBytes()))));
}

} // namespace bitlens::app
