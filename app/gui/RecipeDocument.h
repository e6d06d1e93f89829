// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"
#include "core/recipe/Recipe.h"
#include "core/recipe/SizePlan.h"

#include <QObject>
#include <QString>
#include <memory>
#include <string>
#include <vector>

class QUndoStack;

namespace bitlens::app {

class CheckpointDocument;

// The recipe of the open checkpoint, its size plan and its undo history. Every change is one
// undo step; invalid input (unknown format id, bad regex, rule index out of range) throws
// bitlens::Error before anything changes, and a change that leaves the recipe as it was is not
// recorded. The last recipe of each checkpoint file is kept in QSettings under its absolute path
// and restored when that file opens again.
class RecipeDocument : public QObject {
    Q_OBJECT
public:
    explicit RecipeDocument(const CheckpointDocument* checkpoints, QObject* parent = nullptr);
    ~RecipeDocument() override;

    const Recipe& recipe() const { return recipe_; }
    // The recipe a checkpoint without a remembered one opens with (default: keep everything).
    // Takes effect at the next opening.
    void setStartRecipe(const Recipe& recipe) { startRecipe_ = recipe; }
    // The plan of recipe() over every tensor of checkpoint(), in checkpoint order; empty before
    // a checkpoint is open.
    const SizePlan& plan() const { return plan_; }
    const SizeTotals& totals() const { return plan_.totals; }
    // The checkpoint plan() describes (null before one is open).
    std::shared_ptr<const Checkpoint> checkpoint() const { return checkpoint_; }
    QUndoStack* undoStack() const { return undoStack_; }

    // Overrides for the named tensors ("keep" or a format id), as one step.
    void setFormats(const std::vector<std::string>& tensorNames, const std::string& target);
    void setDefault(const std::string& target);
    void addRule(PatternKind kind, const std::string& pattern, const std::string& target);
    void editRule(size_t index, PatternKind kind, const std::string& pattern,
                  const std::string& target);
    void removeRule(size_t index);
    // Replaces the whole recipe with a preset for the open checkpoint (RecipePresets.h).
    void applyPreset(const std::string& name);
    // Both return an empty string on success, else one line naming the file and the problem;
    // a failed load leaves the recipe unchanged. Loading needs an open checkpoint.
    QString load(const QString& path);
    QString save(const QString& path) const;

    // The QSettings key that remembers the recipe of the checkpoint at `path`.
    static QString settingsKey(const QString& path);

signals:
    // After a checkpoint opened: checkpoint(), recipe() and plan() describe it. Models reset here.
    void checkpointChanged();
    // After every change of recipe(), undo and redo included, and after checkpointChanged.
    void recipeChanged();

private:
    class Change;
    void showCheckpoint();
    void push(Recipe next, const QString& text);
    void replaceRecipe(const Recipe& recipe);

    const CheckpointDocument* checkpoints_;
    std::shared_ptr<const Checkpoint> checkpoint_;
    QString path_; // absolute path of checkpoint_
    Recipe recipe_;
    Recipe startRecipe_;
    SizePlan plan_;
    QUndoStack* undoStack_;
};

} // namespace bitlens::app
