// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace bitlens::app {

class FormatComboBox;
class RecipeDocument;

// Edits the recipe of a RecipeDocument: the default format, presets (choose + Apply), name rules
// (glob → format: add, replace the selected one, remove) and shows the live totals: size before
// → after, average bits per weight, compression ratio. Every edit is one undo step of the
// document; the bar redraws on every recipeChanged.
class RecipeBar : public QWidget {
    Q_OBJECT
public:
    explicit RecipeBar(RecipeDocument* document, QWidget* parent = nullptr);

private:
    void showRecipe();
    void showSelectedRule();
    void applyPreset();
    void addRule();
    void replaceRule();
    void removeRule();
    // Runs a document edit; an Error it throws is shown under the rules instead.
    template <typename Edit> void attempt(Edit&& edit);

    RecipeDocument* document_;
    FormatComboBox* defaultFormat_;
    QComboBox* presets_;
    QPushButton* applyPreset_;
    QListWidget* rules_;
    QLineEdit* rulePattern_;
    FormatComboBox* ruleFormat_;
    QPushButton* replaceRule_;
    QPushButton* removeRule_;
    QLabel* totals_;
    QLabel* problem_;
};

} // namespace bitlens::app
