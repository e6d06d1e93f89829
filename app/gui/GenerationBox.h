// SPDX-License-Identifier: MIT
#pragma once

#include "core/recipe/Recipe.h"

#include <QFutureWatcher>
#include <QWidget>
#include <atomic>
#include <memory>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace bitlens {
class Checkpoint;
}

namespace bitlens::app {

class PreferredEngines;

// Lets a person see the quantized language model talk next to the original: a prompt, a token
// count, greedy (temperature 0) or sampled continuation with a seed, and the two texts side by
// side. Both models run on a worker thread on the preferred engine (Vulkan when a device exists,
// else the CPU with a notice); Generate is disabled and Cancel enabled meanwhile.
// Call order: setModel(), then setRecipe()/setTokenizerPath(), then generate().
class GenerationBox : public QWidget {
    Q_OBJECT
public:
    explicit GenerationBox(QWidget* parent = nullptr);
    ~GenerationBox() override;

    void setModel(std::shared_ptr<const Checkpoint> checkpoint);
    void setRecipe(const Recipe& recipe) { recipe_ = recipe; }
    // Empty: the tokenizer the model carries (GGUF, Hugging Face folder).
    void setTokenizerPath(const QString& path) { tokenizerPath_ = path; }
    void setPrompt(const QString& prompt);
    void setTokenCount(int count);

    void generate();
    // Stops a running generation after its current token; nothing is shown.
    void cancel();
    bool isRunning() const { return watcher_ != nullptr; }
    QString statusText() const;
    QString originalText() const;
    QString quantizedText() const;

signals:
    void generated();
    void failed(const QString& message);
    void cancelled();

private:
    struct Texts;

    QLineEdit* prompt_;
    QSpinBox* tokens_;
    QDoubleSpinBox* temperature_;
    QSpinBox* seed_;
    QPushButton* generateButton_;
    QPushButton* cancelButton_;
    QLabel* status_;
    QPlainTextEdit* original_;
    QPlainTextEdit* quantized_;

    std::shared_ptr<const Checkpoint> checkpoint_;
    Recipe recipe_;
    QString tokenizerPath_;
    // Shared with the running job, which opens the device on first use.
    std::shared_ptr<PreferredEngines> engines_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    QFutureWatcher<std::shared_ptr<Texts>>* watcher_ = nullptr;
};

} // namespace bitlens::app
