// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>
#include <memory>

class QLabel;

namespace bitlens {
class Checkpoint;
class HistogramView;
} // namespace bitlens

namespace bitlens::app {

// The weight distribution of the selected tensor. The values are read and binned on a worker
// thread (core's histogramOf: symmetric range, Freedman-Diaconis bins); a newer showTensor()
// replaces the result of an older one that is still running, so the window never waits.
class TensorHistogramPanel : public QWidget {
    Q_OBJECT
public:
    explicit TensorHistogramPanel(QWidget* parent = nullptr);

    void showTensor(std::shared_ptr<const Checkpoint> checkpoint, int tensorIndex);
    void clear();

    HistogramView* view() const { return view_; }
    QString caption() const;

signals:
    // The histogram (or the reason there is none) of this tensor is on screen.
    void tensorShown(int tensorIndex);

private:
    HistogramView* view_;
    QLabel* caption_;
    int generation_ = 0;
};

} // namespace bitlens::app
