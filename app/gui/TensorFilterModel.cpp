// SPDX-License-Identifier: MIT
#include "gui/TensorFilterModel.h"

#include "gui/TensorTableModel.h"

#include <QRegularExpression>

namespace bitlens::app {

TensorFilterModel::TensorFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(TensorTableModel::SortRole);
    setFilterKeyColumn(TensorTableModel::NameColumn);
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

} // namespace bitlens::app
