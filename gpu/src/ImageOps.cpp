// SPDX-License-Identifier: MIT
#include "ImageOps.h"

#include "core/util/Error.h"

namespace bitlens {
namespace {

constexpr uint64_t kThreads = 64; // local_size_x of conv2d.comp and pool.comp

struct WindowParameters {
    uint32_t images;
    uint32_t inHeight;
    uint32_t inWidth;
    uint32_t channels;
    uint32_t outHeight;
    uint32_t outWidth;
};

// The window walk as the shaders read it, after the plane fields.
struct WindowSteps {
    uint32_t windowHeight;
    uint32_t windowWidth;
    uint32_t strideY;
    uint32_t strideX;
    uint32_t padTop;
    uint32_t padLeft;
};

WindowSteps windowSteps(const Window2D& window, const WindowGeometry& geometry) {
    return {window.height,  window.width,    window.strideY,
            window.strideX, geometry.padTop, geometry.padLeft};
}

struct Conv2dParameters {
    WindowParameters planes;
    uint32_t filters;
    WindowSteps steps;
    uint32_t hasBias;
};

struct PoolParameters {
    WindowParameters planes;
    WindowSteps steps;
};

// The push-constant blocks of conv2d.comp and pool.comp: flat lists of uint fields.
static_assert(sizeof(Conv2dParameters) == 14 * sizeof(uint32_t));
static_assert(sizeof(PoolParameters) == 12 * sizeof(uint32_t));

// Checks the batch's input and output sizes against the buffers and 32-bit indices.
WindowParameters planeParameters(uint64_t images, ImageShape inShape,
                                 const WindowGeometry& geometry, uint64_t outChannels,
                                 const GpuBuffer& x, const GpuBuffer& y) {
    const uint64_t inCount = images * inShape.size();
    const uint64_t outCount =
        images * uint64_t(geometry.outHeight) * geometry.outWidth * outChannels;
    OpRecorder::requireFloats(x, inCount, "image operator input");
    OpRecorder::requireFloats(y, outCount, "image operator output");
    OpRecorder::index32(inCount, "image batch input size");
    OpRecorder::index32(outCount, "image batch output size");
    if (inShape.channels == 0 || outChannels == 0)
        throw Error("image operator with no channels");
    return {OpRecorder::index32(images, "image count"),
            OpRecorder::index32(inShape.height, "image height"),
            OpRecorder::index32(inShape.width, "image width"),
            OpRecorder::index32(inShape.channels, "image channels"),
            geometry.outHeight,
            geometry.outWidth};
}

} // namespace

void recordConv2d(OpRecorder& recorder, uint64_t images, ImageShape inShape, const Window2D& window,
                  const WindowGeometry& geometry, uint64_t filters, const GpuBuffer& x,
                  const GpuBuffer& kernel, const GpuBuffer* bias, const GpuBuffer& y) {
    const WindowParameters planes = planeParameters(images, inShape, geometry, filters, x, y);
    const uint64_t taps = uint64_t(window.height) * window.width * inShape.channels * filters;
    OpRecorder::requireFloats(kernel, taps, "conv2d kernel");
    OpRecorder::index32(taps, "conv2d kernel size");
    if (bias)
        OpRecorder::requireFloats(*bias, filters, "conv2d bias");
    const Conv2dParameters parameters{planes, uint32_t(filters), windowSteps(window, geometry),
                                      bias ? 1u : 0u};
    const uint64_t outCount = images * uint64_t(geometry.outHeight) * geometry.outWidth * filters;
    recorder.dispatch("conv2d", {&x, &kernel, bias ? bias : &kernel, &y}, parameters,
                      groupsFor(outCount, kThreads));
}

void recordPool2d(OpRecorder& recorder, PoolKind kind, uint64_t images, ImageShape inShape,
                  const Window2D& window, const WindowGeometry& geometry, const GpuBuffer& x,
                  const GpuBuffer& y) {
    const WindowParameters planes =
        planeParameters(images, inShape, geometry, inShape.channels, x, y);
    const PoolParameters parameters{planes, windowSteps(window, geometry)};
    const uint64_t outCount =
        images * uint64_t(geometry.outHeight) * geometry.outWidth * inShape.channels;
    recorder.dispatch(kind == PoolKind::Max ? "pool_max" : "pool_average", {&x, &y}, parameters,
                      groupsFor(outCount, kThreads));
}

void recordGlobalAveragePool2d(OpRecorder& recorder, uint64_t images, ImageShape inShape,
                               const GpuBuffer& x, const GpuBuffer& y) {
    // One window over the whole plane: the average of all its cells.
    const Window2D plane{OpRecorder::index32(inShape.height, "image height"),
                         OpRecorder::index32(inShape.width, "image width"), 1, 1, false};
    recordPool2d(recorder, PoolKind::Average, images, inShape, plane, WindowGeometry{1, 1, 0, 0}, x,
                 y);
}

} // namespace bitlens
