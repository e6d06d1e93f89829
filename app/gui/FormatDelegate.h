// SPDX-License-Identifier: MIT
#pragma once

#include <QStyledItemDelegate>

class QAbstractItemView;

namespace bitlens::app {

// Edits the format column of a LayerTableModel, shown directly or through proxy models, with a
// FormatComboBox. Choosing an item commits at once. When the edited row is one of several
// selected rows of `view`, every selected row gets the format as one undo step.
class FormatDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit FormatDelegate(QAbstractItemView* view);

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                          const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model,
                      const QModelIndex& index) const override;

private:
    void commitAndClose();

    QAbstractItemView* view_;
};

} // namespace bitlens::app
