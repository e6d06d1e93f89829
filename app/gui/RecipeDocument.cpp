// SPDX-License-Identifier: MIT
#include "gui/RecipeDocument.h"

#include "core/recipe/RecipePresets.h"
#include "core/util/Error.h"
#include "gui/CheckpointDocument.h"

#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QUndoStack>
#include <QUrl>

namespace bitlens::app {

// One undo step: the recipe before and after.
class RecipeDocument::Change : public QUndoCommand {
public:
    Change(RecipeDocument* document, Recipe before, Recipe after, const QString& text)
        : QUndoCommand(text), document_(document), before_(std::move(before)),
          after_(std::move(after)) {}
    void undo() override { document_->replaceRecipe(before_); }
    void redo() override { document_->replaceRecipe(after_); }

private:
    RecipeDocument* document_;
    Recipe before_;
    Recipe after_;
};

namespace {

std::filesystem::path nativePath(const QString& path) {
    return std::filesystem::path(QFile::encodeName(path).toStdString());
}

QString quoted(const std::string& text) {
    return QStringLiteral("'%1'").arg(QString::fromStdString(text));
}

} // namespace

RecipeDocument::RecipeDocument(const CheckpointDocument* checkpoints, QObject* parent)
    : QObject(parent), checkpoints_(checkpoints), undoStack_(new QUndoStack(this)) {
    connect(checkpoints_, &CheckpointDocument::opened, this, &RecipeDocument::showCheckpoint);
    if (checkpoints_->checkpoint())
        showCheckpoint();
}

RecipeDocument::~RecipeDocument() = default;

QString RecipeDocument::settingsKey(const QString& path) {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    return QStringLiteral("recipes/") + QString::fromLatin1(QUrl::toPercentEncoding(absolute));
}

void RecipeDocument::showCheckpoint() {
    checkpoint_ = checkpoints_->checkpoint();
    path_ = QFileInfo(checkpoints_->path()).absoluteFilePath();
    undoStack_->clear();
    recipe_ = startRecipe_;
    const QString remembered = QSettings().value(settingsKey(path_)).toString();
    if (!remembered.isEmpty()) {
        // A remembered recipe that no longer parses (edited settings, a format since removed)
        // is dropped: the file opens with the default recipe.
        try {
            recipe_ = Recipe::fromJson(nlohmann::json::parse(remembered.toStdString()),
                                       nativePath(path_));
        } catch (const std::exception&) {
            recipe_ = startRecipe_;
        }
    }
    plan_ = planSizes(*checkpoint_, recipe_);
    emit checkpointChanged();
    emit recipeChanged();
}

void RecipeDocument::replaceRecipe(const Recipe& recipe) {
    recipe_ = recipe;
    plan_ = checkpoint_ ? planSizes(*checkpoint_, recipe_) : SizePlan{};
    if (checkpoint_)
        QSettings().setValue(settingsKey(path_), QString::fromStdString(recipe_.toJson().dump()));
    emit recipeChanged();
}

void RecipeDocument::push(Recipe next, const QString& text) {
    if (next.toJson() == recipe_.toJson())
        return;
    undoStack_->push(new Change(this, recipe_, std::move(next), text));
}

void RecipeDocument::setFormats(const std::vector<std::string>& tensorNames,
                                const std::string& target) {
    Recipe next = recipe_;
    for (const std::string& name : tensorNames)
        next.setOverride(name, target);
    const QString what = tensorNames.size() == 1 ? quoted(tensorNames.front())
                                                 : tr("%n tensors", "", int(tensorNames.size()));
    push(std::move(next), tr("Set %1 to %2").arg(what, QString::fromStdString(target)));
}

void RecipeDocument::setDefault(const std::string& target) {
    Recipe next = recipe_;
    next.setDefault(target);
    push(std::move(next), tr("Set default format to %1").arg(QString::fromStdString(target)));
}

void RecipeDocument::addRule(PatternKind kind, const std::string& pattern,
                             const std::string& target) {
    Recipe next = recipe_;
    next.addRule(kind, pattern, target);
    push(std::move(next),
         tr("Add rule %1 → %2").arg(quoted(pattern), QString::fromStdString(target)));
}

void RecipeDocument::editRule(size_t index, PatternKind kind, const std::string& pattern,
                              const std::string& target) {
    Recipe next = recipe_;
    next.setRule(index, kind, pattern, target);
    push(std::move(next), tr("Edit rule %1").arg(index + 1));
}

void RecipeDocument::removeRule(size_t index) {
    Recipe next = recipe_;
    next.removeRule(index);
    push(std::move(next), tr("Remove rule %1").arg(index + 1));
}

void RecipeDocument::applyPreset(const std::string& name) {
    if (!checkpoint_)
        throw Error("no checkpoint is open");
    push(makeRecipePreset(name, *checkpoint_),
         tr("Apply preset %1").arg(QString::fromStdString(name)));
}

QString RecipeDocument::load(const QString& path) {
    // The recipe belongs to the open checkpoint; opening one replaces it with that file's own.
    if (!checkpoint_)
        return tr("Open a checkpoint before loading a recipe.");
    try {
        push(Recipe::load(nativePath(path)), tr("Load recipe %1").arg(QFileInfo(path).fileName()));
    } catch (const std::exception& error) {
        return QString::fromUtf8(error.what());
    }
    return {};
}

QString RecipeDocument::save(const QString& path) const {
    try {
        recipe_.save(nativePath(path));
    } catch (const std::exception& error) {
        return QString::fromUtf8(error.what());
    }
    return {};
}

} // namespace bitlens::app
