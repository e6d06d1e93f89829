// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QString>
#include <QWidget>
#include <vector>

class QComboBox;
class QCPAbstractPlottable;
class QCPBars;
class QCPItemRect;
class QMouseEvent;

namespace bitlens {

class ThemedPlot;

// One quantized tensor as the layer chart shows it.
struct LayerChartEntry {
    QString name;
    QString formatId;
    double relativeRmse = 0;
    double sqnrDb = 0;
    double bitsPerWeight = 0;
};

enum class LayerMetric { RelativeRmse, SqnrDb, BitsPerWeight };

// One bar per tensor in model order (x = tensor index) showing the chosen metric, coloured by
// format (formatColor, one legend entry per format). Clicking a bar emits tensorClicked; the
// selected tensor is highlighted by a band behind its bar. Non-finite values (SQNR of an exact
// tensor) get no bar.
class LayerChart : public QWidget {
    Q_OBJECT
public:
    explicit LayerChart(QWidget* parent = nullptr);

    void setEntries(const std::vector<LayerChartEntry>& entries);
    void setMetric(LayerMetric metric);
    LayerMetric metric() const { return metric_; }
    // -1 for none; an index beyond the entries selects none.
    void setSelectedTensor(int index);
    int selectedTensor() const { return selected_; }

    // One QCPBars per format in order of first appearance; keys are tensor indices.
    const QList<QCPBars*>& formatBars() const { return formatBars_; }
    QCPItemRect* selectionBand() const { return selectionBand_; }
    ThemedPlot* plot() const { return plot_; }

signals:
    void tensorClicked(int index);

private:
    void onPlottableClick(QCPAbstractPlottable* plottable, int dataIndex, QMouseEvent* event);
    void rebuildBars();

    ThemedPlot* plot_;
    QComboBox* metricChoice_;
    QCPItemRect* selectionBand_;
    QList<QCPBars*> formatBars_;
    std::vector<LayerChartEntry> entries_;
    LayerMetric metric_ = LayerMetric::RelativeRmse;
    int selected_ = -1;
};

} // namespace bitlens
