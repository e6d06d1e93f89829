// SPDX-License-Identifier: MIT
#include "gui/GenerationBox.h"

#include "core/eval/LlamaEngine.h"
#include "core/eval/WeightSource.h"
#include "core/io/Checkpoint.h"
#include "core/text/TokenizerFactory.h"
#include "core/util/Error.h"
#include "gui/PreferredEngines.h"

#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

namespace bitlens::app {

struct GenerationBox::Texts {
    QString original;
    QString quantized;
    QString engine;
    QString notice;
    QString error;
    bool cancelled = false;
};

namespace {

// The prompt's tokens as generation starts them: BOS (when the vocabulary has one), then the text.
std::vector<int32_t> promptTokens(const Tokenizer& tokenizer, const std::string& prompt) {
    std::vector<int32_t> tokens;
    if (tokenizer.bos() >= 0)
        tokens.push_back(tokenizer.bos());
    const std::vector<int32_t> text = tokenizer.encode(prompt);
    tokens.insert(tokens.end(), text.begin(), text.end());
    return tokens;
}

QString continuation(LlamaRunner& model, const Tokenizer& tokenizer,
                     const std::vector<int32_t>& prompt, uint64_t count,
                     const SamplingOptions& sampling, const ProgressFn& progress) {
    const std::vector<int32_t> generated =
        generateTokens(model, prompt, count, sampling, tokenizer.eos(), progress);
    std::string text;
    int32_t previous = prompt.back();
    for (const int32_t token : generated) {
        if (token == tokenizer.eos())
            break;
        text += tokenizer.decode(previous, token);
        previous = token;
    }
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

} // namespace

GenerationBox::GenerationBox(QWidget* parent)
    : QWidget(parent), prompt_(new QLineEdit(this)), tokens_(new QSpinBox(this)),
      temperature_(new QDoubleSpinBox(this)), seed_(new QSpinBox(this)),
      generateButton_(new QPushButton(tr("&Generate"), this)),
      cancelButton_(new QPushButton(tr("Cancel"), this)), status_(new QLabel(this)),
      original_(new QPlainTextEdit(this)), quantized_(new QPlainTextEdit(this)),
      engines_(std::make_shared<PreferredEngines>()) {
    prompt_->setPlaceholderText(tr("Prompt (empty: start from BOS)"));
    tokens_->setRange(1, 256);
    tokens_->setValue(48);
    tokens_->setSuffix(tr(" tokens"));
    temperature_->setRange(0, 2);
    temperature_->setSingleStep(0.1);
    temperature_->setDecimals(2);
    temperature_->setToolTip(tr("0: greedy (always the most likely token)"));
    seed_->setRange(0, 1'000'000);
    seed_->setPrefix(tr("seed "));
    for (QPlainTextEdit* text : {original_, quantized_}) {
        text->setReadOnly(true);
        text->setMinimumHeight(80);
    }
    auto* controls = new QHBoxLayout;
    controls->addWidget(prompt_, 1);
    controls->addWidget(tokens_);
    controls->addWidget(new QLabel(tr("temperature"), this));
    controls->addWidget(temperature_);
    controls->addWidget(seed_);
    controls->addWidget(generateButton_);
    controls->addWidget(cancelButton_);
    cancelButton_->setEnabled(false);
    auto* texts = new QGridLayout;
    texts->addWidget(new QLabel(tr("original"), this), 0, 0);
    texts->addWidget(new QLabel(tr("quantized"), this), 0, 1);
    texts->addWidget(original_, 1, 0);
    texts->addWidget(quantized_, 1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(status_);
    layout->addLayout(texts);
    status_->setWordWrap(true);
    connect(generateButton_, &QPushButton::clicked, this, &GenerationBox::generate);
    connect(prompt_, &QLineEdit::returnPressed, this, &GenerationBox::generate);
    connect(cancelButton_, &QPushButton::clicked, this, &GenerationBox::cancel);
}

GenerationBox::~GenerationBox() {
    if (watcher_) {
        cancel();
        watcher_->waitForFinished();
    }
}

void GenerationBox::cancel() {
    if (cancel_)
        *cancel_ = true;
}

QString GenerationBox::statusText() const {
    return status_->text();
}

void GenerationBox::setModel(std::shared_ptr<const Checkpoint> checkpoint) {
    checkpoint_ = std::move(checkpoint);
    original_->clear();
    quantized_->clear();
    status_->clear();
}

void GenerationBox::setPrompt(const QString& prompt) {
    prompt_->setText(prompt);
}

void GenerationBox::setTokenCount(int count) {
    tokens_->setValue(count);
}

QString GenerationBox::originalText() const {
    return original_->toPlainText();
}

QString GenerationBox::quantizedText() const {
    return quantized_->toPlainText();
}

void GenerationBox::generate() {
    if (watcher_ || !checkpoint_)
        return;
    generateButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    status_->setText(tr("Generating with both models…"));
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    const SamplingOptions sampling{float(temperature_->value()), uint64_t(seed_->value())};
    watcher_ = new QFutureWatcher<std::shared_ptr<Texts>>(this);
    connect(watcher_, &QFutureWatcher<std::shared_ptr<Texts>>::finished, this, [this] {
        const std::shared_ptr<Texts> texts = watcher_->result();
        watcher_->deleteLater();
        watcher_ = nullptr;
        generateButton_->setEnabled(true);
        cancelButton_->setEnabled(false);
        if (texts->cancelled) {
            status_->setText(tr("Generation cancelled."));
            emit cancelled();
            return;
        }
        if (!texts->error.isEmpty()) {
            status_->setText(texts->error);
            emit failed(texts->error);
            return;
        }
        status_->setText(texts->notice.isEmpty()
                             ? tr("engine: %1").arg(texts->engine)
                             : tr("engine: %1\n%2").arg(texts->engine, texts->notice));
        original_->setPlainText(prompt_->text() + texts->original);
        quantized_->setPlainText(prompt_->text() + texts->quantized);
        emit generated();
    });
    watcher_->setFuture(QtConcurrent::run(
        [checkpoint = checkpoint_, recipe = recipe_, tokenizerPath = tokenizerPath_,
         prompt = prompt_->text().toStdString(), count = uint64_t(tokens_->value()), sampling,
         engines = engines_, cancel = cancel_]() -> std::shared_ptr<Texts> {
            auto texts = std::make_shared<Texts>();
            try {
                const std::unique_ptr<Tokenizer> tokenizer =
                    loadTokenizer(*checkpoint, tokenizerPath.toStdString());
                const std::vector<int32_t> tokens = promptTokens(*tokenizer, prompt);
                if (tokens.empty())
                    throw Error("the prompt is empty and the vocabulary has no BOS token");
                const LlamaConfig config = LlamaConfig::fromCheckpoint(*checkpoint);
                const std::shared_ptr<const LlamaEngine> engine = engines->languageModel(
                    config, std::min(tokens.size() + count, config.contextLength));
                texts->engine = QString::fromStdString(engine->name());
                texts->notice = engines->notice();
                const ProgressFn progress = [cancel](uint64_t, uint64_t) {
                    return !*cancel;
                };
                texts->original =
                    continuation(*engine->load(*checkpoint, config, OriginalWeights()), *tokenizer,
                                 tokens, count, sampling, progress);
                texts->quantized = continuation(
                    *engine->load(*checkpoint, config, QuantizedWeights(formatsFromRecipe(recipe))),
                    *tokenizer, tokens, count, sampling, progress);
            } catch (const Cancelled&) {
                texts->cancelled = true;
            } catch (const std::exception& error) {
                texts->error = QString::fromUtf8(error.what());
            }
            return texts;
        }));
}

} // namespace bitlens::app
