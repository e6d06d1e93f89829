// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"
#include "core/metrics/ErrorMetrics.h"
#include "core/recipe/TensorKind.h"

#include <QAbstractTableModel>
#include <QHash>
#include <memory>
#include <vector>

namespace bitlens {
struct TensorPlan;
}

namespace bitlens::app {

class RecipeDocument;

// The layer table: one row per tensor of the recipe document's checkpoint, in file order, with
// what the recipe does to it. Qt::DisplayRole gives text for people; SortRole the raw value to
// sort and filter by (QString, qulonglong, int or double). The format column is editable:
// Qt::EditRole takes a format id or "keep" and sets an override through the document (one undo
// step). A row whose requested format cannot apply shows "requested → applied" on a marked
// background (Qt::BackgroundRole) with the reason as its tooltip.
class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        KindColumn,
        BlockColumn,
        ShapeColumn,
        ParametersColumn,
        DTypeColumn,
        FormatColumn,
        BitsColumn,
        SizeAfterColumn,
        RelativeRmseColumn,
        SqnrColumn,
        CosineColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit LayerTableModel(RecipeDocument* document, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Sets the format ("keep" or an id) of these rows as one undo step; false (nothing changed)
    // for an unknown id or a row out of range.
    bool setFormats(const QList<int>& rows, const QString& target);

    // Error metrics of tensor `tensorIndex` (a row) quantized as `formatId`. The metric columns
    // show them while the row's applied format is `formatId`, and are empty otherwise; metrics
    // of several formats are kept, so switching back shows them again. Out-of-range indices are
    // ignored. Opening another checkpoint clears them.
    void setMetrics(int tensorIndex, const QString& formatId, const bitlens::ErrorMetrics& metrics);
    void clearMetrics();

private:
    void resetToCheckpoint();
    void showRecipe();
    const TensorPlan* planOf(int row) const;
    const ErrorMetrics* metricsOf(int row) const;
    QVariant displayValue(int row, Column column) const;
    QVariant sortValue(int row, Column column) const;
    QVariant toolTip(int row, Column column) const;

    RecipeDocument* document_;
    std::shared_ptr<const Checkpoint> checkpoint_;
    std::vector<TensorClass> classes_;
    std::vector<QHash<QString, ErrorMetrics>> metrics_; // per row, by format id
};

} // namespace bitlens::app
