// SPDX-License-Identifier: MIT
#pragma once

#include "gui/RecentFiles.h"

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QTableView;

namespace bitlens::app {

class CheckpointDocument;
class EvaluationPanel;
class LayerTableModel;
class RecipeDocument;
class TensorFilterModel;
class TensorHistogramPanel;

// The studio window: the recipe bar and the layer table of the open checkpoint with name, kind
// and block filters, a status bar summarising the checkpoint, File menu with Open, Open Folder,
// Recent Files, Load/Save Recipe and Quit, Edit menu with Undo/Redo of recipe changes, and
// drag-and-drop of files and folders. Window geometry, table layout and the recent files are
// kept in QSettings.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    CheckpointDocument* document() const { return document_; }
    RecipeDocument* recipeDocument() const { return recipeDocument_; }
    LayerTableModel* layerTable() const { return tableModel_; }

    // Opens a checkpoint file or model folder in the background: the one path the dialogs,
    // Recent Files, drag-and-drop and the command line all take.
    void openPath(const QString& path);
    TensorHistogramPanel* histogramPanel() const { return histogramPanel_; }
    EvaluationPanel* evaluationPanel() const { return evaluationPanel_; }

signals:
    // Emitted with the full message whenever an error box is shown (the box itself is non-modal).
    void errorShown(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createMenus();
    void createCentralWidget();
    void restoreSettings();
    void chooseFile();
    void chooseFolder();
    void rebuildRecentMenu();
    void showOpening(const QString& path);
    void showOpened(const QString& path);
    void showFailure(const QString& path, const QString& message);
    void showError(const QString& text, const QString& details);
    void showSummary();
    void rememberDirectory(const QString& path);
    void showSelectedTensor();
    void chooseRecipeToLoad();
    void chooseRecipeToSave();

    CheckpointDocument* document_;
    RecipeDocument* recipeDocument_;
    LayerTableModel* tableModel_;
    TensorFilterModel* filterModel_;
    QLineEdit* filterEdit_ = nullptr;
    QTableView* tableView_ = nullptr;
    TensorHistogramPanel* histogramPanel_ = nullptr;
    EvaluationPanel* evaluationPanel_ = nullptr;
    QLabel* summaryLabel_ = nullptr;
    QProgressBar* busyIndicator_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    RecentFiles recentFiles_;
};

} // namespace bitlens::app
