// SPDX-License-Identifier: MIT
#include "gui/IndexStepper.h"

#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>
#include <algorithm>

namespace bitlens {

IndexStepper::IndexStepper(const QString& noun, QWidget* parent)
    : QWidget(parent), spin_(new QSpinBox(this)), previous_(new QToolButton(this)),
      next_(new QToolButton(this)) {
    previous_->setArrowType(Qt::LeftArrow);
    previous_->setToolTip(tr("Previous %1").arg(noun));
    next_->setArrowType(Qt::RightArrow);
    next_->setToolTip(tr("Next %1").arg(noun));
    spin_->setPrefix(noun + QLatin1Char(' '));
    spin_->setKeyboardTracking(false);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(previous_);
    layout->addWidget(spin_);
    layout->addWidget(next_);
    layout->addStretch();
    connect(spin_, &QSpinBox::valueChanged, this, [this](int value) {
        updateButtons();
        emit indexRequested(value - 1);
    });
    connect(previous_, &QToolButton::clicked, spin_, [this] { spin_->stepBy(-1); });
    connect(next_, &QToolButton::clicked, spin_, [this] { spin_->stepBy(1); });
    setCount(0);
}

void IndexStepper::setCount(int count) {
    count_ = std::max(count, 0);
    const QSignalBlocker blocker(spin_);
    spin_->setRange(1, std::max(count_, 1));
    spin_->setSuffix(tr(" of %1").arg(count_));
    setVisible(count_ > 1);
    updateButtons();
}

void IndexStepper::setCurrentIndex(int index) {
    const QSignalBlocker blocker(spin_);
    spin_->setValue(std::clamp(index, 0, std::max(count_ - 1, 0)) + 1);
    updateButtons();
}

int IndexStepper::currentIndex() const {
    return spin_->value() - 1;
}

void IndexStepper::updateButtons() {
    previous_->setEnabled(spin_->value() > 1);
    next_->setEnabled(spin_->value() < count_);
}

} // namespace bitlens
