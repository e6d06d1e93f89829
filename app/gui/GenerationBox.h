// SPDX-License-Identifier: MIT
#pragma once

#include "core/recipe/Recipe.h"

#include <QFutureWatcher>
#include <QWidget>
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

// Lets a person see the quantized language model talk next to the original: a prompt, a token
// count, greedy (temperature 0) or sampled continuation with a seed, and the two texts side by
// side. Both models run on a worker thread; the box's inputs are disabled meanwhile.
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
    bool isRunning() const { return watcher_ != nullptr; }
    QString originalText() const;
    QString quantizedText() const;

signals:
    void generated();
    void failed(const QString& message);

private:
    struct Texts;

    QLineEdit* prompt_;
    QSpinBox* tokens_;
    QDoubleSpinBox* temperature_;
    QSpinBox* seed_;
    QPushButton* generateButton_;
    QLabel* status_;
    QPlainTextEdit* original_;
    QPlainTextEdit* quantized_;

    std::shared_ptr<const Checkpoint> checkpoint_;
    Recipe recipe_;
    QString tokenizerPath_;
    QFutureWatcher<std::shared_ptr<Texts>>* watcher_ = nullptr;
};

} // namespace bitlens::app
