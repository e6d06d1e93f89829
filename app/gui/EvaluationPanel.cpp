// SPDX-License-Identifier: MIT
#include "gui/EvaluationPanel.h"

#include "core/eval/ClassifierEvaluator.h"
#include "core/eval/IdxDataset.h"
#include "core/eval/WeightSource.h"
#include "core/io/Checkpoint.h"
#include "core/recipe/SizePlan.h"
#include "core/util/Error.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <cmath>
#include <optional>

namespace bitlens::app {

// The model being evaluated and what is kept between runs. Only the running job touches the
// evaluator and data set, and there is one job at a time.
struct EvaluationPanel::Session {
    std::shared_ptr<const Checkpoint> checkpoint;
    std::unique_ptr<ClassifierEvaluator> evaluator;
    std::shared_ptr<const IdxDataset> dataset;
    QString datasetImages;
    QString datasetLabels;
};

struct EvaluationPanel::Outcome {
    std::optional<ClassifierComparison> comparison;
    QString error;
    bool cancelled = false;
};

namespace {

enum ResultRow { AccuracyRow, AgreementRow, KlRow, ResultRowCount };
enum ResultColumn { OriginalColumn, QuantizedColumn, DifferenceColumn };

QString percent(double fraction) {
    return QString::number(100 * fraction, 'f', 2) + QStringLiteral(" %");
}

QString describeRecipe(const Recipe& recipe) {
    QString text = QObject::tr("default %1").arg(QString::fromStdString(recipe.defaultTarget()));
    if (!recipe.rules().empty())
        text += QObject::tr(", %n rule(s)", nullptr, int(recipe.rules().size()));
    if (!recipe.overrides().empty())
        text += QObject::tr(", %n override(s)", nullptr, int(recipe.overrides().size()));
    return text;
}

} // namespace

EvaluationPanel::EvaluationPanel(QWidget* parent)
    : QWidget(parent), imagesEdit_(new QLineEdit(this)), labelsEdit_(new QLineEdit(this)),
      scaleBox_(new QComboBox(this)), evaluateButton_(new QPushButton(tr("&Evaluate"), this)),
      cancelButton_(new QPushButton(tr("Cancel"), this)), progress_(new QProgressBar(this)),
      status_(new QLabel(this)), results_(new QTableWidget(ResultRowCount, 3, this)),
      historyPlot_(new EvaluationHistoryPlot(this)), progressTimer_(new QTimer(this)) {
    auto* form = new QFormLayout;
    auto fileRow = [this](QLineEdit* edit, const QString& title) {
        auto* row = new QHBoxLayout;
        auto* browse = new QToolButton(this);
        browse->setText(QStringLiteral("…"));
        browse->setToolTip(title);
        connect(browse, &QToolButton::clicked, this,
                [this, edit, title] { chooseFile(edit, title); });
        row->addWidget(edit, 1);
        row->addWidget(browse);
        return row;
    };
    imagesEdit_->setPlaceholderText(tr("IDX image file (…-images-idx3-ubyte[.gz])"));
    labelsEdit_->setPlaceholderText(tr("IDX label file (…-labels-idx1-ubyte[.gz])"));
    form->addRow(tr("Images"), fileRow(imagesEdit_, tr("Choose the test images")));
    form->addRow(tr("Labels"), fileRow(labelsEdit_, tr("Choose the test labels")));
    // The file does not say how the model expects its pixels: the user states it.
    scaleBox_->addItem(tr("pixels / 255 (0 to 1)"), 1.0 / 255.0);
    scaleBox_->addItem(tr("raw pixels (0 to 255)"), 1.0);
    form->addRow(tr("Input"), scaleBox_);

    auto* buttons = new QHBoxLayout;
    evaluateButton_->setShortcut(QKeySequence(tr("Ctrl+E")));
    evaluateButton_->setToolTip(tr("Evaluate the original and the quantized model (Ctrl+E)"));
    buttons->addWidget(evaluateButton_);
    buttons->addWidget(cancelButton_);
    buttons->addWidget(progress_, 1);
    connect(evaluateButton_, &QPushButton::clicked, this, &EvaluationPanel::evaluate);
    connect(cancelButton_, &QPushButton::clicked, this, &EvaluationPanel::cancel);

    results_->setHorizontalHeaderLabels({tr("original"), tr("quantized"), tr("difference")});
    results_->setVerticalHeaderLabels({tr("top-1 accuracy"), tr("agreement"), tr("KL mean")});
    results_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    results_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    results_->horizontalHeader()->setStretchLastSection(true);
    results_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    results_->setMaximumHeight(results_->verticalHeader()->defaultSectionSize() * 4 + 8);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(status_);
    layout->addWidget(results_);
    layout->addWidget(historyPlot_, 1);

    progressTimer_->setInterval(100);
    connect(progressTimer_, &QTimer::timeout, this, [this] {
        if (!run_)
            return;
        const quint64 total = run_->total.load();
        progress_->setMaximum(total ? 1000 : 0);
        if (total)
            progress_->setValue(int(1000 * run_->done.load() / total));
    });
    setRunning(false);
    status_->setText(tr("Open a Keras classifier and choose its test set to evaluate it."));
}

EvaluationPanel::~EvaluationPanel() {
    if (watcher_) {
        run_->cancel = true;
        watcher_->waitForFinished();
    }
}

void EvaluationPanel::setModel(std::shared_ptr<const Checkpoint> checkpoint) {
    cancel();
    session_ = std::make_shared<Session>();
    session_->checkpoint = std::move(checkpoint);
    history_.clear();
    historyPlot_->setRecords(history_);
    for (int row = 0; row < ResultRowCount; ++row)
        for (int column = 0; column < 3; ++column)
            results_->setItem(row, column, nullptr);
    status_->setText(tr("Press Evaluate to measure the model with the current recipe."));
}

void EvaluationPanel::setRecipe(const Recipe& recipe) {
    recipe_ = recipe;
}

void EvaluationPanel::setDataset(const QString& images, const QString& labels, double inputScale) {
    imagesEdit_->setText(images);
    labelsEdit_->setText(labels);
    const int index = scaleBox_->findData(inputScale);
    if (index >= 0) {
        scaleBox_->setCurrentIndex(index);
    } else {
        scaleBox_->addItem(tr("pixels × %1").arg(inputScale), inputScale);
        scaleBox_->setCurrentIndex(scaleBox_->count() - 1);
    }
}

double EvaluationPanel::inputScale() const {
    return scaleBox_->currentData().toDouble();
}

QString EvaluationPanel::datasetImages() const {
    return imagesEdit_->text().trimmed();
}

QString EvaluationPanel::datasetLabels() const {
    return labelsEdit_->text().trimmed();
}

QString EvaluationPanel::statusText() const {
    return status_->text();
}

void EvaluationPanel::chooseFile(QLineEdit* edit, const QString& title) {
    const QString path = QFileDialog::getOpenFileName(this, title, edit->text(),
                                                      tr("IDX files (*idx*);;All files (*)"));
    if (!path.isEmpty())
        edit->setText(path);
}

void EvaluationPanel::setRunning(bool running) {
    evaluateButton_->setEnabled(!running);
    cancelButton_->setEnabled(running);
    progress_->setVisible(running);
    if (running) {
        progress_->setRange(0, 0);
        progressTimer_->start();
    } else {
        progressTimer_->stop();
    }
}

void EvaluationPanel::evaluate() {
    if (watcher_)
        return;
    if (!session_ || !session_->checkpoint) {
        status_->setText(tr("Open a model first."));
        emit failed(status_->text());
        return;
    }
    const QString images = datasetImages();
    const QString labels = datasetLabels();
    if (images.isEmpty() || labels.isEmpty()) {
        status_->setText(tr("Choose the test images and labels (IDX files) first."));
        emit failed(status_->text());
        return;
    }

    run_ = std::make_shared<RunState>();
    const SizeTotals totals = planSizes(*session_->checkpoint, recipe_).totals;
    EvaluationRecord record;
    record.recipeLabel = describeRecipe(recipe_);
    record.bitsPerWeight = totals.bitsPerWeight();
    record.bytesAfter = totals.bytesAfter;

    watcher_ = new QFutureWatcher<std::shared_ptr<Outcome>>(this);
    connect(watcher_, &QFutureWatcher<std::shared_ptr<Outcome>>::finished, this,
            [this, record]() mutable {
                const std::shared_ptr<Outcome> outcome = watcher_->result();
                watcher_->deleteLater();
                watcher_ = nullptr;
                setRunning(false);
                if (outcome->cancelled) {
                    status_->setText(tr("Evaluation cancelled; nothing was recorded."));
                    emit cancelled();
                } else if (!outcome->comparison) {
                    status_->setText(outcome->error);
                    emit failed(outcome->error);
                } else {
                    const ClassifierComparison& comparison = *outcome->comparison;
                    record.originalMetric = comparison.original.accuracy();
                    record.quantizedMetric = comparison.quantized.accuracy();
                    record.agreement = comparison.agreement();
                    record.kldMean = comparison.kldMean;
                    showRecord(record);
                    emit evaluated(record);
                }
            });
    status_->setText(tr("Evaluating %1 …").arg(record.recipeLabel));
    setRunning(true);

    const double scale = inputScale();
    watcher_->setFuture(QtConcurrent::run([session = session_, run = run_, recipe = recipe_, images,
                                           labels, scale]() -> std::shared_ptr<Outcome> {
        auto outcome = std::make_shared<Outcome>();
        try {
            if (!session->evaluator)
                session->evaluator = std::make_unique<ClassifierEvaluator>(*session->checkpoint);
            if (!session->dataset || session->datasetImages != images ||
                session->datasetLabels != labels) {
                session->dataset = std::make_shared<IdxDataset>(
                    IdxDataset::load(images.toStdString(), labels.toStdString()));
                session->datasetImages = images;
                session->datasetLabels = labels;
            }
            const QuantizedWeights weights(formatsFromRecipe(recipe));
            outcome->comparison = session->evaluator->compare(
                *session->dataset, float(scale), weights, [run](uint64_t done, uint64_t total) {
                    run->done = done;
                    run->total = total;
                    return !run->cancel.load();
                });
        } catch (const Cancelled&) {
            outcome->cancelled = true;
        } catch (const std::exception& error) {
            outcome->error = QString::fromUtf8(error.what());
        }
        return outcome;
    }));
}

void EvaluationPanel::cancel() {
    if (run_)
        run_->cancel = true;
}

void EvaluationPanel::showRecord(const EvaluationRecord& record) {
    history_.push_back(record);
    historyPlot_->setRecords(history_);
    auto put = [this](int row, int column, const QString& text) {
        auto* item = new QTableWidgetItem(text);
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        results_->setItem(row, column, item);
    };
    put(AccuracyRow, OriginalColumn, percent(record.originalMetric));
    put(AccuracyRow, QuantizedColumn, percent(record.quantizedMetric));
    const double points = 100 * (record.quantizedMetric - record.originalMetric);
    put(AccuracyRow, DifferenceColumn,
        QStringLiteral("%1%2 points").arg(points >= 0 ? "+" : "").arg(points, 0, 'f', 2));
    put(AgreementRow, QuantizedColumn, percent(record.agreement));
    put(KlRow, QuantizedColumn, QString::number(record.kldMean, 'g', 4) + QStringLiteral(" nats"));
    status_->setText(tr("%1: %2 bits/weight, accuracy %3 → %4")
                         .arg(record.recipeLabel)
                         .arg(record.bitsPerWeight, 0, 'f', 2)
                         .arg(percent(record.originalMetric), percent(record.quantizedMetric)));
}

} // namespace bitlens::app
