// SPDX-License-Identifier: MIT
#pragma once

#include <QSortFilterProxyModel>

namespace bitlens::app {

// Sorts a LayerTableModel by its SortRole and keeps the rows that pass every filter: name, kind
// and block number.
class TensorFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TensorFilterModel(QObject* parent = nullptr);

    // Case-insensitive, matched anywhere in the name. Text with * (any characters) or ? (one
    // character) is a wildcard pattern ("blk.*.attn_?.weight"); other text is a plain substring.
    // Empty text keeps every row.
    void setNameFilter(const QString& text);
    // A tensorKindName ("attention", "mlp", ...); empty keeps every kind.
    void setKindFilter(const QString& kind);
    // A block number; -1 keeps every row, blockless ones included.
    void setBlockFilter(int block);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString kind_;
    int block_ = -1;
};

} // namespace bitlens::app
