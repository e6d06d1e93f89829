// SPDX-License-Identifier: MIT
#include "gui/BlockInspector.h"

#include "core/util/Error.h"
#include "gui/IndexStepper.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>
#include <string>

namespace bitlens {

namespace {

QTableWidgetItem* cell(const QString& text) {
    auto* item = new QTableWidgetItem(text);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    return item;
}

} // namespace

BlockInspector::BlockInspector(QWidget* parent)
    : QWidget(parent), scale_(new QLabel), stepper_(new IndexStepper(tr("block"))),
      table_(new QTableWidget(0, ColumnCount)) {
    table_->setHorizontalHeaderLabels(
        {tr("Index"), tr("Value"), tr("Code"), tr("Dequantized"), tr("Error")});
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    scale_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(stepper_);
    layout->addWidget(scale_);
    layout->addWidget(table_, 1);
    connect(stepper_, &IndexStepper::indexRequested, this, &BlockInspector::blockRequested);
}

void BlockInspector::setBlockCount(int count) {
    stepper_->setCount(count);
}

void BlockInspector::setCurrentBlock(int block) {
    stepper_->setCurrentIndex(block);
}

void BlockInspector::setBlock(const BlockInspection& block) {
    const size_t n = block.values.size();
    if (block.codes.size() != n || block.dequantized.size() != n)
        throw Error("block inspector: " + std::to_string(n) + " values, " +
                    std::to_string(block.codes.size()) + " codes and " +
                    std::to_string(block.dequantized.size()) + " dequantized values");
    scale_->setText(block.scaleText);
    table_->setRowCount(int(n));
    for (size_t i = 0; i < n; ++i) {
        const int row = int(i);
        const double error = double(block.dequantized[i]) - double(block.values[i]);
        table_->setItem(row, IndexColumn, cell(QString::number(i)));
        table_->setItem(row, ValueColumn, cell(QString::number(block.values[i], 'g', 7)));
        table_->setItem(row, CodeColumn, cell(QString::number(block.codes[i])));
        table_->setItem(row, DequantizedColumn,
                        cell(QString::number(block.dequantized[i], 'g', 7)));
        table_->setItem(row, ErrorColumn, cell(QString::number(error, 'g', 4)));
    }
}

} // namespace bitlens
