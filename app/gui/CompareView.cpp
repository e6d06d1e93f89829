// SPDX-License-Identifier: MIT
#include "gui/CompareView.h"

#include "core/util/Error.h"
#include "gui/ThemedPlot.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace bitlens {

namespace {

QTableWidgetItem* numberItem(const QString& text) {
    auto* item = new QTableWidgetItem(text);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    return item;
}

QString sqnrText(double decibels) {
    return std::isinf(decibels) ? CompareView::tr("exact") : QString::number(decibels, 'f', 2);
}

} // namespace

CompareView::CompareView(QWidget* parent)
    : QWidget(parent), title_(new QLabel), table_(new QTableWidget(0, ColumnCount)),
      plot_(new ThemedPlot) {
    table_->setHorizontalHeaderLabels({tr("Format"), tr("Bits/weight"), tr("Bytes"),
                                       tr("Rel. RMSE"), tr("SQNR (dB)"), tr("Cosine"),
                                       tr("Max |error|")});
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    plot_->xAxis->setLabel(tr("error (dequantized \u2212 original)"));
    plot_->yAxis->setLabel(tr("count"));
    plot_->legend->setVisible(true);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(table_);
    splitter->addWidget(plot_);
    splitter->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title_);
    layout->addWidget(splitter, 1);
}

void CompareView::setComparison(const QString& tensorName,
                                const std::vector<FormatComparison>& formats) {
    for (const FormatComparison& format : formats) {
        format.errorHistogram.validate();
        if (format.errorHistogram.edges != formats.front().errorHistogram.edges)
            throw Error("compare view: the error histograms of " +
                        formats.front().formatId.toStdString() + " and " +
                        format.formatId.toStdString() + " do not share their bins");
    }
    title_->setText(tensorName);
    table_->setRowCount(int(formats.size()));
    for (QCPGraph* graph : errorSteps_)
        plot_->removeGraph(graph);
    errorSteps_.clear();
    double top = 1;
    for (size_t i = 0; i < formats.size(); ++i) {
        const FormatComparison& format = formats[i];
        const ErrorMetrics& metrics = format.metrics;
        const int row = int(i);
        auto* name = new QTableWidgetItem(format.formatId);
        name->setData(Qt::DecorationRole, formatColor(format.formatId));
        name->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
        table_->setItem(row, FormatColumn, name);
        table_->setItem(row, BitsColumn, numberItem(QString::number(format.bitsPerWeight, 'f', 3)));
        table_->setItem(row, BytesColumn, numberItem(QString::number(format.packedBytes)));
        table_->setItem(row, RelativeRmseColumn,
                        numberItem(QString::number(metrics.relativeRmse, 'g', 4)));
        table_->setItem(row, SqnrColumn, numberItem(sqnrText(metrics.sqnrDb)));
        table_->setItem(row, CosineColumn, numberItem(QString::number(metrics.cosine, 'f', 6)));
        table_->setItem(row, MaxAbsColumn,
                        numberItem(QString::number(metrics.maxAbsError, 'g', 4)));

        QCPGraph* graph = plot_->addGraph();
        graph->setName(format.formatId);
        graph->setPen(QPen(formatColor(format.formatId), 1.8));
        plotSteps(*graph, format.errorHistogram, 0);
        errorSteps_.push_back(graph);
        for (double count : format.errorHistogram.counts)
            top = std::max(top, count);
    }
    if (!formats.empty() && !formats.front().errorHistogram.empty()) {
        const auto& edges = formats.front().errorHistogram.edges;
        plot_->xAxis->setRange(edges.front(), edges.back());
    }
    plot_->yAxis->setRange(0, top * 1.05);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace bitlens
