// SPDX-License-Identifier: MIT
#pragma once

#include <QComboBox>

namespace bitlens::app {

// Lists "keep" and every format id of the registry, grouped by family under a disabled heading
// ("Integer", "Normal float", ...). Each selectable item's Qt::UserRole is its target string.
class FormatComboBox : public QComboBox {
    Q_OBJECT
public:
    explicit FormatComboBox(QWidget* parent = nullptr);

    // The selected target: "keep" or a format id.
    QString currentTarget() const;
    // Selects `target`; false (selection unchanged) when it is not listed.
    bool setCurrentTarget(const QString& target);
};

} // namespace bitlens::app
