// SPDX-License-Identifier: MIT
// Every format with a Vulkan kernel against its CPU reference: packed bytes byte for byte,
// dequantized values bit for bit, metrics within 1e-6 relative.
#include "CommandSlot.h"
#include "ComputeSession.h"
#include "ElementwiseOps.h"
#include "FormatKernel.h"
#include "GpuBuffer.h"
#include "KernelLibrary.h"
#include "PreferredBackend.h"
#include "VulkanBackend.h"
#include "common/TestData.h"
#include "core/metrics/ErrorMetrics.h"
#include "core/quant/FormatRegistry.h"
#include "core/tensor/FloatBits.h"
#include "core/util/Error.h"

#include <QFile>
#include <QTest>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <xmmintrin.h>

using namespace bitlens;

namespace {

struct Tensor {
    MatrixShape shape;
    std::vector<float> values;
};

Tensor normal(uint64_t rows, uint64_t rowLength, uint32_t seed, float sigma) {
    std::mt19937 random(seed);
    std::normal_distribution<float> distribution(0.0f, sigma);
    Tensor tensor{{rows, rowLength}, std::vector<float>(rows * rowLength)};
    for (float& value : tensor.values)
        value = distribution(random);
    return tensor;
}

Tensor withOutliers() {
    Tensor tensor = normal(33, 512, 2, 0.02f);
    for (size_t i = 0; i < tensor.values.size(); i += 97)
        tensor.values[i] *= (i % 2 ? 60.0f : -45.0f);
    return tensor;
}

// Zero groups and rows, single non-zero values, negative-only and positive-only groups.
Tensor withZeroGroups() {
    Tensor tensor = normal(9, 256, 3, 0.5f);
    std::fill_n(tensor.values.begin(), 256, 0.0f);      // a zero row
    std::fill_n(tensor.values.begin() + 256, 64, 0.0f); // zero groups
    tensor.values[256 + 64 + 5] = 0.0f;
    std::fill_n(tensor.values.begin() + 512, 32, -0.0f);
    for (size_t i = 768; i < 1024; ++i)
        tensor.values[i] = -std::abs(tensor.values[i]);
    for (size_t i = 1024; i < 1280; ++i)
        tensor.values[i] = std::abs(tensor.values[i]);
    std::fill_n(tensor.values.begin() + 1280, 256, 0.0f);
    tensor.values[1280 + 77] = 1.0f; // one value in a zero row
    return tensor;
}

// Values on the rounding boundaries of the integer and ggml grids: every 32 values share a range
// whose scale is exactly 1/8 for one of the codes' ranges, and lie on multiples of 1/16.
Tensor withTies() {
    const int spans[] = {1, 3, 7, 15, 31, 63, 127, 255, 8, 16};
    std::mt19937 random(4);
    Tensor tensor{{15, 256}, std::vector<float>(15 * 256)};
    for (size_t block = 0; block < tensor.values.size() / 32; ++block) {
        const int span = spans[block % std::size(spans)];
        const int below = int(random() % uint32_t(span + 1));
        const float lo = -0.125f * float(below);
        const float hi = 0.125f * float(span - below);
        float* values = tensor.values.data() + block * 32;
        for (int j = 0; j < 32; ++j)
            values[j] = lo + 0.0625f * float(random() % uint32_t(2 * span + 1));
        values[3] = lo;
        values[17] = hi;
        if (block % 3 == 0)
            values[9] = -0.125f * float(span); // a symmetric range of the same span
    }
    return tensor;
}

// Magnitudes from 1e-7 to 1e3 in one tensor: fp16 scales that are subnormal, and large ones.
Tensor wideRange() {
    std::mt19937 random(5);
    std::uniform_real_distribution<float> exponent(-7.0f, 3.0f);
    Tensor tensor{{7, 512}, std::vector<float>(7 * 512)};
    for (size_t i = 0; i < tensor.values.size(); ++i) {
        const float magnitude = std::pow(10.0f, (i / 32) % 2 ? exponent(random) : -6.5f);
        tensor.values[i] = random() % 2 ? magnitude : -magnitude;
    }
    return tensor;
}

Tensor namedTensor(const QString& name) {
    if (name == "normal")
        return normal(67, 256, 1, 0.02f);
    if (name == "outliers")
        return withOutliers();
    if (name == "zero groups")
        return withZeroGroups();
    if (name == "ties")
        return withTies();
    if (name == "wide range")
        return wideRange();
    if (name == "single row")
        return normal(1, 4096, 6, 1.0f);
    if (name == "tiny")
        return normal(6, 512, 12, 1e-12f);
    // Values whose Q3_K and Q6_K scale searches compare subnormal products.
    if (name == "small")
        return normal(6, 512, 12, 1e-7f);
    // The smallest values for which a device that flushes float subnormals still matches the CPU
    // in every format (near 1e-16 the error sums and the fp32-scale MSE searches part).
    if (name == "smallest matched")
        return normal(6, 512, 12, 1e-15f);
    // 21 rows of 24 blocks of 64 over 11 chunks of 16 KiB: double-quantization chunks of 256
    // blocks and running sums that cross both rows and chunks.
    if (name == "many chunks")
        return normal(21, 1536, 11, 0.3f);
    if (name == "long rows") // 32 KiB rows: one chunk each
        return normal(5, 8192, 12, 0.3f);
    // Rows that are no multiple of 8 values (per-channel and per-tensor formats): units start
    // inside octets and words, and kernels take their per-value paths.
    if (name == "odd rows")
        return normal(7, 1003, 21, 0.3f);
    throw Error("unknown test tensor " + name.toStdString());
}

// `cpuPaths`: the "_f64" kernels (lavapipe has shaderFloat64 and RoundingModeRTE for float32)
// reading their input through uniform windows where they have them, and reading and writing
// host memory in place, as on lavapipe; otherwise the float-only kernels that devices without
// exact double division run, reading their input from storage buffers, with data moved by
// transfers between host memory and device-local buffers, as on a discrete GPU. The switches
// change separate code (the divisions, the input loads, the data movement), so the two backends
// cover each path of each.
VulkanBackendOptions testOptions(bool cpuPaths) {
    VulkanBackendOptions options;
    options.context.validation = true;
    options.context.float64 = cpuPaths;
    options.context.uniformInput = cpuPaths;
    options.context.stagedTransfers = !cpuPaths;
    options.chunkBytes = 16 << 10; // many small chunks: both slots and the row split are used
    return options;
}

VulkanBackend& backend() {
    static VulkanBackend instance(testOptions(true));
    return instance;
}

VulkanBackend& floatOnlyBackend() {
    static VulkanBackend instance(testOptions(false));
    return instance;
}

// Calls `create` with float subnormals flushed to zero (MXCSR FTZ and DAZ) in this thread, and
// returns what it made. lavapipe's worker threads, started with the device, inherit the creating
// thread's floating-point environment, and llvmpipe's x86 code obeys it: so that device's kernels
// flush subnormals like a GPU whose float32 arithmetic does (an NVIDIA H200: no
// shaderDenormPreserveFloat32), doubles included, which the quantizers never meet there. On a
// GPU it changes nothing.
template <typename Create> auto createFlushingSubnormals(Create create) {
    constexpr unsigned kFlushToZero = 0x8000;
    constexpr unsigned kDenormalsAreZero = 0x0040;
    const unsigned saved = _mm_getcsr();
    _mm_setcsr(saved | kFlushToZero | kDenormalsAreZero);
    auto made = create();
    _mm_setcsr(saved);
    return made;
}

// The "_f64_held" kernels (which the H200 would run) with storage-buffer input, as on a GPU,
// flushing float subnormals, with data copied through host staging buffers (no host memory
// imported).
VulkanBackend& flushingBackend() {
    static const std::unique_ptr<VulkanBackend> instance = createFlushingSubnormals([] {
        VulkanBackendOptions options = testOptions(true);
        options.context.uniformInput = false;
        options.context.heldSubnormals = true;
        options.context.stagedTransfers = true;
        options.context.hostImport = false;
        return std::make_unique<VulkanBackend>(options);
    });
    return *instance;
}

// The "_f64" kernels with storage-buffer input, as a GPU that keeps float subnormals runs them,
// with or without the "_lanes" variants (BITLENS_LANE_KERNELS=0 keeps the one-invocation kernels
// on a GPU).
VulkanBackend& storageInputBackend(bool lanes) {
    const auto create = [](bool laneKernels) {
        VulkanBackendOptions options = testOptions(true);
        options.context.uniformInput = false;
        options.context.heldSubnormals = false;
        options.context.laneKernels = laneKernels;
        return std::make_unique<VulkanBackend>(options);
    };
    static const std::unique_ptr<VulkanBackend> withLanes = create(true);
    static const std::unique_ptr<VulkanBackend> withoutLanes = create(false);
    return lanes ? *withLanes : *withoutLanes;
}

// Quotients whose rounding is delicate, and random ones over the whole float range.
void divisionCases(std::vector<float>& numerators, std::vector<float>& denominators) {
    const auto add = [&](float x, float y) {
        numerators.push_back(x);
        denominators.push_back(y);
    };
    const float specials[] = {0.0f,
                              -0.0f,
                              1.0f,
                              -3.0f,
                              std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity(),
                              std::numeric_limits<float>::quiet_NaN(),
                              std::numeric_limits<float>::denorm_min(),
                              std::numeric_limits<float>::min(),
                              std::numeric_limits<float>::max()};
    for (float x : specials)
        for (float y : specials)
            add(x, y);
    // Subnormal quotients exactly on a midpoint (2k + 1) * 2^-150: ties go to the even one.
    for (int k = 0; k < 2000; ++k)
        add(float(2 * k + 1) * 0x1p-60f, k % 2 ? 0x1p90f : -0x1p90f);
    // Around the overflow threshold FLT_MAX + 2^103 and the smallest normal.
    for (int step = 0; step < 64; ++step) {
        const float nearOne = std::bit_cast<float>(0x3f800000u - 32u + uint32_t(step));
        add(std::numeric_limits<float>::max(), nearOne);
        add(0x1.fffffep127f, nearOne * 1.0000001f);
        add(std::numeric_limits<float>::min(), nearOne);
        add(std::bit_cast<float>(0x00800000u + uint32_t(step)), 2.0f * nearOne);
    }
    // Random finite operands: all exponents, then the magnitudes quantizers divide.
    std::mt19937 random(21);
    while (numerators.size() < 150000) {
        const float x = std::bit_cast<float>(uint32_t(random()));
        const float y = std::bit_cast<float>(uint32_t(random()));
        if (std::isfinite(x) && std::isfinite(y))
            add(x, y);
    }
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> scale(1e-6f, 1.0f);
    while (numerators.size() < 300000)
        add(normal(random), scale(random) / 7.0f);
}

// Radicands for exactSqrt: zeros, infinity, NaN, the subnormals' powers of two and their
// neighbours, perfect squares, every exponent, and random positive floats.
std::vector<float> squareRootCases() {
    std::vector<float> radicands = {0.0f,
                                    -0.0f,
                                    1.0f,
                                    2.0f,
                                    4.0f,
                                    std::numeric_limits<float>::infinity(),
                                    std::numeric_limits<float>::quiet_NaN(),
                                    std::numeric_limits<float>::denorm_min(),
                                    std::numeric_limits<float>::min(),
                                    std::numeric_limits<float>::max()};
    for (uint32_t bit = 0; bit < 23; ++bit)
        for (uint32_t bits : {1u << bit, (1u << bit) - 1u, (1u << bit) + 1u, 0x007fffffu >> bit})
            radicands.push_back(std::bit_cast<float>(bits));
    for (uint32_t root = 1; root < 5000; ++root)
        radicands.push_back(float(root) * float(root));
    for (uint32_t exponent = 0; exponent < 255; ++exponent)
        for (uint32_t mantissa : {0u, 1u, 0x400000u, 0x7fffffu, 0x2a5f13u})
            radicands.push_back(std::bit_cast<float>(exponent << 23 | mantissa));
    std::mt19937 random(23);
    while (radicands.size() < 200000) {
        const float x = std::bit_cast<float>(uint32_t(random()) & 0x7fffffffu);
        if (std::isfinite(x))
            radicands.push_back(x);
    }
    return radicands;
}

constexpr uint32_t kExactDivide = 0;
constexpr uint32_t kExactSqrt = 1;

struct ExactMathRun {
    std::vector<float> results;
    bool float64 = false;        // the variant that ran: "_f64",
    bool heldSubnormals = false; // and "_f64_held"
    uint64_t validationMessages = 0;
};

// results[i] of exact_math.comp's `operation` on a[i] (and b[i]), in the variant with doubles
// or the float-only one, on a validated context of its own, flushing subnormals or not.
ExactMathRun exactMathOnDevice(bool float64, bool flushSubnormals, uint32_t operation,
                               const std::vector<float>& a, const std::vector<float>& b) {
    VulkanContextOptions options;
    options.validation = true;
    options.float64 = float64;
    options.heldSubnormals = flushSubnormals; // the kernels a flushing device runs
    ComputeSession session(
        flushSubnormals ? createFlushingSubnormals([&] { return VulkanContext::create(options); })
                        : VulkanContext::create(options));
    const uint32_t count = uint32_t(a.size());
    const GpuBuffer first = session.upload(a);
    const GpuBuffer second = session.upload(b);
    const GpuBuffer results = session.deviceBuffer(count);
    const struct {
        uint32_t count;
        uint32_t operation;
    } parameters{count, operation};
    session.run([&](OpRecorder& recorder) {
        recorder.dispatch("exact_math", {&results, &first, &second}, parameters,
                          groupsFor(count, 256));
    });
    return {session.download(results, count), session.context()->float64(),
            session.context()->heldSubnormals(),
            session.context()->instance().validationMessages()};
}

// The run took the variant asked for and gave no validation messages.
bool ranAsAsked(const ExactMathRun& run, bool float64, bool flushSubnormals) {
    return run.float64 == float64 && run.heldSubnormals == flushSubnormals &&
           run.validationMessages == 0;
}

// The same float bit for bit, or both NaN.
bool sameResult(float gpu, float cpu) {
    return std::isnan(cpu) ? std::isnan(gpu)
                           : std::bit_cast<uint32_t>(cpu) == std::bit_cast<uint32_t>(gpu);
}

QString hexBits(float value) {
    return QString("%1").arg(std::bit_cast<uint32_t>(value), 8, 16, QChar('0'));
}

// Test rows for the variant with doubles, with and without subnormals flushed, and the float-only
// one (for devices without doubles, which keep subnormals as far as this project has seen).
void exactMathVariants() {
    QTest::addColumn<bool>("float64");
    QTest::addColumn<bool>("flushSubnormals");
    QTest::newRow("doubles") << true << false;
    QTest::newRow("doubles, subnormals flushed") << true << true;
    QTest::newRow("floats only") << false << false;
}

void compareRelative(double actual, double expected, const char* what) {
    if (std::isinf(expected) && actual == expected)
        return;
    const double scale = std::max(std::abs(expected), 1e-300);
    QVERIFY2(std::abs(actual - expected) <= 1e-6 * scale,
             qPrintable(QString("%1: gpu %2, cpu %3")
                            .arg(what)
                            .arg(actual, 0, 'g', 17)
                            .arg(expected, 0, 'g', 17)));
}

// Compares a GPU result with the CPU reference on the same float values.
void compareWithReference(const Format& format, const Tensor& tensor, const QuantizedTensor& gpu) {
    std::vector<std::byte> packed(format.packedBytes(tensor.shape));
    format.quantize(tensor.values, tensor.shape, packed);
    std::vector<float> dequantized(tensor.shape.elements());
    format.dequantize(packed, tensor.shape, dequantized);
    ErrorAccumulator accumulator;
    accumulator.add(tensor.values, dequantized);
    const ErrorMetrics cpu = accumulator.finish();

    QCOMPARE(gpu.formatId, format.id());
    QCOMPARE(gpu.packed.size(), packed.size());
    const auto mismatch = std::mismatch(packed.begin(), packed.end(), gpu.packed.begin());
    if (mismatch.first != packed.end())
        QFAIL(qPrintable(QString("packed byte %1: gpu 0x%2, cpu 0x%3")
                             .arg(mismatch.first - packed.begin())
                             .arg(uint8_t(*mismatch.second), 2, 16, QChar('0'))
                             .arg(uint8_t(*mismatch.first), 2, 16, QChar('0'))));
    QCOMPARE(gpu.dequantized.size(), dequantized.size());
    for (size_t i = 0; i < dequantized.size(); ++i)
        if (std::bit_cast<uint32_t>(gpu.dequantized[i]) != std::bit_cast<uint32_t>(dequantized[i]))
            QFAIL(qPrintable(QString("dequantized value %1: gpu %2, cpu %3")
                                 .arg(i)
                                 .arg(gpu.dequantized[i], 0, 'g', 9)
                                 .arg(dequantized[i], 0, 'g', 9)));
    QCOMPARE(gpu.metrics.count, cpu.count);
    compareRelative(gpu.metrics.mse, cpu.mse, "mse");
    compareRelative(gpu.metrics.relativeRmse, cpu.relativeRmse, "relativeRmse");
    compareRelative(gpu.metrics.maxAbsError, cpu.maxAbsError, "maxAbsError");
    compareRelative(gpu.metrics.sqnrDb, cpu.sqnrDb, "sqnrDb");
    compareRelative(gpu.metrics.cosine, cpu.cosine, "cosine");
}

const char* const kTensors[] = {"normal",     "outliers", "zero groups", "ties",      "wide range",
                                "single row", "tiny",     "many chunks", "long rows", "odd rows"};
// Every id runs on these; the ids of kEveryTensor on all of kTensors (the full table of about
// 200 ids times 8 tensors outlasts the test timeout on a loaded machine).
const char* const kSomeTensors[] = {"normal", "ties"};
// Also the parametric ids `formats` does not list (fp32 scales).
const char* const kEveryTensor[] = {"q8_0",
                                    "q4_0",
                                    "q4_1",
                                    "q5_0",
                                    "q5_1",
                                    "int8-g128-sym",
                                    "int8-ch-asym",
                                    "int4-g32-sym",
                                    "int4-g128-asym",
                                    "int4-ch-sym",
                                    "int3-g64-asym",
                                    "int2-g32-sym",
                                    "int5-g32-asym",
                                    "int6-ch-sym",
                                    "int7-g64-sym",
                                    "int4-g32-sym-fp32",
                                    "int3-ch-asym-fp32",
                                    "int4-g128-sym-mse",
                                    "int2-g64-asym-mse",
                                    "int4-ch-sym-mse",
                                    "int8-ch-asym-mse",
                                    "int8-tensor-sym",
                                    "int4-tensor-asym",
                                    "int3-tensor-asym-fp32",
                                    "int4-tensor-sym-mse",
                                    "int2-tensor-asym-mse",
                                    "int6-tensor-asym-fp32-mse",
                                    "int5-g64-sym-fp32-mse",
                                    "mxfp8-e4m3",
                                    "mxfp8-e5m2",
                                    "mxfp6-e2m3",
                                    "mxfp6-e3m2",
                                    "mxfp4",
                                    "mxint8",
                                    "fp8-e4m3",
                                    "fp8-e5m2",
                                    "fp8-e4m3-ch",
                                    "fp8-e5m2-ch",
                                    "nvfp4",
                                    "nf4",
                                    "nf4-dq",
                                    "fp4",
                                    "fp4-dq",
                                    "q2_k",
                                    "q3_k",
                                    "q4_k",
                                    "q5_k",
                                    "q6_k",
                                    "iq4_nl",
                                    "ggml-mxfp4"};

bool runsOnEveryTensor(const std::string& id) {
    return std::find(std::begin(kEveryTensor), std::end(kEveryTensor), id) !=
           std::end(kEveryTensor);
}

// Test rows (formatId, tensorName): every id of kEveryTensor on each of `tensors` whose rows it
// can quantize.
void everyTensorFormatOn(std::initializer_list<const char*> tensors) {
    QTest::addColumn<QString>("formatId");
    QTest::addColumn<QString>("tensorName");
    for (const char* id : kEveryTensor)
        for (const char* tensor : tensors)
            if (makeFormat(id)->unsupportedReason(namedTensor(tensor).shape.rowLength).empty())
                QTest::addRow("%s %s", id, tensor) << QString(id) << tensor;
}

// The named tensor quantized on `vulkan` against the CPU reference, without validation messages,
// by the format's "_lanes" kernel exactly where the context runs those and the format has one.
void matchesReferenceOn(VulkanBackend& vulkan, const QString& formatId, const QString& tensorName) {
    const auto format = makeFormat(formatId.toStdString());
    const Tensor tensor = namedTensor(tensorName);
    compareWithReference(*format, tensor,
                         vulkan.quantize(tensor.values, tensor.shape, *format, {}));
    QCOMPARE(vulkan.lastUsedLaneKernel(),
             vulkan.context().laneKernels() &&
                 findFormatKernel(*format)->hasLaneVariant(tensor.shape.rowLength));
    QCOMPARE(vulkan.context().instance().validationMessages(), uint64_t(0));
}

// Formats with "_lanes" kernels.
const char* const kLaneFormats[] = {"q4_0",
                                    "q4_1",
                                    "q5_0",
                                    "q5_1",
                                    "q8_0",
                                    "ggml-mxfp4",
                                    "int4-g128-sym",
                                    "int4-g128-asym",
                                    "int3-g64-asym",
                                    "int2-g32-sym",
                                    "int7-g256-asym",
                                    "int5-g32-sym-fp32",
                                    "int7-g96-asym-fp32",
                                    "int8-ch-sym",
                                    "int4-ch-asym",
                                    "int3-ch-asym-fp32",
                                    "int6-ch-sym",
                                    "mxfp8-e4m3",
                                    "mxfp6-e3m2",
                                    "mxfp4",
                                    "mxint8",
                                    "nf4",
                                    "nf4-dq",
                                    "fp4",
                                    "fp4-dq"};

// Formats whose kernels read their input through uniform windows on rows of 8192 values.
const char* const kWindowedFormats[] = {"q4_0",
                                        "q4_1",
                                        "q5_0",
                                        "q5_1",
                                        "q8_0",
                                        "iq4_nl",
                                        "ggml-mxfp4",
                                        "q2_k",
                                        "q3_k",
                                        "q4_k",
                                        "q5_k",
                                        "q6_k",
                                        "mxfp8-e4m3",
                                        "mxfp6-e3m2",
                                        "mxfp4",
                                        "mxint8",
                                        "int4-g128-sym",
                                        "int3-g64-asym",
                                        "int8-g256-sym",
                                        "int2-g32-asym-mse",
                                        "int4-tensor-sym-mse",
                                        "int6-tensor-asym",
                                        "fp8-e4m3",
                                        "fp8-e5m2-ch",
                                        "nf4",
                                        "nf4-dq",
                                        "fp4",
                                        "nvfp4"};

// Every registry id, and every id of kEveryTensor, that has a Vulkan kernel.
std::vector<std::string> formatsWithKernels() {
    std::vector<std::string> ids = listedFormatIds();
    for (const char* id : kEveryTensor)
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(id);
    std::erase_if(ids, [](const std::string& id) { return !backend().supports(*makeFormat(id)); });
    return ids;
}
// A format no kernel knows: the integer int8-ch-sym under another id.
class NoKernelFormat final : public Format {
public:
    std::string id() const override { return "test-copy"; }
    std::string description() const override { return inner_->description(); }
    FormatFamily family() const override { return FormatFamily::GgmlBlock; }
    uint64_t blockLength(uint64_t rowLength) const override { return rowLength; }
    std::string unsupportedReason(uint64_t rowLength) const override {
        return inner_->unsupportedReason(rowLength);
    }
    uint64_t packedBytes(MatrixShape shape) const override { return inner_->packedBytes(shape); }
    void quantize(std::span<const float> src, MatrixShape shape,
                  std::span<std::byte> dst) const override {
        inner_->quantize(src, shape, dst);
    }
    void dequantize(std::span<const std::byte> src, MatrixShape shape,
                    std::span<float> dst) const override {
        inner_->dequantize(src, shape, dst);
    }

private:
    std::shared_ptr<const Format> inner_ = makeFormat("int8-ch-sym");
};

QByteArray readGgmlVector(const QString& name) {
    QFile file(test::sharedDataPath(QStringLiteral("ggml-vectors/") + name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class TestVulkanParity : public QObject {
    Q_OBJECT
private slots:
    void matchesReference_data() {
        QTest::addColumn<QString>("formatId");
        QTest::addColumn<QString>("tensorName");
        for (const std::string& id : formatsWithKernels()) {
            const auto format = makeFormat(id);
            for (const char* tensor : kTensors)
                if ((runsOnEveryTensor(id) ||
                     std::find_if(std::begin(kSomeTensors), std::end(kSomeTensors),
                                  [&](const char* some) { return std::string(some) == tensor; }) !=
                         std::end(kSomeTensors)) &&
                    format->unsupportedReason(namedTensor(tensor).shape.rowLength).empty())
                    QTest::addRow("%s %s", id.c_str(), tensor)
                        << QString::fromStdString(id) << tensor;
        }
    }
    void matchesReference() {
        QFETCH(QString, formatId);
        QFETCH(QString, tensorName);
        const auto format = makeFormat(formatId.toStdString());
        const Tensor tensor = namedTensor(tensorName);
        QCOMPARE(format->unsupportedReason(tensor.shape.rowLength), std::string());
        QVERIFY(backend().supports(*format));
        uint64_t lastDone = 0;
        const QuantizedTensor gpu =
            backend().quantize(tensor.values, tensor.shape, *format, [&](uint64_t done, uint64_t) {
                lastDone = done;
                return true;
            });
        QVERIFY(lastDone > 0);
        compareWithReference(*format, tensor, gpu);
        QCOMPARE(backend().context().instance().validationMessages(), uint64_t(0));
    }

    // The float-only kernels (devices without exact double division) on the tensors where division
    // rounding matters most.
    void floatOnlyKernelsMatchReference_data() {
        everyTensorFormatOn({"normal", "ties", "wide range", "tiny"});
    }
    void floatOnlyKernelsMatchReference() {
        QFETCH(QString, formatId);
        QFETCH(QString, tensorName);
        // so the float-only kernels and the storage-buffer input are second paths (on CPU
        // devices, which read input through windows; GPUs always read storage buffers)
        QVERIFY(backend().context().float64());
        QCOMPARE(backend().context().heldSubnormals(),
                 backend().context().description().mayFlushSubnormals());
        QCOMPARE(backend().context().uniformInput(),
                 backend().context().description().uniformInput());
        QVERIFY(!floatOnlyBackend().context().float64());
        QVERIFY(!floatOnlyBackend().context().uniformInput());
        QVERIFY(floatOnlyBackend().context().laneKernels());
        // transfers to and from device-local buffers, host memory imported (lavapipe can)
        QVERIFY(backend().context().unifiedMemory());
        QVERIFY(!floatOnlyBackend().context().unifiedMemory());
        QVERIFY(floatOnlyBackend().context().hostImportAlignment() > 0);
        matchesReferenceOn(floatOnlyBackend(), formatId, tensorName);
    }

    // The kernels a device that may flush float subnormals runs, where they are flushed, as on
    // an NVIDIA H200. The scale searches meet subnormal products for values near 1e-6 already
    // (HeldFloat in common.glsl keeps them); the smallest tensor is near 1e-15.
    void flushedSubnormalsMatchReference_data() {
        everyTensorFormatOn(
            {"normal", "ties", "wide range", "outliers", "small", "tiny", "smallest matched"});
    }
    void flushedSubnormalsMatchReference() {
        QFETCH(QString, formatId);
        QFETCH(QString, tensorName);
        QVERIFY(flushingBackend().context().float64());
        QVERIFY(flushingBackend().context().heldSubnormals());
        QVERIFY(!flushingBackend().context().uniformInput());
        QVERIFY(flushingBackend().context().laneKernels());
        QVERIFY(!flushingBackend().context().unifiedMemory());
        QCOMPARE(flushingBackend().context().hostImportAlignment(), VkDeviceSize(0));
        matchesReferenceOn(flushingBackend(), formatId, tensorName);
    }

    // common.glsl's exactDivide, in the kernels of both variants (and with subnormals flushed),
    // against the CPU's IEEE division bit for bit (any NaN for a NaN).
    void exactDivision_data() { exactMathVariants(); }
    void exactDivision() {
        QFETCH(bool, float64);
        QFETCH(bool, flushSubnormals);
        std::vector<float> numerators;
        std::vector<float> denominators;
        divisionCases(numerators, denominators);
        const ExactMathRun run =
            exactMathOnDevice(float64, flushSubnormals, kExactDivide, numerators, denominators);
        QVERIFY(ranAsAsked(run, float64, flushSubnormals));
        const std::vector<float>& gpu = run.results;
        for (size_t i = 0; i < gpu.size(); ++i)
            if (!sameResult(gpu[i], numerators[i] / denominators[i]))
                QFAIL(qPrintable(QString("%1 / %2 (bits %3 / %4): gpu %5, cpu %6")
                                     .arg(numerators[i], 0, 'g', 9)
                                     .arg(denominators[i], 0, 'g', 9)
                                     .arg(hexBits(numerators[i]), hexBits(denominators[i]),
                                          hexBits(gpu[i]),
                                          hexBits(numerators[i] / denominators[i]))));
    }

    // createFlushingSubnormals really flushes on this device: the float-only division of 0 by
    // the smallest subnormal is 0 / 0 there (the H200 gave this NaN), 0 where subnormals stay.
    void flushingEmulationFlushes() {
        const std::vector<float> zero = {0.0f};
        const std::vector<float> smallest = {std::numeric_limits<float>::denorm_min()};
        const ExactMathRun kept = exactMathOnDevice(false, false, kExactDivide, zero, smallest);
        QCOMPARE(std::bit_cast<uint32_t>(kept.results.at(0)), 0u);
        const ExactMathRun flushed = exactMathOnDevice(false, true, kExactDivide, zero, smallest);
        QVERIFY(std::isnan(flushed.results.at(0)));
    }

    // exact_sqrt.glsl's exactSqrt against std::sqrt bit for bit: the K formats' RMS weights.
    void exactSquareRoot_data() { exactMathVariants(); }
    void exactSquareRoot() {
        QFETCH(bool, float64);
        QFETCH(bool, flushSubnormals);
        const std::vector<float> radicands = squareRootCases();
        const ExactMathRun run =
            exactMathOnDevice(float64, flushSubnormals, kExactSqrt, radicands, radicands);
        QVERIFY(ranAsAsked(run, float64, flushSubnormals));
        const std::vector<float>& gpu = run.results;
        for (size_t i = 0; i < gpu.size(); ++i)
            if (!sameResult(gpu[i], std::sqrt(radicands[i])))
                QFAIL(qPrintable(QString("sqrt %1 (bits %2): gpu %3, cpu %4")
                                     .arg(radicands[i], 0, 'g', 9)
                                     .arg(hexBits(radicands[i]), hexBits(gpu[i]),
                                          hexBits(std::sqrt(radicands[i])))));
    }

    // The per-tensor MSE search sums every value, the ones after the last whole octet too: here
    // the largest value is the last of 27, and without it the most clipped scale would win.
    void tensorSearchSeesLastValues_data() {
        QTest::addColumn<QString>("formatId");
        for (const char* id : {"int4-tensor-sym-mse", "int3-tensor-asym-mse"})
            QTest::newRow(id) << QString(id);
    }
    void tensorSearchSeesLastValues() {
        QFETCH(QString, formatId);
        const auto format = makeFormat(formatId.toStdString());
        Tensor tensor{{3, 9}, std::vector<float>(27)};
        for (size_t i = 0; i < 26; ++i)
            tensor.values[i] = 0.5f * float(int(i * 7 % 13) - 6); // -3 .. 3
        tensor.values[26] = 10.0f;
        compareWithReference(*format, tensor,
                             backend().quantize(tensor.values, tensor.shape, *format, {}));
        compareWithReference(*format, tensor,
                             floatOnlyBackend().quantize(tensor.values, tensor.shape, *format, {}));
    }

    // Input that starts off the device's binding alignment (a tensor at any offset of a mapped
    // file) goes through the staging buffers instead of being read in place; F16 input too. A
    // discrete GPU's transfers read it in place at any offset.
    void misalignedInputMatchesReference_data() {
        QTest::addColumn<QString>("formatId");
        for (const char* id : {"q4_0", "int4-g128-sym", "int4-tensor-sym-mse", "nf4-dq", "q6_k"})
            QTest::newRow(id) << QString(id);
    }
    void misalignedInputMatchesReference() {
        QFETCH(QString, formatId);
        const auto format = makeFormat(formatId.toStdString());
        const Tensor tensor = normal(21, 1536, 14, 0.3f);
        std::vector<float> shifted(tensor.values.size() + 1);
        std::copy(tensor.values.begin(), tensor.values.end(), shifted.begin() + 1);
        const std::span<const float> values = std::span(shifted).subspan(1);
        compareWithReference(*format, tensor,
                             backend().quantize(values, tensor.shape, *format, {}));
        compareWithReference(*format, tensor,
                             floatOnlyBackend().quantize(values, tensor.shape, *format, {}));
        std::vector<uint16_t> halves(tensor.values.size() + 1);
        Tensor converted{tensor.shape, std::vector<float>(tensor.values.size())};
        for (size_t i = 0; i < tensor.values.size(); ++i) {
            halves[i + 1] = floatToHalf(tensor.values[i]);
            converted.values[i] = halfToFloat(halves[i + 1]);
        }
        for (VulkanBackend* device : {&backend(), &floatOnlyBackend()})
            compareWithReference(*format, converted,
                                 device->quantizeRaw(std::as_bytes(std::span(halves).subspan(1)),
                                                     DType::F16, tensor.shape, *format, {}));
        QCOMPARE(backend().context().instance().validationMessages(), uint64_t(0));
        QCOMPARE(floatOnlyBackend().context().instance().validationMessages(), uint64_t(0));
    }

    // Chunks of several windowed dispatches (input_windows.glsl: 512 KiB of input each), the last
    // one ending inside a window, with the input read in place and through staging buffers. On
    // GPUs the same chunks are read from storage buffers.
    void windowedInputMatchesReference_data() {
        QTest::addColumn<QString>("formatId");
        for (const char* id : kWindowedFormats)
            QTest::newRow(id) << QString(id);
    }
    void windowedInputMatchesReference() {
        QFETCH(QString, formatId);
        VulkanBackendOptions options = testOptions(true);
        options.chunkBytes = 3 << 20;
        VulkanBackend windowed(options);
        // Windows on CPU devices (tst_devices checks that lavapipe is one), large chunks anywhere.
        QCOMPARE(windowed.context().uniformInput(),
                 windowed.context().description().uniformInput());
        const auto format = makeFormat(formatId.toStdString());
        const Tensor tensor = normal(90, 8192, 15, 0.3f); // 2.8 MiB: one chunk, six dispatches
        QVERIFY(findFormatKernel(*format)->inputOctetsPerWorkgroup(tensor.shape.rowLength) > 0);
        compareWithReference(*format, tensor,
                             windowed.quantize(tensor.values, tensor.shape, *format, {}));
        std::vector<float> shifted(tensor.values.size() + 1);
        std::copy(tensor.values.begin(), tensor.values.end(), shifted.begin() + 1);
        compareWithReference(
            *format, tensor,
            windowed.quantize(std::span(shifted).subspan(1), tensor.shape, *format, {}));
        QCOMPARE(windowed.context().instance().validationMessages(), uint64_t(0));
    }

    // The formats with "_lanes" kernels on every test tensor, which reach the edges of their
    // reductions (ties, zeros, signed zeros) and of their workgroups (rows that end inside one,
    // many chunks); without them (one invocation per block, storage-buffer input) on three.
    void laneKernelsMatchReference_data() {
        QTest::addColumn<QString>("formatId");
        QTest::addColumn<QString>("tensorName");
        QTest::addColumn<bool>("lanes");
        const auto withoutLanes = [](std::string_view tensor) {
            return tensor == "normal" || tensor == "ties" || tensor == "many chunks";
        };
        // Rows the lane kernel takes (per-channel rows: a multiple of 4 values, staged whole).
        const auto takes = [](const char* id, const char* tensor) {
            const uint64_t rowLength = namedTensor(tensor).shape.rowLength;
            const auto format = makeFormat(id);
            return format->unsupportedReason(rowLength).empty() &&
                   findFormatKernel(*format)->hasLaneVariant(rowLength);
        };
        for (const char* id : kLaneFormats)
            for (const char* tensor : kTensors)
                for (const bool lanes : {true, false})
                    if ((lanes || withoutLanes(tensor)) && takes(id, tensor))
                        QTest::addRow("%s %s%s", id, tensor, lanes ? " lanes" : "")
                            << QString(id) << QString(tensor) << lanes;
    }
    void laneKernelsMatchReference() {
        QFETCH(QString, formatId);
        QFETCH(QString, tensorName);
        QFETCH(bool, lanes);
        VulkanBackend& vulkan = storageInputBackend(lanes);
        QCOMPARE(vulkan.context().laneKernels(), lanes);
        QVERIFY(vulkan.context().float64());
        QVERIFY(!vulkan.context().heldSubnormals());
        QVERIFY(!vulkan.context().uniformInput());
        // Staging 64 groups of int8-g256 would take more than the 16 KiB of shared memory every
        // device has.
        QVERIFY(!findFormatKernel(*makeFormat("int8-g256-asym"))->hasLaneVariant(256));
        matchesReferenceOn(vulkan, formatId, tensorName);
    }

    // What the lane kernels assume of the device (lane_probe.comp): subgroups tile the
    // workgroup in order, shuffles and group reductions stay inside aligned groups of eight, and
    // every invocation's shared-memory atomicOr lands.
    void laneGroupsHoldOnDevice() {
        VulkanContextOptions options;
        options.validation = true;
        auto context = VulkanContext::create(options);
        KernelLibrary kernels(context);
        // The subgroups16 registration runs lavapipe at 512-bit vectors: two groups per subgroup.
        const QByteArray expected = qgetenv("BITLENS_EXPECT_SUBGROUP_SIZE");
        if (!expected.isEmpty())
            QCOMPARE(context->description().subgroupSize, expected.toUInt());
        const ComputeKernel& probe = kernels.kernel("lane_probe", 1, 4);
        GpuBuffer out(context, 64 * 8 * 4, GpuBuffer::Kind::Readback);
        CommandSlot slot(context);
        slot.begin();
        const BufferRange buffers[] = {{out.get(), 0, VK_WHOLE_SIZE}};
        const uint32_t unused = 0;
        probe.record(slot.command(), buffers, std::as_bytes(std::span(&unused, 1)), 1);
        CommandSlot::barrierToHost(slot.command());
        slot.submit();
        slot.wait();
        out.invalidate();
        const auto* words = reinterpret_cast<const uint32_t*>(out.mapped().data());
        const uint32_t size = words[0];
        QCOMPARE(size, context->description().subgroupSize);
        std::vector<uint32_t> lanes;
        for (uint32_t i = 0; i < 64; ++i) {
            const uint32_t* w = words + 8 * i;
            const QByteArray where = "invocation " + QByteArray::number(i);
            QVERIFY2(w[0] == size && w[3] == w[1] * size + w[2], where);
            lanes.push_back(w[3]);
            QVERIFY2(w[4] == (w[3] ^ 1u), where);
            QVERIFY2(w[5] == (w[3] ^ 4u), where);
            QVERIFY2(w[6] == (w[3] | 7u), where);
            QVERIFY2(w[7] == 0xffffffffu, where + " bits " + QByteArray::number(w[7], 16));
        }
        std::sort(lanes.begin(), lanes.end());
        for (uint32_t i = 0; i < 64; ++i)
            QCOMPARE(lanes[i], i);
        QCOMPARE(context->instance().validationMessages(), uint64_t(0));
    }

    // Every id `bitlens-cli formats` lists has a kernel; the message names the ones without.
    void everyRegistryIdHasKernel() {
        QStringList missing;
        for (const std::string& id : listedFormatIds())
            if (!backend().supports(*makeFormat(id)))
                missing << QString::fromStdString(id);
        QVERIFY2(missing.isEmpty(), qPrintable("no Vulkan kernel for: " + missing.join(", ")));
    }

    void halfAndBf16Input_data() {
        QTest::addColumn<QString>("formatId");
        for (const std::string& id : formatsWithKernels())
            QTest::newRow(id.c_str()) << QString::fromStdString(id);
    }
    void halfAndBf16Input() {
        QFETCH(QString, formatId);
        const auto format = makeFormat(formatId.toStdString());
        const Tensor source = normal(19, 256, 7, 0.05f);
        for (const DType dtype : {DType::F16, DType::BF16}) {
            std::vector<uint16_t> bits(source.values.size());
            Tensor converted{source.shape, std::vector<float>(bits.size())};
            for (size_t i = 0; i < bits.size(); ++i) {
                bits[i] = dtype == DType::F16 ? floatToHalf(source.values[i])
                                              : floatToBf16(source.values[i]);
                converted.values[i] =
                    dtype == DType::F16 ? halfToFloat(bits[i]) : bf16ToFloat(bits[i]);
            }
            const QuantizedTensor gpu = backend().quantizeRaw(std::as_bytes(std::span(bits)), dtype,
                                                              source.shape, *format, {});
            compareWithReference(*format, converted, gpu);
        }
    }

    // ggml's own bytes and dequantization of shared/data's vectors (64 rows of 256), from the GPU.
    void matchesGgmlVectors_data() {
        QTest::addColumn<QString>("formatId");
        QTest::addColumn<QString>("file");
        const char* const types[][2] = {
            {"q4_0", "q4_0"}, {"q4_1", "q4_1"}, {"q5_0", "q5_0"},     {"q5_1", "q5_1"},
            {"q8_0", "q8_0"}, {"q2_k", "q2_K"}, {"q3_k", "q3_K"},     {"q4_k", "q4_K"},
            {"q5_k", "q5_K"}, {"q6_k", "q6_K"}, {"iq4_nl", "iq4_nl"}, {"ggml-mxfp4", "mxfp4"}};
        for (const auto& type : types)
            QTest::newRow(type[0]) << type[0] << type[1];
    }
    void matchesGgmlVectors() {
        BITLENS_REQUIRE_SHARED_DATA();
        QFETCH(QString, formatId);
        QFETCH(QString, file);
        const QByteArray input = readGgmlVector("input.f32");
        const QByteArray blocks = readGgmlVector(file + ".bin");
        const QByteArray decoded = readGgmlVector(file + ".dequant.f32");
        QCOMPARE(input.size(), 64 * 256 * 4);
        Tensor tensor{{64, 256}, std::vector<float>(64 * 256)};
        std::memcpy(tensor.values.data(), input.constData(), size_t(input.size()));
        const auto format = makeFormat(formatId.toStdString());
        const QuantizedTensor gpu = backend().quantize(tensor.values, tensor.shape, *format, {});
        QCOMPARE(gpu.packed.size(), size_t(blocks.size()));
        QVERIFY(std::memcmp(gpu.packed.data(), blocks.constData(), gpu.packed.size()) == 0);
        QCOMPARE(gpu.dequantized.size() * 4, size_t(decoded.size()));
        QVERIFY(std::memcmp(gpu.dequantized.data(), decoded.constData(), size_t(decoded.size())) ==
                0);
    }

    // ggml-mxfp4's shared exponent is floor(log2f(amax)): blocks whose largest value lies at the
    // top of a binade, where log2f rounds up to the next integer, for every exponent up to the
    // reference's limit of 2^36.
    void mxfp4ExponentAtBinadeTops() {
        const auto format = makeFormat("ggml-mxfp4");
        constexpr uint32_t kExponents = 127 + 35;
        Tensor tensor{{kExponents, 2048}, std::vector<float>(kExponents * 2048)};
        for (uint32_t exponent = 1; exponent <= kExponents; ++exponent)
            for (uint32_t block = 0; block < 64; ++block) {
                float* values = tensor.values.data() + (exponent - 1) * 2048 + block * 32;
                const float amax = std::bit_cast<float>((exponent << 23) | (0x7fffffu - block));
                for (int j = 0; j < 32; ++j)
                    values[j] = amax * float(j) / 32.0f * (j % 2 ? -1.0f : 1.0f);
                values[block % 32] = block % 3 ? amax : -amax;
            }
        compareWithReference(*format, tensor,
                             backend().quantize(tensor.values, tensor.shape, *format, {}));
        compareWithReference(*format, tensor,
                             flushingBackend().quantize(tensor.values, tensor.shape, *format, {}));
    }

    void refusesLikeReference() {
        const auto format = makeFormat("q8_0");
        Tensor tensor = normal(4, 256, 8, 1.0f);
        tensor.values[3 * 256 + 40] = 1e9f; // its block's fp16 scale overflows
        QString cpuMessage;
        try {
            std::vector<std::byte> packed(format->packedBytes(tensor.shape));
            format->quantize(tensor.values, tensor.shape, packed);
        } catch (const Error& error) {
            cpuMessage = error.what();
        }
        QVERIFY(!cpuMessage.isEmpty());
        try {
            backend().quantize(tensor.values, tensor.shape, *format, {});
            QFAIL("no error");
        } catch (const Error& error) {
            QCOMPARE(QString(error.what()), cpuMessage);
        }
        // The backend is still usable afterwards.
        tensor.values[3 * 256 + 40] = 0.5f;
        compareWithReference(*format, tensor,
                             backend().quantize(tensor.values, tensor.shape, *format, {}));
    }

    void cancels() {
        const auto format = makeFormat("q8_0");
        const Tensor tensor = normal(64, 1024, 9, 1.0f); // 16 chunks of 16 KiB
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, backend().quantize(tensor.values, tensor.shape, *format,
                                          [&](uint64_t, uint64_t) { return ++calls < 3; }));
        QCOMPARE(calls, 3);
    }

    void unsupportedFormatSaysSo() {
        const NoKernelFormat format;
        QVERIFY(!backend().supports(format));
        const Tensor tensor = normal(2, 256, 10, 1.0f);
        try {
            backend().quantize(tensor.values, tensor.shape, format, {});
            QFAIL("no error");
        } catch (const Error& error) {
            QCOMPARE(QString(error.what()), QString("format test-copy has no Vulkan kernel yet"));
        }
    }

    // --device auto|vulkan: formats without a kernel run on the CPU, with one notice per format.
    void preferredBackendRunsOthersOnCpu() {
        std::vector<std::string> notices;
        PreferredBackend preferred(BackendKind::Vulkan, 1,
                                   [&](const std::string& line) { notices.push_back(line); });
        QVERIFY(preferred.usesVulkan());
        QVERIFY(QString::fromStdString(preferred.name()).startsWith("vulkan: "));
        const NoKernelFormat format;
        const Tensor tensor = normal(3, 256, 13, 1.0f);
        for (int i = 0; i < 2; ++i)
            compareWithReference(format, tensor,
                                 preferred.quantize(tensor.values, tensor.shape, format, {}));
        // Vulkan results carry the CPU backend's metrics to the last bit.
        const auto nf4 = makeFormat("nf4-dq");
        const QuantizedTensor result = preferred.quantize(tensor.values, tensor.shape, *nf4, {});
        compareWithReference(*nf4, tensor, result);
        const ErrorMetrics cpu =
            CpuBackend(1).quantize(tensor.values, tensor.shape, *nf4, {}).metrics;
        QCOMPARE(result.metrics.mse, cpu.mse);
        QCOMPARE(result.metrics.cosine, cpu.cosine);
        QCOMPARE(result.metrics.maxAbsError, cpu.maxAbsError);
        QCOMPARE(notices, std::vector<std::string>{
                              "format test-copy has no Vulkan kernel yet; running it on the CPU"});
    }
};

QTEST_GUILESS_MAIN(TestVulkanParity)
#include "tst_vulkan_parity.moc"
