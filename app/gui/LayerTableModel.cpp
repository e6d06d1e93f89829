// SPDX-License-Identifier: MIT
#include "gui/LayerTableModel.h"

#include "core/recipe/SizePlan.h"
#include "core/util/Error.h"
#include "core/util/HumanText.h"
#include "gui/RecipeDocument.h"

#include <QColor>
#include <QLocale>
#include <cmath>
#include <limits>

namespace bitlens::app {

namespace {

bool isNumberColumn(LayerTableModel::Column column) {
    switch (column) {
    case LayerTableModel::BlockColumn:
    case LayerTableModel::ParametersColumn:
    case LayerTableModel::BitsColumn:
    case LayerTableModel::SizeAfterColumn:
    case LayerTableModel::RelativeRmseColumn:
    case LayerTableModel::SqnrColumn:
    case LayerTableModel::CosineColumn:
        return true;
    default:
        return false;
    }
}

bool isMetricColumn(LayerTableModel::Column column) {
    return column >= LayerTableModel::RelativeRmseColumn && column <= LayerTableModel::CosineColumn;
}

double metricValue(const ErrorMetrics& metrics, LayerTableModel::Column column) {
    if (column == LayerTableModel::RelativeRmseColumn)
        return metrics.relativeRmse;
    return column == LayerTableModel::SqnrColumn ? metrics.sqnrDb : metrics.cosine;
}

QString metricText(double value, LayerTableModel::Column column) {
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("∞") : QStringLiteral("−∞");
    if (column == LayerTableModel::RelativeRmseColumn)
        return QLocale().toString(value, 'g', 4);
    return QLocale().toString(value, 'f', column == LayerTableModel::SqnrColumn ? 2 : 6);
}

QString fromStd(std::string_view text) {
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

} // namespace

LayerTableModel::LayerTableModel(RecipeDocument* document, QObject* parent)
    : QAbstractTableModel(parent), document_(document) {
    connect(document, &RecipeDocument::checkpointChanged, this,
            &LayerTableModel::resetToCheckpoint);
    connect(document, &RecipeDocument::recipeChanged, this, &LayerTableModel::showRecipe);
    resetToCheckpoint();
}

void LayerTableModel::resetToCheckpoint() {
    beginResetModel();
    checkpoint_ = document_->checkpoint();
    classes_.clear();
    metrics_.clear();
    if (checkpoint_) {
        for (const TensorInfo& tensor : checkpoint_->tensors())
            classes_.push_back(classifyTensor(tensor.name));
        metrics_.resize(classes_.size());
    }
    endResetModel();
}

void LayerTableModel::showRecipe() {
    if (rowCount() > 0)
        emit dataChanged(index(0, FormatColumn), index(rowCount() - 1, CosineColumn));
}

// Null while the document has moved on to a checkpoint this model has not reset to yet.
const TensorPlan* LayerTableModel::planOf(int row) const {
    const SizePlan& plan = document_->plan();
    if (document_->checkpoint() != checkpoint_ || size_t(row) >= plan.tensors.size())
        return nullptr;
    return &plan.tensors[size_t(row)];
}

const ErrorMetrics* LayerTableModel::metricsOf(int row) const {
    const TensorPlan* plan = planOf(row);
    if (!plan)
        return nullptr;
    const auto& byFormat = metrics_[size_t(row)];
    const auto found = byFormat.constFind(QString::fromStdString(plan->decision.target));
    return found == byFormat.constEnd() ? nullptr : &found.value();
}

int LayerTableModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() || !checkpoint_)
        return 0;
    return int(checkpoint_->tensors().size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags LayerTableModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags result = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == FormatColumn)
        result |= Qt::ItemIsEditable;
    return result;
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const auto column = Column(index.column());
    const TensorPlan* plan = planOf(row);
    switch (role) {
    case Qt::DisplayRole:
        return displayValue(row, column);
    case Qt::EditRole:
        return column == FormatColumn && plan
                   ? QVariant(QString::fromStdString(plan->decision.requested))
                   : displayValue(row, column);
    case SortRole:
        return sortValue(row, column);
    case Qt::ToolTipRole:
        return toolTip(row, column);
    case Qt::BackgroundRole:
        if (column == FormatColumn && plan && !plan->decision.fallback.empty())
            return QColor(255, 150, 0, 80); // readable under light and dark palettes
        return {};
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(isNumberColumn(column) ? Qt::AlignRight | Qt::AlignVCenter
                                                          : Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant LayerTableModel::displayValue(int row, Column column) const {
    const TensorInfo& tensor = checkpoint_->tensors()[size_t(row)];
    const TensorClass& kind = classes_[size_t(row)];
    const TensorPlan* plan = planOf(row);
    switch (column) {
    case NameColumn:
        return QString::fromStdString(tensor.name);
    case KindColumn:
        return fromStd(tensorKindName(kind.kind));
    case BlockColumn:
        return kind.block ? QString::number(*kind.block) : QString();
    case ShapeColumn:
        return QString::fromStdString(shapeText(tensor.shape));
    case ParametersColumn:
        return QLocale().toString(qulonglong(tensor.elementCount()));
    case DTypeColumn:
        return fromStd(dtypeName(tensor.dtype));
    case ColumnCount:
        return {};
    default:
        break;
    }
    if (!plan)
        return {};
    switch (column) {
    case FormatColumn:
        return plan->decision.fallback.empty()
                   ? QString::fromStdString(plan->decision.target)
                   : QStringLiteral("%1 → %2").arg(QString::fromStdString(plan->decision.requested),
                                                   QString::fromStdString(plan->decision.target));
    case BitsColumn:
        return QLocale().toString(plan->bitsPerWeight(), 'f', 2);
    case SizeAfterColumn:
        return QString::fromStdString(byteSizeText(plan->bytesAfter));
    default:
        break;
    }
    if (const ErrorMetrics* metrics = metricsOf(row))
        return metricText(metricValue(*metrics, column), column);
    return {};
}

// Numbers sort by value; rows without a metric sort below every value.
QVariant LayerTableModel::sortValue(int row, Column column) const {
    const TensorInfo& tensor = checkpoint_->tensors()[size_t(row)];
    const TensorClass& kind = classes_[size_t(row)];
    const TensorPlan* plan = planOf(row);
    switch (column) {
    case BlockColumn:
        return kind.block ? int(*kind.block) : -1;
    case ShapeColumn:
    case ParametersColumn:
        return qulonglong(tensor.elementCount());
    case BitsColumn:
        return plan ? plan->bitsPerWeight() : 0.0;
    case SizeAfterColumn:
        return qulonglong(plan ? plan->bytesAfter : 0);
    case RelativeRmseColumn:
    case SqnrColumn:
    case CosineColumn: {
        const ErrorMetrics* metrics = metricsOf(row);
        return metrics ? metricValue(*metrics, column) : std::numeric_limits<double>::lowest();
    }
    default:
        return displayValue(row, column);
    }
}

QVariant LayerTableModel::toolTip(int row, Column column) const {
    const TensorPlan* plan = planOf(row);
    if (!plan)
        return {};
    if (column == FormatColumn) {
        QString text = QString::fromStdString(plan->decision.why);
        if (!plan->decision.fallback.empty())
            text += QStringLiteral(": ") + QString::fromStdString(plan->decision.fallback);
        return text;
    }
    if (column == SizeAfterColumn)
        return tr("%1 bytes (stored: %2 bytes)")
            .arg(QLocale().toString(qulonglong(plan->bytesAfter)),
                 QLocale().toString(qulonglong(plan->bytesBefore)));
    return {};
}

bool LayerTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || index.column() != FormatColumn ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    return setFormats({index.row()}, value.toString());
}

bool LayerTableModel::setFormats(const QList<int>& rows, const QString& target) {
    std::vector<std::string> names;
    for (int row : rows) {
        if (row < 0 || row >= rowCount())
            return false;
        names.push_back(checkpoint_->tensors()[size_t(row)].name);
    }
    try {
        document_->setFormats(names, target.toStdString());
    } catch (const Error&) {
        return false;
    }
    return true;
}

void LayerTableModel::setMetrics(int tensorIndex, const QString& formatId,
                                 const bitlens::ErrorMetrics& metrics) {
    if (tensorIndex < 0 || size_t(tensorIndex) >= metrics_.size())
        return;
    metrics_[size_t(tensorIndex)].insert(formatId, metrics);
    emit dataChanged(index(tensorIndex, RelativeRmseColumn), index(tensorIndex, CosineColumn));
}

void LayerTableModel::clearMetrics() {
    for (auto& byFormat : metrics_)
        byFormat.clear();
    if (rowCount() > 0)
        emit dataChanged(index(0, RelativeRmseColumn), index(rowCount() - 1, CosineColumn));
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    const auto column = Column(section);
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(isNumberColumn(column) ? Qt::AlignRight | Qt::AlignVCenter
                                                          : Qt::AlignLeft | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && isMetricColumn(column))
        return tr("Shown once the tensor has been quantized in its current format");
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case NameColumn:
        return tr("Name");
    case KindColumn:
        return tr("Kind");
    case BlockColumn:
        return tr("Block");
    case ShapeColumn:
        return tr("Shape");
    case ParametersColumn:
        return tr("Parameters");
    case DTypeColumn:
        return tr("Type");
    case FormatColumn:
        return tr("Format");
    case BitsColumn:
        return tr("Bits/weight");
    case SizeAfterColumn:
        return tr("Size after");
    case RelativeRmseColumn:
        return tr("Rel. RMSE");
    case SqnrColumn:
        return tr("SQNR dB");
    case CosineColumn:
        return tr("Cosine");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace bitlens::app
