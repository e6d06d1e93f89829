// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QSpinBox;
class QToolButton;

namespace bitlens {

// "group N of M" with previous/next buttons. Shows 1-based numbers, speaks 0-based indices.
// Hidden while the count is 1 or less.
class IndexStepper : public QWidget {
    Q_OBJECT
public:
    // `noun` names what is stepped through: "group", "block".
    explicit IndexStepper(const QString& noun, QWidget* parent = nullptr);

    // Resets the current index to 0 when it is beyond the new count.
    void setCount(int count);
    int count() const { return count_; }
    // Clamped to 0 .. count - 1; does not emit indexRequested.
    void setCurrentIndex(int index);
    int currentIndex() const;

signals:
    // The user chose another index (spin box, buttons).
    void indexRequested(int index);

private:
    void updateButtons();

    QSpinBox* spin_;
    QToolButton* previous_;
    QToolButton* next_;
    int count_ = 0;
};

} // namespace bitlens
