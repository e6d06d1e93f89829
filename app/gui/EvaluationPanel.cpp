// SPDX-License-Identifier: MIT
#include "gui/EvaluationPanel.h"

#include "core/eval/BaselineCache.h"
#include "core/eval/ClassifierEvaluator.h"
#include "core/eval/IdxDataset.h"
#include "core/eval/LlamaConfig.h"
#include "core/eval/PerplexityEvaluator.h"
#include "core/eval/WeightSource.h"
#include "core/io/Checkpoint.h"
#include "core/io/MappedFile.h"
#include "core/recipe/SizePlan.h"
#include "core/text/TokenizerFactory.h"
#include "core/util/Error.h"
#include "gui/GenerationBox.h"
#include "gui/PreferredEngines.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <cmath>

namespace bitlens::app {

// The model being evaluated and what is kept between runs. Only the running job touches the
// evaluators and data, and there is one job at a time.
struct EvaluationPanel::Session {
    std::shared_ptr<const Checkpoint> checkpoint;
    // Classifiers
    std::unique_ptr<ClassifierEvaluator> classifier;
    std::shared_ptr<const IdxDataset> dataset;
    QStringList datasetFiles;
    // Language models
    std::unique_ptr<PerplexityEvaluator> perplexity;
    std::vector<int32_t> tokens;
    int32_t bos = -1;
    QStringList textFiles;
    // Both kinds: Vulkan when a device exists, opened by the first job.
    PreferredEngines engines;
};

struct EvaluationPanel::Outcome {
    bool ok = false;
    double original = 0;
    double quantized = 0;
    double agreement = 0;
    double kldMean = 0;
    double kldP99 = 0;
    QString detail; // what was measured, e.g. "n_ctx 512, 4 chunks, 1020 scored tokens"
    QString engine; // where the models ran, e.g. "vulkan: llvmpipe"
    QString notice; // why the CPU ran instead of Vulkan, if it did
    QString error;
    bool cancelled = false;
};

namespace {

const QString kImagesMode = QStringLiteral("images");
const QString kTextMode = QStringLiteral("text");

enum ResultRow { MetricRow, AgreementRow, KlMeanRow, KlP99Row, ResultRowCount };
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

bool describesLanguageModel(const Checkpoint& checkpoint) {
    try {
        LlamaConfig::fromCheckpoint(checkpoint);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace

EvaluationPanel::EvaluationPanel(QWidget* parent)
    : QWidget(parent), inputs_(new QStackedWidget(this)),
      evaluateButton_(new QPushButton(tr("&Evaluate"), this)),
      cancelButton_(new QPushButton(tr("Cancel"), this)), progress_(new QProgressBar(this)),
      status_(new QLabel(this)), results_(new QTableWidget(ResultRowCount, 3, this)),
      historyPlot_(new EvaluationHistoryPlot(this)), generation_(new GenerationBox(this)),
      progressTimer_(new QTimer(this)) {
    inputs_->addWidget(createImageInputs());
    inputs_->addWidget(createTextInputs());

    auto* buttons = new QHBoxLayout;
    evaluateButton_->setShortcut(QKeySequence(tr("Ctrl+E")));
    evaluateButton_->setToolTip(tr("Evaluate the original and the quantized model (Ctrl+E)"));
    buttons->addWidget(evaluateButton_);
    buttons->addWidget(cancelButton_);
    buttons->addWidget(progress_, 1);
    connect(evaluateButton_, &QPushButton::clicked, this, &EvaluationPanel::evaluate);
    connect(cancelButton_, &QPushButton::clicked, this, &EvaluationPanel::cancel);

    results_->setHorizontalHeaderLabels({tr("original"), tr("quantized"), tr("difference")});
    results_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    results_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    results_->horizontalHeader()->setStretchLastSection(true);
    results_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    results_->setMaximumHeight(results_->verticalHeader()->defaultSectionSize() * 5 + 8);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(inputs_);
    layout->addLayout(buttons);
    layout->addWidget(status_);
    layout->addWidget(results_);
    layout->addWidget(historyPlot_, 1);
    layout->addWidget(generation_);

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
    setModel(nullptr);
    status_->setText(tr("Open a Keras classifier or a llama-family model to evaluate it."));
}

EvaluationPanel::~EvaluationPanel() {
    if (watcher_) {
        run_->cancel = true;
        watcher_->waitForFinished();
    }
}

QWidget* EvaluationPanel::createImageInputs() {
    auto* page = new QWidget(this);
    auto* form = new QFormLayout(page);
    form->setContentsMargins(0, 0, 0, 0);
    imagesEdit_ = new QLineEdit(page);
    labelsEdit_ = new QLineEdit(page);
    scaleBox_ = new QComboBox(page);
    imagesEdit_->setPlaceholderText(tr("IDX image file (…-images-idx3-ubyte[.gz])"));
    labelsEdit_->setPlaceholderText(tr("IDX label file (…-labels-idx1-ubyte[.gz])"));
    const QString idx = tr("IDX files (*idx*);;All files (*)");
    auto fileRow = [this, page](QLineEdit* edit, const QString& title, const QString& filter) {
        auto* row = new QHBoxLayout;
        auto* browse = new QToolButton(page);
        browse->setText(QStringLiteral("…"));
        browse->setToolTip(title);
        connect(browse, &QToolButton::clicked, this,
                [this, edit, title, filter] { chooseFile(edit, title, filter); });
        row->addWidget(edit, 1);
        row->addWidget(browse);
        return row;
    };
    form->addRow(tr("Images"), fileRow(imagesEdit_, tr("Choose the test images"), idx));
    form->addRow(tr("Labels"), fileRow(labelsEdit_, tr("Choose the test labels"), idx));
    // The file does not say how the model expects its pixels: the user states it.
    scaleBox_->addItem(tr("pixels / 255 (0 to 1)"), 1.0 / 255.0);
    scaleBox_->addItem(tr("raw pixels (0 to 255)"), 1.0);
    form->addRow(tr("Input"), scaleBox_);
    return page;
}

QWidget* EvaluationPanel::createTextInputs() {
    auto* page = new QWidget(this);
    auto* form = new QFormLayout(page);
    form->setContentsMargins(0, 0, 0, 0);
    textEdit_ = new QLineEdit(page);
    tokenizerEdit_ = new QLineEdit(page);
    contextBox_ = new QSpinBox(page);
    chunksBox_ = new QSpinBox(page);
    textEdit_->setPlaceholderText(tr("UTF-8 text file"));
    tokenizerEdit_->setPlaceholderText(tr("empty: the model's own (GGUF, tokenizer.json)"));
    auto fileRow = [this, page](QLineEdit* edit, const QString& title) {
        auto* row = new QHBoxLayout;
        auto* browse = new QToolButton(page);
        browse->setText(QStringLiteral("…"));
        browse->setToolTip(title);
        connect(browse, &QToolButton::clicked, this,
                [this, edit, title] { chooseFile(edit, title, tr("All files (*)")); });
        row->addWidget(edit, 1);
        row->addWidget(browse);
        return row;
    };
    form->addRow(tr("Text"), fileRow(textEdit_, tr("Choose the evaluation text")));
    form->addRow(tr("Tokenizer"), fileRow(tokenizerEdit_, tr("Choose the tokenizer file")));
    contextBox_->setRange(0, 1 << 20);
    contextBox_->setSpecialValueText(tr("auto (min of 512 and the model's context)"));
    chunksBox_->setRange(0, 1 << 20);
    chunksBox_->setValue(8);
    chunksBox_->setSpecialValueText(tr("all"));
    form->addRow(tr("n_ctx"), contextBox_);
    form->addRow(tr("Chunks"), chunksBox_);
    connect(tokenizerEdit_, &QLineEdit::textChanged, generation_, &GenerationBox::setTokenizerPath);
    return page;
}

void EvaluationPanel::setModel(std::shared_ptr<const Checkpoint> checkpoint) {
    cancel();
    languageModel_ = checkpoint && describesLanguageModel(*checkpoint);
    session_ = std::make_shared<Session>();
    session_->checkpoint = checkpoint;
    inputs_->setCurrentIndex(languageModel_ ? 1 : 0);
    generation_->setVisible(languageModel_);
    generation_->setModel(languageModel_ ? checkpoint : nullptr);
    if (languageModel_)
        results_->setVerticalHeaderLabels(
            {tr("perplexity"), tr("same top token"), tr("KL mean"), tr("KL 99th pct")});
    else
        results_->setVerticalHeaderLabels({tr("top-1 accuracy"), tr("agreement"), tr("KL mean")});
    results_->setRowHidden(KlP99Row, !languageModel_);
    history_.clear();
    historyPlot_->setRecords(history_);
    clearResults();
    status_->setText(tr("Press Evaluate to measure the model with the current recipe."));
}

void EvaluationPanel::setRecipe(const Recipe& recipe) {
    recipe_ = recipe;
    generation_->setRecipe(recipe);
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

void EvaluationPanel::setText(const QString& textFile, const QString& tokenizerFile) {
    textEdit_->setText(textFile);
    tokenizerEdit_->setText(tokenizerFile);
}

void EvaluationPanel::setTextWindow(int contextLength, int maxChunks) {
    contextBox_->setValue(contextLength);
    chunksBox_->setValue(maxChunks);
}

QStringList EvaluationPanel::dataFields() const {
    if (languageModel_)
        return {kTextMode, textEdit_->text().trimmed(), tokenizerEdit_->text().trimmed(),
                QString::number(contextBox_->value()), QString::number(chunksBox_->value())};
    return {kImagesMode, imagesEdit_->text().trimmed(), labelsEdit_->text().trimmed(),
            QString::number(inputScale(), 'g', 17)};
}

void EvaluationPanel::setDataFields(const QStringList& fields) {
    if (fields.size() == 5 && fields[0] == kTextMode) {
        setText(fields[1], fields[2]);
        setTextWindow(fields[3].toInt(), fields[4].toInt());
    } else if (fields.size() == 4 && fields[0] == kImagesMode) {
        setDataset(fields[1], fields[2], fields[3].toDouble());
    }
}

double EvaluationPanel::inputScale() const {
    return scaleBox_->currentData().toDouble();
}

QString EvaluationPanel::statusText() const {
    return status_->text();
}

void EvaluationPanel::chooseFile(QLineEdit* edit, const QString& title, const QString& filter) {
    const QString path = QFileDialog::getOpenFileName(this, title, edit->text(), filter);
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

QString EvaluationPanel::missingInput() const {
    if (!session_->checkpoint)
        return tr("Open a model first.");
    if (languageModel_)
        return textEdit_->text().trimmed().isEmpty() ? tr("Choose the evaluation text first.")
                                                     : QString();
    if (imagesEdit_->text().trimmed().isEmpty() || labelsEdit_->text().trimmed().isEmpty())
        return tr("Choose the test images and labels (IDX files) first.");
    return {};
}

void EvaluationPanel::evaluate() {
    if (watcher_)
        return;
    if (const QString missing = missingInput(); !missing.isEmpty()) {
        status_->setText(missing);
        emit failed(missing);
        return;
    }

    run_ = std::make_shared<RunState>();
    const SizeTotals totals = planSizes(*session_->checkpoint, recipe_).totals;
    EvaluationRecord record;
    record.metric = languageModel_ ? EvaluationMetric::Perplexity : EvaluationMetric::Accuracy;
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
                } else if (!outcome->ok) {
                    status_->setText(outcome->error);
                    emit failed(outcome->error);
                } else {
                    record.originalMetric = outcome->original;
                    record.quantizedMetric = outcome->quantized;
                    record.agreement = outcome->agreement;
                    record.kldMean = outcome->kldMean;
                    record.kldP99 = outcome->kldP99;
                    showRecord(record);
                    QString text = status_->text();
                    if (!outcome->detail.isEmpty())
                        text += QStringLiteral(" (") + outcome->detail + QStringLiteral(")");
                    text += tr("; engine: %1").arg(outcome->engine);
                    if (!outcome->notice.isEmpty())
                        text += QStringLiteral("\n") + outcome->notice;
                    status_->setText(text);
                    emit evaluated(record);
                }
            });
    status_->setText(tr("Evaluating %1 …").arg(record.recipeLabel));
    setRunning(true);

    const ProgressFn progress = [run = run_](uint64_t done, uint64_t total) {
        run->done = done;
        run->total = total;
        return !run->cancel.load();
    };
    const QStringList fields = dataFields();
    watcher_->setFuture(QtConcurrent::run([session = session_, recipe = recipe_, fields,
                                           progress]() -> std::shared_ptr<Outcome> {
        auto outcome = std::make_shared<Outcome>();
        try {
            const QuantizedWeights weights(formatsFromRecipe(recipe));
            const Checkpoint& checkpoint = *session->checkpoint;
            if (fields[0] == kTextMode) {
                if (!session->perplexity) {
                    session->perplexity = std::make_unique<PerplexityEvaluator>(checkpoint);
                    session->perplexity->setBaselineCache(BaselineCache::forUser());
                }
                if (session->textFiles != fields.mid(1, 2)) {
                    const std::unique_ptr<Tokenizer> tokenizer =
                        loadTokenizer(checkpoint, fields[2].toStdString());
                    const MappedFile text(fields[1].toStdString());
                    const auto bytes = text.bytes();
                    session->tokens = PerplexityEvaluator::tokenizeText(
                        *tokenizer, std::string_view(reinterpret_cast<const char*>(bytes.data()),
                                                     bytes.size()));
                    session->bos = tokenizer->bos();
                    session->textFiles = fields.mid(1, 2);
                }
                const PerplexityOptions options{fields[3].toULongLong(), fields[4].toULongLong()};
                const std::shared_ptr<const LlamaEngine> engine = session->engines.languageModel(
                    session->perplexity->config(),
                    options.contextLength ? options.contextLength
                                          : session->perplexity->defaultContextLength());
                if (&session->perplexity->engine() != engine.get())
                    session->perplexity->setEngine(engine);
                outcome->engine = QString::fromStdString(engine->name());
                const PerplexityComparison comparison = session->perplexity->compare(
                    session->tokens, session->bos, options, weights, progress);
                outcome->original = comparison.original.ppl;
                outcome->quantized = comparison.quantized.ppl;
                outcome->agreement = comparison.sameTop;
                outcome->kldMean = comparison.kldMean;
                outcome->kldP99 = comparison.kldP99;
                outcome->detail = QObject::tr("n_ctx %1, %2 chunks, %3 scored tokens; ±%4 / ±%5")
                                      .arg(comparison.contextLength)
                                      .arg(comparison.chunks)
                                      .arg(comparison.scoredTokens)
                                      .arg(comparison.original.pplError, 0, 'f', 4)
                                      .arg(comparison.quantized.pplError, 0, 'f', 4);
                if (session->perplexity->baselineOrigin() == BaselineOrigin::Disk)
                    outcome->detail += QObject::tr("; original from the cache");
            } else {
                if (!session->classifier) {
                    session->classifier = std::make_unique<ClassifierEvaluator>(checkpoint);
                    session->classifier->setBaselineCache(BaselineCache::forUser());
                    session->classifier->setEngine(session->engines.classifier());
                }
                outcome->engine = QString::fromStdString(session->classifier->engine().name());
                if (!session->dataset || session->datasetFiles != fields.mid(1, 2)) {
                    session->dataset = std::make_shared<IdxDataset>(
                        IdxDataset::load(fields[1].toStdString(), fields[2].toStdString()));
                    session->datasetFiles = fields.mid(1, 2);
                }
                const ClassifierComparison comparison = session->classifier->compare(
                    *session->dataset, fields[3].toFloat(), weights, progress);
                outcome->original = comparison.original.accuracy();
                outcome->quantized = comparison.quantized.accuracy();
                outcome->agreement = comparison.agreement();
                outcome->kldMean = comparison.kldMean;
                if (session->classifier->baselineOrigin() == BaselineOrigin::Disk)
                    outcome->detail = QObject::tr("original from the cache");
            }
            outcome->notice = session->engines.notice();
            outcome->ok = true;
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

void EvaluationPanel::clearResults() {
    for (int row = 0; row < ResultRowCount; ++row)
        for (int column = 0; column < 3; ++column)
            results_->setItem(row, column, nullptr);
}

void EvaluationPanel::showRecord(const EvaluationRecord& record) {
    history_.push_back(record);
    historyPlot_->setRecords(history_);
    clearResults();
    auto put = [this](int row, int column, const QString& text) {
        auto* item = new QTableWidgetItem(text);
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        results_->setItem(row, column, item);
    };
    const bool accuracy = record.metric == EvaluationMetric::Accuracy;
    const auto metricText = [accuracy](double value) {
        return accuracy ? percent(value) : QString::number(value, 'f', 4);
    };
    put(MetricRow, OriginalColumn, metricText(record.originalMetric));
    put(MetricRow, QuantizedColumn, metricText(record.quantizedMetric));
    if (accuracy) {
        const double points = 100 * (record.quantizedMetric - record.originalMetric);
        put(MetricRow, DifferenceColumn,
            QStringLiteral("%1%2 points").arg(points >= 0 ? "+" : "").arg(points, 0, 'f', 2));
    } else {
        const double change = 100 * (record.quantizedMetric / record.originalMetric - 1);
        put(MetricRow, DifferenceColumn,
            QStringLiteral("%1%2 %").arg(change >= 0 ? "+" : "").arg(change, 0, 'f', 2));
        put(KlP99Row, QuantizedColumn,
            QString::number(record.kldP99, 'g', 4) + QStringLiteral(" nats"));
    }
    put(AgreementRow, QuantizedColumn, percent(record.agreement));
    put(KlMeanRow, QuantizedColumn,
        QString::number(record.kldMean, 'g', 4) + QStringLiteral(" nats"));
    status_->setText(tr("%1: %2 bits/weight, %3 %4 → %5")
                         .arg(record.recipeLabel)
                         .arg(record.bitsPerWeight, 0, 'f', 2)
                         .arg(accuracy ? tr("accuracy") : tr("perplexity"),
                              metricText(record.originalMetric),
                              metricText(record.quantizedMetric)));
}

} // namespace bitlens::app
