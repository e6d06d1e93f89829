// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"

#include <QAbstractTableModel>
#include <memory>

namespace bitlens::app {

class CheckpointDocument;

// One row per tensor of the document's checkpoint, in file order. Qt::DisplayRole gives text for
// people; SortRole gives the raw value to sort by (QString or qulonglong). The model keeps the
// checkpoint it shows alive and resets whenever the document opens another.
class TensorTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // Columns in display order. New columns (format, bits/weight, size after, errors) are added
    // before ColumnCount with a header, alignment and values in TensorTableModel.cpp.
    enum Column {
        NameColumn,
        ShapeColumn,
        DTypeColumn,
        ParametersColumn,
        BytesColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit TensorTableModel(const CheckpointDocument* document, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void showCheckpoint(std::shared_ptr<const Checkpoint> checkpoint);
    QVariant displayValue(const TensorInfo& tensor, Column column) const;
    QVariant sortValue(const TensorInfo& tensor, Column column) const;

    std::shared_ptr<const Checkpoint> checkpoint_;
};

} // namespace bitlens::app
