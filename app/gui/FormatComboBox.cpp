// SPDX-License-Identifier: MIT
#include "gui/FormatComboBox.h"

#include "core/quant/FormatRegistry.h"
#include "core/recipe/Recipe.h"

#include <QStandardItemModel>
#include <optional>

namespace bitlens::app {

namespace {

QString familyHeading(FormatFamily family) {
    switch (family) {
    case FormatFamily::Integer:
        return QObject::tr("Integer");
    case FormatFamily::NormalFloat:
        return QObject::tr("Normal float / FP4");
    case FormatFamily::Float8:
        return QObject::tr("FP8");
    case FormatFamily::Microscaling:
        return QObject::tr("Microscaling");
    case FormatFamily::GgmlBlock:
        return QObject::tr("llama.cpp (ggml)");
    }
    return {};
}

} // namespace

FormatComboBox::FormatComboBox(QWidget* parent) : QComboBox(parent) {
    setMaxVisibleItems(24);
    addItem(QString::fromUtf8(kKeep.data(), qsizetype(kKeep.size())),
            QString::fromUtf8(kKeep.data(), qsizetype(kKeep.size())));
    auto* items = qobject_cast<QStandardItemModel*>(model());
    std::optional<FormatFamily> family;
    for (const std::string& id : listedFormatIds()) {
        const FormatFamily next = makeFormat(id)->family();
        if (next != family) {
            family = next;
            insertSeparator(count());
            addItem(familyHeading(next));
            items->item(count() - 1)->setEnabled(false);
        }
        const QString text = QString::fromStdString(id);
        addItem(text, text);
    }
}

QString FormatComboBox::currentTarget() const {
    return currentData().toString();
}

bool FormatComboBox::setCurrentTarget(const QString& target) {
    const int found = findData(target);
    if (found < 0)
        return false;
    setCurrentIndex(found);
    return true;
}

} // namespace bitlens::app
