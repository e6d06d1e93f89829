// SPDX-License-Identifier: MIT
#include "gui/TensorHistogramPanel.h"

#include "core/io/Checkpoint.h"
#include "core/metrics/Histogram.h"
#include "gui/HistogramView.h"

#include <QFutureWatcher>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <exception>
#include <vector>

namespace bitlens::app {
namespace {

struct Binned {
    HistogramSeries series;
    QString caption;
};

Binned binTensor(const Checkpoint& checkpoint, int tensorIndex) {
    const TensorInfo& tensor = checkpoint.tensors().at(size_t(tensorIndex));
    const QString name = QString::fromStdString(tensor.name);
    if (!dtypeConvertibleToFloat(tensor.dtype))
        return {{},
                QObject::tr("%1: stored as %2, which has no float view yet")
                    .arg(name, QString::fromUtf8(dtypeName(tensor.dtype).data(),
                                                 qsizetype(dtypeName(tensor.dtype).size())))};
    std::vector<float> values(tensor.elementCount());
    checkpoint.readFloats(size_t(tensorIndex), 0, values.size(), values.data());
    const Histogram histogram = histogramOf(values);
    Binned binned;
    const std::vector<double> edges = histogram.edges();
    binned.series.edges.assign(edges.begin(), edges.end());
    binned.series.counts.assign(histogram.counts().begin(), histogram.counts().end());
    const QLocale locale;
    binned.caption = QObject::tr("%1: %2 values in %3 bins")
                         .arg(name, locale.toString(qulonglong(values.size())),
                              locale.toString(qulonglong(histogram.counts().size())));
    const uint64_t notFinite = histogram.nanCount() + histogram.underflow() + histogram.overflow();
    if (notFinite > 0)
        binned.caption += QObject::tr("; %1 NaN/Inf values not shown")
                              .arg(locale.toString(qulonglong(notFinite)));
    return binned;
}

} // namespace

TensorHistogramPanel::TensorHistogramPanel(QWidget* parent)
    : QWidget(parent), view_(new HistogramView), caption_(new QLabel) {
    caption_->setObjectName(QStringLiteral("histogramCaption"));
    caption_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(caption_);
    layout->addWidget(view_, 1);
    clear();
}

QString TensorHistogramPanel::caption() const {
    return caption_->text();
}

void TensorHistogramPanel::clear() {
    ++generation_;
    view_->setOriginal({});
    caption_->setText(tr("Select a tensor to see its weight distribution."));
}

void TensorHistogramPanel::showTensor(std::shared_ptr<const Checkpoint> checkpoint,
                                      int tensorIndex) {
    const int generation = ++generation_;
    caption_->setText(tr("Reading the tensor…"));
    auto* watcher = new QFutureWatcher<Binned>(this);
    connect(watcher, &QFutureWatcher<Binned>::finished, this,
            [this, watcher, generation, tensorIndex] {
                watcher->deleteLater();
                if (generation != generation_)
                    return; // a newer request owns the view
                const Binned binned = watcher->result();
                view_->setOriginal(binned.series);
                view_->resetZoom();
                caption_->setText(binned.caption);
                emit tensorShown(tensorIndex);
            });
    watcher->setFuture(
        QtConcurrent::run([checkpoint = std::move(checkpoint), tensorIndex]() -> Binned {
            try {
                return binTensor(*checkpoint, tensorIndex);
            } catch (const std::exception& error) {
                return {{}, QString::fromUtf8(error.what())};
            }
        }));
}

} // namespace bitlens::app
