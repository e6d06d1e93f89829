// SPDX-License-Identifier: MIT
#pragma once

#include <QSortFilterProxyModel>

namespace bitlens::app {

// Sorts a TensorTableModel by its SortRole and keeps the rows whose name matches a filter.
class TensorFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TensorFilterModel(QObject* parent = nullptr);

    // Case-insensitive, matched anywhere in the name. Text with * (any characters) or ? (one
    // character) is a wildcard pattern ("blk.*.attn_?.weight"); other text is a plain substring.
    // Empty text keeps every row.
    void setNameFilter(const QString& text);
};

} // namespace bitlens::app
