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
class QSpinBox;
class QStackedWidget;
class QTableWidget;
class QTimer;

namespace bitlens {
class Checkpoint;
}

namespace bitlens::app {

class GenerationBox;

// Evaluates the open model with the current recipe against the original and keeps the history of
// every run as the metric against bits per weight. A Keras classifier is scored on a labelled
// image set (IDX files: accuracy, agreement, KL divergence); a llama-family language model on a
// text file with llama.cpp's perplexity protocol (perplexity, KL mean and 99th percentile,
// same-top rate), and a generation box shows both models continuing a prompt. Runs on a worker
// thread with progress and Cancel; the original model's results are computed once per (model,
// data) and reused. Call order: setModel() first (it picks the mode and clears the history),
// then setRecipe() and the data setters in any order, then evaluate(). One evaluation at a time.
class EvaluationPanel : public QWidget {
    Q_OBJECT
public:
    explicit EvaluationPanel(QWidget* parent = nullptr);
    ~EvaluationPanel() override;

    void setModel(std::shared_ptr<const Checkpoint> checkpoint);
    void setRecipe(const Recipe& recipe);
    // Classifiers: fills the data set fields (e.g. the demo's Fashion-MNIST test set).
    void setDataset(const QString& images, const QString& labels, double inputScale);
    // Language models: the evaluation text and the tokenizer file (empty: the model's own).
    void setText(const QString& textFile, const QString& tokenizerFile);
    // n_ctx (0: the smaller of 512 and the model's context) and the chunk limit (0: all).
    void setTextWindow(int contextLength, int maxChunks);

    void evaluate();
    void cancel();
    bool isRunning() const { return watcher_ != nullptr; }
    bool isLanguageModel() const { return languageModel_; }

    const std::vector<EvaluationRecord>& history() const { return history_; }
    QTableWidget* resultsTable() const { return results_; }
    EvaluationHistoryPlot* historyPlot() const { return historyPlot_; }
    GenerationBox* generationBox() const { return generation_; }
    QString statusText() const;
    // The data fields as the user left them (remembered per model file by the main window).
    QStringList dataFields() const;
    void setDataFields(const QStringList& fields);
    double inputScale() const;

signals:
    void evaluated(const bitlens::app::EvaluationRecord& record);
    void failed(const QString& message);
    void cancelled();

private:
    struct Session;
    struct Outcome;
    QWidget* createImageInputs();
    QWidget* createTextInputs();
    void chooseFile(QLineEdit* edit, const QString& title, const QString& filter);
    void clearResults();
    void showRecord(const EvaluationRecord& record);
    void setRunning(bool running);
    // Checks the fields for the current mode; empty when evaluate() may start.
    QString missingInput() const;

    QLineEdit* imagesEdit_ = nullptr;
    QLineEdit* labelsEdit_ = nullptr;
    QComboBox* scaleBox_ = nullptr;
    QLineEdit* textEdit_ = nullptr;
    QLineEdit* tokenizerEdit_ = nullptr;
    QSpinBox* contextBox_ = nullptr;
    QSpinBox* chunksBox_ = nullptr;
    QStackedWidget* inputs_;
    QPushButton* evaluateButton_;
    QPushButton* cancelButton_;
    QProgressBar* progress_;
    QLabel* status_;
    QTableWidget* results_;
    EvaluationHistoryPlot* historyPlot_;
    GenerationBox* generation_;
    QTimer* progressTimer_;

    bool languageModel_ = false;
    std::shared_ptr<Session> session_;
    Recipe recipe_;
    std::vector<EvaluationRecord> history_;
    QFutureWatcher<std::shared_ptr<Outcome>>* watcher_ = nullptr;
    // Shared with the running job: the cancel request and the work done / total so far.
    struct RunState {
        std::atomic<bool> cancel{false};
        std::atomic<quint64> done{0};
        std::atomic<quint64> total{0};
    };
    std::shared_ptr<RunState> run_;
};

} // namespace bitlens::app
