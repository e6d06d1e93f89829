// SPDX-License-Identifier: MIT
#pragma once

#include "core/recipe/Recipe.h"
#include "gui/EvaluationHistoryPlot.h"

#include <QFutureWatcher>
#include <QWidget>
#include <atomic>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTimer;

namespace bitlens {
class Checkpoint;
}

namespace bitlens::app {

// Evaluates the open classifier with the current recipe on a labelled image set (IDX files) and
// shows original vs quantized accuracy, agreement and KL divergence, plus the history of every run
// as accuracy against bits per weight. Runs on a worker thread with progress and Cancel; the float
// model's outputs are computed once per (model, data set, input scale) and reused.
// Call order: setModel() first (it clears the history), then setRecipe()/setDataset() in any
// order, then evaluate(). One evaluation at a time.
class EvaluationPanel : public QWidget {
    Q_OBJECT
public:
    explicit EvaluationPanel(QWidget* parent = nullptr);
    ~EvaluationPanel() override;

    void setModel(std::shared_ptr<const Checkpoint> checkpoint);
    void setRecipe(const Recipe& recipe);
    // Fills the data set fields (e.g. the demo's Fashion-MNIST test set); files are read on the
    // first evaluate().
    void setDataset(const QString& images, const QString& labels, double inputScale);

    void evaluate();
    void cancel();
    bool isRunning() const { return watcher_ != nullptr; }

    const std::vector<EvaluationRecord>& history() const { return history_; }
    QTableWidget* resultsTable() const { return results_; }
    EvaluationHistoryPlot* historyPlot() const { return historyPlot_; }
    QString statusText() const;
    QString datasetImages() const;
    QString datasetLabels() const;
    double inputScale() const;

signals:
    void evaluated(const bitlens::app::EvaluationRecord& record);
    void failed(const QString& message);
    void cancelled();

private:
    struct Session;
    struct Outcome;
    void chooseFile(QLineEdit* edit, const QString& title);
    void finishRun();
    void showRecord(const EvaluationRecord& record);
    void setRunning(bool running);

    QLineEdit* imagesEdit_;
    QLineEdit* labelsEdit_;
    QComboBox* scaleBox_;
    QPushButton* evaluateButton_;
    QPushButton* cancelButton_;
    QProgressBar* progress_;
    QLabel* status_;
    QTableWidget* results_;
    EvaluationHistoryPlot* historyPlot_;
    QTimer* progressTimer_;

    std::shared_ptr<Session> session_;
    Recipe recipe_;
    std::vector<EvaluationRecord> history_;
    QFutureWatcher<std::shared_ptr<Outcome>>* watcher_ = nullptr;
    // Shared with the running job: the cancel request and the images done / total so far.
    struct RunState {
        std::atomic<bool> cancel{false};
        std::atomic<quint64> done{0};
        std::atomic<quint64> total{0};
    };
    std::shared_ptr<RunState> run_;
};

} // namespace bitlens::app
