// SPDX-License-Identifier: MIT
#include "gui/RecipeBar.h"

#include "core/recipe/RecipePresets.h"
#include "core/util/Error.h"
#include "core/util/HumanText.h"
#include "gui/FormatComboBox.h"
#include "gui/RecipeDocument.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>

namespace bitlens::app {

RecipeBar::RecipeBar(RecipeDocument* document, QWidget* parent)
    : QWidget(parent), document_(document), defaultFormat_(new FormatComboBox),
      presets_(new QComboBox), applyPreset_(new QPushButton(tr("Apply"))), rules_(new QListWidget),
      rulePattern_(new QLineEdit), ruleFormat_(new FormatComboBox),
      replaceRule_(new QPushButton(tr("Replace"))), removeRule_(new QPushButton(tr("Remove"))),
      totals_(new QLabel), problem_(new QLabel) {
    defaultFormat_->setObjectName(QStringLiteral("defaultFormat"));
    presets_->setObjectName(QStringLiteral("recipePreset"));
    applyPreset_->setObjectName(QStringLiteral("applyPreset"));
    rules_->setObjectName(QStringLiteral("recipeRules"));
    rulePattern_->setObjectName(QStringLiteral("rulePattern"));
    ruleFormat_->setObjectName(QStringLiteral("ruleFormat"));
    totals_->setObjectName(QStringLiteral("recipeTotals"));
    problem_->setObjectName(QStringLiteral("recipeProblem"));
    for (const std::string& name : recipePresetNames())
        presets_->addItem(QString::fromStdString(name));
    rulePattern_->setPlaceholderText(tr("Glob, e.g. blk.*.ffn_down.weight"));
    rules_->setMaximumHeight(fontMetrics().height() * 4 + 8);
    totals_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    problem_->setWordWrap(true);
    problem_->hide();
    auto* addRule = new QPushButton(tr("Add Rule"));
    addRule->setObjectName(QStringLiteral("addRule"));
    replaceRule_->setObjectName(QStringLiteral("replaceRule"));
    removeRule_->setObjectName(QStringLiteral("removeRule"));

    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Default:")));
    top->addWidget(defaultFormat_);
    top->addSpacing(12);
    top->addWidget(new QLabel(tr("Preset:")));
    top->addWidget(presets_);
    top->addWidget(applyPreset_);
    top->addSpacing(12);
    top->addWidget(totals_, 1);
    layout->addLayout(top, 0, 0, 1, 2);
    layout->addWidget(rules_, 1, 0, 2, 1);
    auto* ruleEditor = new QHBoxLayout;
    ruleEditor->addWidget(rulePattern_, 1);
    ruleEditor->addWidget(new QLabel(QStringLiteral("→")));
    ruleEditor->addWidget(ruleFormat_);
    layout->addLayout(ruleEditor, 1, 1);
    auto* ruleButtons = new QHBoxLayout;
    ruleButtons->addWidget(addRule);
    ruleButtons->addWidget(replaceRule_);
    ruleButtons->addWidget(removeRule_);
    ruleButtons->addStretch(1);
    layout->addLayout(ruleButtons, 2, 1);
    layout->addWidget(problem_, 3, 0, 1, 2);
    layout->setColumnStretch(0, 1);
    layout->setColumnStretch(1, 1);

    connect(defaultFormat_, &QComboBox::activated, this, [this] {
        attempt([this] { document_->setDefault(defaultFormat_->currentTarget().toStdString()); });
    });
    connect(applyPreset_, &QPushButton::clicked, this, &RecipeBar::applyPreset);
    connect(addRule, &QPushButton::clicked, this, &RecipeBar::addRule);
    connect(rulePattern_, &QLineEdit::returnPressed, this, &RecipeBar::addRule);
    connect(replaceRule_, &QPushButton::clicked, this, &RecipeBar::replaceRule);
    connect(removeRule_, &QPushButton::clicked, this, &RecipeBar::removeRule);
    connect(rules_, &QListWidget::currentRowChanged, this, &RecipeBar::showSelectedRule);
    connect(document_, &RecipeDocument::recipeChanged, this, &RecipeBar::showRecipe);
    showRecipe();
}

template <typename Edit> void RecipeBar::attempt(Edit&& edit) {
    try {
        edit();
        problem_->clear();
        problem_->hide();
    } catch (const Error& error) {
        problem_->setText(QString::fromUtf8(error.what()));
        problem_->show();
    }
}

void RecipeBar::showRecipe() {
    const Recipe& recipe = document_->recipe();
    defaultFormat_->setCurrentTarget(QString::fromStdString(recipe.defaultTarget()));
    const int selected = rules_->currentRow();
    rules_->clear();
    for (const RecipeRule& rule : recipe.rules())
        rules_->addItem(QStringLiteral("%1 '%2' → %3")
                            .arg(QString::fromLatin1(patternKindName(rule.pattern.kind())),
                                 QString::fromStdString(rule.pattern.text()),
                                 QString::fromStdString(rule.target)));
    if (selected >= 0 && selected < rules_->count())
        rules_->setCurrentRow(selected);
    showSelectedRule();
    applyPreset_->setEnabled(document_->checkpoint() != nullptr);

    if (!document_->checkpoint()) {
        totals_->setText(tr("No checkpoint open"));
        return;
    }
    const SizeTotals& totals = document_->totals();
    const QLocale locale;
    totals_->setText(tr("%1 → %2  ·  %3 bits/weight  ·  %4× smaller")
                         .arg(QString::fromStdString(byteSizeText(totals.bytesBefore)),
                              QString::fromStdString(byteSizeText(totals.bytesAfter)),
                              locale.toString(totals.bitsPerWeight(), 'f', 2),
                              locale.toString(totals.compressionRatio(), 'f', 2)));
    totals_->setToolTip(tr("%1 bytes → %2 bytes; quantized tensors: %3 bits/weight")
                            .arg(locale.toString(qulonglong(totals.bytesBefore)),
                                 locale.toString(qulonglong(totals.bytesAfter)),
                                 locale.toString(totals.quantizedBitsPerWeight(), 'f', 2)));
}

void RecipeBar::showSelectedRule() {
    const int row = rules_->currentRow();
    const auto& rules = document_->recipe().rules();
    const bool valid = row >= 0 && size_t(row) < rules.size();
    replaceRule_->setEnabled(valid);
    removeRule_->setEnabled(valid);
    if (!valid)
        return;
    rulePattern_->setText(QString::fromStdString(rules[size_t(row)].pattern.text()));
    ruleFormat_->setCurrentTarget(QString::fromStdString(rules[size_t(row)].target));
}

void RecipeBar::applyPreset() {
    attempt([this] { document_->applyPreset(presets_->currentText().toStdString()); });
}

void RecipeBar::addRule() {
    const QString pattern = rulePattern_->text().trimmed();
    if (pattern.isEmpty())
        return;
    attempt([&] {
        document_->addRule(PatternKind::Glob, pattern.toStdString(),
                           ruleFormat_->currentTarget().toStdString());
        rules_->setCurrentRow(rules_->count() - 1);
    });
}

// Keeps the rule's pattern kind (a regex rule loaded from a file stays a regex).
void RecipeBar::replaceRule() {
    const int row = rules_->currentRow();
    const auto& rules = document_->recipe().rules();
    if (row < 0 || size_t(row) >= rules.size())
        return;
    const PatternKind kind = rules[size_t(row)].pattern.kind();
    attempt([&] {
        document_->editRule(size_t(row), kind, rulePattern_->text().trimmed().toStdString(),
                            ruleFormat_->currentTarget().toStdString());
    });
}

void RecipeBar::removeRule() {
    const int row = rules_->currentRow();
    if (row < 0)
        return;
    attempt([&] { document_->removeRule(size_t(row)); });
}

} // namespace bitlens::app
