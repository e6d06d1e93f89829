// SPDX-License-Identifier: MIT
#include "gui/TensorFilterModel.h"

#include "gui/LayerTableModel.h"

#include <QRegularExpression>

namespace bitlens::app {

TensorFilterModel::TensorFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(LayerTableModel::SortRole);
    setFilterKeyColumn(LayerTableModel::NameColumn);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
}

// Qt's own wildcard conversion treats '/' as a path separator that '*' does not cross; tensor
// names such as "dense/kernel:0" need '*' to match any character.
void TensorFilterModel::setNameFilter(const QString& text) {
    if (!text.contains(QLatin1Char('*')) && !text.contains(QLatin1Char('?'))) {
        setFilterFixedString(text);
        return;
    }
    QString pattern;
    qsizetype literalBegin = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != QLatin1Char('*') && text[i] != QLatin1Char('?'))
            continue;
        pattern += QRegularExpression::escape(text.mid(literalBegin, i - literalBegin));
        if (i < text.size())
            pattern += text[i] == QLatin1Char('*') ? QStringLiteral(".*") : QStringLiteral(".");
        literalBegin = i + 1;
    }
    setFilterRegularExpression(
        QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption));
}

void TensorFilterModel::setKindFilter(const QString& kind) {
    kind_ = kind;
    invalidateFilter();
}

void TensorFilterModel::setBlockFilter(int block) {
    block_ = block;
    invalidateFilter();
}

bool TensorFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QAbstractItemModel* source = sourceModel();
    if (!kind_.isEmpty() &&
        source->index(sourceRow, LayerTableModel::KindColumn, sourceParent).data().toString() !=
            kind_)
        return false;
    if (block_ >= 0 && source->index(sourceRow, LayerTableModel::BlockColumn, sourceParent)
                               .data(LayerTableModel::SortRole)
                               .toInt() != block_)
        return false;
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

} // namespace bitlens::app
