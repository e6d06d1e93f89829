// SPDX-License-Identifier: MIT
#pragma once

#include "core/metrics/ErrorMetrics.h"
#include "core/recipe/Recipe.h"
#include "gui/QuantResult.h"
#include "gui/RecentFiles.h"

#include <QMainWindow>
#include <memory>

class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;
class QTableView;
class QTimer;

namespace bitlens {
class LayerChart;
}

namespace bitlens::app {

class CheckpointDocument;
class EvaluationPanel;
class LayerTableModel;
class QuantController;
class RecipeDocument;
class TensorFilterModel;
class TensorViews;

// The studio window: the recipe bar and the layer table of the open checkpoint with name, kind
// and block filters, a status bar summarising the checkpoint, File menu with Open, Open Folder,
// Recent Files, Load/Save Recipe and Quit, Edit menu with Undo/Redo of recipe changes, and
// drag-and-drop of files and folders. Window geometry, table layout and the recent files are
// kept in QSettings. Docks show the selected tensor quantized as the recipe says (TensorViews,
// computed in the background by the QuantController, cached), the layer chart of every tensor's
// metric and the evaluation panel; Quantize > Quantize All (Ctrl+R) runs the whole recipe with
// progress and Cancel in the status bar.
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
    EvaluationPanel* evaluationPanel() const { return evaluationPanel_; }

    // The recipe the studio shows (the recipe document's, after every change): the selected
    // tensor is re-resolved and recomputed (from the cache when it can be), the layer chart
    // refreshed and the evaluation panel told.
    void setRecipe(const Recipe& recipe);
    const Recipe& recipe() const { return recipe_; }

    // Quantize > Quantize All: every tensor of the recipe's plan, on the worker; false when no
    // checkpoint is open or a run is going.
    bool quantizeAll();
    void cancelQuantizeAll();

    QuantController* quantController() const { return quant_; }
    TensorViews* tensorViews() const { return views_; }
    LayerChart* layerChart() const { return layerChart_; }
    // Source row (tensor index) of the table's current row, or -1.
    int selectedTensor() const;

signals:
    // Emitted with the full message whenever an error box is shown (the box itself is non-modal).
    void errorShown(const QString& message);
    // A tensor's metrics in a format are known (computed, or from the cache by Quantize All).
    void tensorQuantized(int tensorIndex, const QString& formatId,
                         const bitlens::ErrorMetrics& metrics);
    // The views show the selected tensor: its result, or the message why there is none.
    void selectionShown(int tensorIndex);

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
    void createDocks();
    void createStatusWidgets();
    void showSelectionResult(const SharedQuantResult& result);
    void showSelectionFailure(int tensorIndex, const QString& formatId, const QString& message);
    void showSelectionProgress(quint64 done, quint64 total);
    void showBackend(const QString& name, const QString& notice);
    void showQuantizeAllProgress(quint64 done, quint64 total);
    void showQuantizeAllFinished(int quantized, int failed, int planned, bool cancelled);
    void compareSelectedTensor();
    void refreshLayerChart();
    void selectTensorRow(int tensorIndex);

    CheckpointDocument* document_;
    RecipeDocument* recipeDocument_;
    LayerTableModel* tableModel_;
    TensorFilterModel* filterModel_;
    QLineEdit* filterEdit_ = nullptr;
    QTableView* tableView_ = nullptr;
    EvaluationPanel* evaluationPanel_ = nullptr;
    QuantController* quant_;
    TensorViews* views_;
    LayerChart* layerChart_ = nullptr;
    Recipe recipe_;
    std::shared_ptr<const Checkpoint> quantizedCheckpoint_; // whose results the cache holds
    QTimer* chartRefresh_ = nullptr;
    QAction* quantizeAllAction_ = nullptr;
    QProgressBar* selectionProgress_ = nullptr;
    QProgressBar* batchProgress_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QLabel* backendLabel_ = nullptr;
    QLabel* summaryLabel_ = nullptr;
    QProgressBar* busyIndicator_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    RecentFiles recentFiles_;
};

} // namespace bitlens::app
