// SPDX-License-Identifier: MIT
#include "gui/FormatDelegate.h"

#include "gui/FormatComboBox.h"
#include "gui/LayerTableModel.h"

#include <QAbstractItemView>
#include <QAbstractProxyModel>
#include <QItemSelectionModel>
#include <QSet>
#include <algorithm>

namespace bitlens::app {

namespace {

// The LayerTableModel index behind `index`, through any chain of proxies; invalid if none.
QModelIndex layerIndex(QModelIndex index) {
    while (const auto* proxy = qobject_cast<const QAbstractProxyModel*>(index.model()))
        index = proxy->mapToSource(index);
    return qobject_cast<const LayerTableModel*>(index.model()) ? index : QModelIndex();
}

// The LayerTableModel under `model` and its proxies, or null.
LayerTableModel* layerModel(QAbstractItemModel* model) {
    while (auto* proxy = qobject_cast<QAbstractProxyModel*>(model))
        model = proxy->sourceModel();
    return qobject_cast<LayerTableModel*>(model);
}

} // namespace

FormatDelegate::FormatDelegate(QAbstractItemView* view) : QStyledItemDelegate(view), view_(view) {}

QWidget* FormatDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                                      const QModelIndex& index) const {
    (void)option, (void)index;
    auto* combo = new FormatComboBox(parent);
    connect(combo, &QComboBox::activated, this, &FormatDelegate::commitAndClose);
    return combo;
}

void FormatDelegate::commitAndClose() {
    auto* editor = qobject_cast<QWidget*>(sender());
    emit commitData(editor);
    emit closeEditor(editor);
}

void FormatDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
    static_cast<FormatComboBox*>(editor)->setCurrentTarget(index.data(Qt::EditRole).toString());
}

void FormatDelegate::setModelData(QWidget* editor, QAbstractItemModel* model,
                                  const QModelIndex& index) const {
    const QString target = static_cast<FormatComboBox*>(editor)->currentTarget();
    LayerTableModel* layers = layerModel(model);
    const QModelIndex edited = layerIndex(index);
    if (!layers || !edited.isValid()) {
        model->setData(index, target);
        return;
    }
    QSet<int> selected;
    for (const QModelIndex& cell : view_->selectionModel()->selectedIndexes())
        if (const QModelIndex source = layerIndex(cell); source.isValid())
            selected.insert(source.row());
    QList<int> rows{edited.row()};
    if (selected.contains(edited.row())) {
        rows = selected.values();
        std::sort(rows.begin(), rows.end());
    }
    layers->setFormats(rows, target);
}

} // namespace bitlens::app
