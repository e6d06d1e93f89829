// SPDX-License-Identifier: MIT
#include "gui/TensorTableModel.h"

#include "core/util/HumanText.h"
#include "gui/CheckpointDocument.h"

#include <QLocale>

namespace bitlens::app {

namespace {

bool isNumberColumn(TensorTableModel::Column column) {
    return column == TensorTableModel::ParametersColumn || column == TensorTableModel::BytesColumn;
}

} // namespace

TensorTableModel::TensorTableModel(const CheckpointDocument* document, QObject* parent)
    : QAbstractTableModel(parent) {
    connect(document, &CheckpointDocument::opened, this,
            [this, document] { showCheckpoint(document->checkpoint()); });
    showCheckpoint(document->checkpoint());
}

void TensorTableModel::showCheckpoint(std::shared_ptr<const Checkpoint> checkpoint) {
    beginResetModel();
    checkpoint_ = std::move(checkpoint);
    endResetModel();
}

int TensorTableModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() || !checkpoint_)
        return 0;
    return int(checkpoint_->tensors().size());
}

int TensorTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TensorTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TensorInfo& tensor = checkpoint_->tensors()[size_t(index.row())];
    const auto column = Column(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return displayValue(tensor, column);
    case SortRole:
        return sortValue(tensor, column);
    case Qt::ToolTipRole:
        return column == BytesColumn
                   ? QVariant(QLocale().toString(qulonglong(tensor.byteSize)) + tr(" bytes"))
                   : QVariant();
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(isNumberColumn(column) ? Qt::AlignRight | Qt::AlignVCenter
                                                          : Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant TensorTableModel::displayValue(const TensorInfo& tensor, Column column) const {
    switch (column) {
    case NameColumn:
        return QString::fromStdString(tensor.name);
    case ShapeColumn:
        return QString::fromStdString(shapeText(tensor.shape));
    case DTypeColumn:
        return QString::fromUtf8(dtypeName(tensor.dtype).data(),
                                 qsizetype(dtypeName(tensor.dtype).size()));
    case ParametersColumn:
        return QLocale().toString(qulonglong(tensor.elementCount()));
    case BytesColumn:
        return QString::fromStdString(byteSizeText(tensor.byteSize));
    case ColumnCount:
        break;
    }
    return {};
}

// Shapes sort by their element count; text columns by their text.
QVariant TensorTableModel::sortValue(const TensorInfo& tensor, Column column) const {
    switch (column) {
    case NameColumn:
    case DTypeColumn:
        return displayValue(tensor, column);
    case ShapeColumn:
    case ParametersColumn:
        return qulonglong(tensor.elementCount());
    case BytesColumn:
        return qulonglong(tensor.byteSize);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant TensorTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    const auto column = Column(section);
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(isNumberColumn(column) ? Qt::AlignRight | Qt::AlignVCenter
                                                          : Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case NameColumn:
        return tr("Name");
    case ShapeColumn:
        return tr("Shape");
    case DTypeColumn:
        return tr("Type");
    case ParametersColumn:
        return tr("Parameters");
    case BytesColumn:
        return tr("Size");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace bitlens::app
