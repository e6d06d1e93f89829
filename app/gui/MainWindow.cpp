// SPDX-License-Identifier: MIT
#include "gui/MainWindow.h"

#include "core/recipe/TensorKind.h"
#include "core/util/HumanText.h"
#include "gui/CheckpointDocument.h"
#include "gui/EvaluationPanel.h"
#include "gui/FormatDelegate.h"
#include "gui/LayerTableModel.h"
#include "gui/RecipeBar.h"
#include "gui/RecipeDocument.h"
#include "gui/TensorFilterModel.h"
#include "gui/TensorHistogramPanel.h"

#include <QAction>
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
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QUndoStack>
#include <QVBoxLayout>

namespace bitlens::app {

namespace {

const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
const QString kTableKey = QStringLiteral("mainWindow/layerTable");
const QString kDirectoryKey = QStringLiteral("mainWindow/lastDirectory");
const QString kRecipeDirectoryKey = QStringLiteral("mainWindow/lastRecipeDirectory");

// The evaluation data fields last used with the model at `path`.
QString evaluationSettingsKey(const QString& path) {
    return QStringLiteral("evaluation/") +
           QString::fromLatin1(QFileInfo(path).absoluteFilePath().toUtf8().toBase64());
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
      filterModel_(new TensorFilterModel(this)) {
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("BitLens"));
    setAcceptDrops(true);
    filterModel_->setSourceModel(tableModel_);
    createCentralWidget();
    createMenus();

    summaryLabel_ = new QLabel(this);
    summaryLabel_->setObjectName(QStringLiteral("checkpointSummary"));
    busyIndicator_ = new QProgressBar(this);
    busyIndicator_->setRange(0, 0);
    busyIndicator_->setMaximumWidth(120);
    busyIndicator_->hide();
    statusBar()->addWidget(summaryLabel_, 1);
    statusBar()->addPermanentWidget(busyIndicator_);

    connect(document_, &CheckpointDocument::openingStarted, this, &MainWindow::showOpening);
    connect(document_, &CheckpointDocument::opened, this, &MainWindow::showOpened);
    connect(document_, &CheckpointDocument::failed, this, &MainWindow::showFailure);
    showSummary();
    restoreSettings();
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

    histogramPanel_ = new TensorHistogramPanel;
    auto* dock = new QDockWidget(tr("Weight histogram"), this);
    dock->setObjectName(QStringLiteral("histogramDock"));
    dock->setWidget(histogramPanel_);
    addDockWidget(Qt::RightDockWidgetArea, dock);

    evaluationPanel_ = new EvaluationPanel;
    auto* evaluationDock = new QDockWidget(tr("Evaluation"), this);
    evaluationDock->setObjectName(QStringLiteral("evaluationDock"));
    evaluationDock->setWidget(evaluationPanel_);
    addDockWidget(Qt::RightDockWidgetArea, evaluationDock);
    tabifyDockWidget(dock, evaluationDock);
    dock->raise();
    connect(recipeDocument_, &RecipeDocument::recipeChanged, this,
            [this] { evaluationPanel_->setRecipe(recipeDocument_->recipe()); });
    // The data set used with a model is remembered for the next time that file opens.
    connect(evaluationPanel_, &EvaluationPanel::evaluated, this, [this] {
        QSettings settings;
        settings.setValue(evaluationSettingsKey(document_->path()), evaluationPanel_->dataFields());
    });
    connect(tableView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::showSelectedTensor);
}

void MainWindow::showSelectedTensor() {
    const QModelIndex current = tableView_->selectionModel()->currentIndex();
    const auto checkpoint = document_->checkpoint();
    if (!current.isValid() || !checkpoint) {
        histogramPanel_->clear();
        return;
    }
    histogramPanel_->showTensor(checkpoint, filterModel_->mapToSource(current).row());
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
    rebuildRecentMenu();
}

void MainWindow::restoreSettings() {
    const QSettings settings;
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
    recentFiles_.add(path);
    rebuildRecentMenu();
    setWindowTitle(tr("%1 – BitLens").arg(QFileInfo(path).fileName()));
    showSummary();
    evaluationPanel_->setModel(document_->checkpoint());
    evaluationPanel_->setDataFields(QSettings().value(evaluationSettingsKey(path)).toStringList());
    // The first tensor's histogram is there at once; the user picks others in the table.
    if (filterModel_->rowCount() > 0)
        tableView_->setCurrentIndex(filterModel_->index(0, 0));
    else
        histogramPanel_->clear();
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
