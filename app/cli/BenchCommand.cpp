// SPDX-License-Identifier: MIT
#include "cli/BenchCommand.h"

#include "BackendKind.h"
#include "NoVulkanDevice.h"
#include "VulkanBackend.h"
#include "cli/ArgParser.h"
#include "cli/EvalBench.h"
#include "cli/TextTable.h"
#include "core/backend/CpuBackend.h"
#include "core/backend/FormatBench.h"
#include "core/quant/FormatRegistry.h"

#include <memory>
#include <ostream>
#include <thread>

namespace bitlens::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: bitlens-cli bench formats [--size MB] [--formats a,b,c] [--threads N] [--device D]\n"
    "                                 [--chunk MB]\n"
    "  --size MB       float32 input size in MiB (default 32; rows of 4096 values)\n"
    "  --formats LIST  comma-separated format ids, or 'all' for every listed format\n"
    "                  (default: one or more of each family, see kDefaultFormats)\n"
    "  --threads N     CPU threads (default: all)\n"
    "  --device D      auto (CPU, and Vulkan when a device exists), cpu, or vulkan (CPU and\n"
    "                  Vulkan; no device is an error)\n"
    "  --chunk MB      float32 values per Vulkan chunk in MiB (default 32; at most the device's\n"
    "                  maxStorageBufferRange)\n"
    "       bitlens-cli bench eval MODEL --dataset IMAGES LABELS [--input-scale S] [--repeats N]\n"
    "       bitlens-cli bench eval MODEL --text FILE [--tokenizer F] [--ctx N] [--chunks N]\n"
    "  images/s of a classifier's or tokens/s of a language model's forward pass on the CPU and\n"
    "  on Vulkan, with the ratio\n";

constexpr unsigned kRepeats = 3;
constexpr uint64_t kCopyProbeBytes = 256ull << 20; // each of the two buffers

// The default selection: every family and bit-width class once, so a plain run stays minutes,
// not hours (the full list has over a hundred integer variants).
constexpr std::string_view kDefaultFormats[] = {
    "int8-ch-sym",   "int4-g128-sym", "int4-g128-asym",
    "int3-g64-asym", "int2-g32-asym", "int4-g128-sym-mse",
    "nf4",           "nf4-dq",        "fp4",
    "fp8-e4m3",      "fp8-e5m2-ch",   "mxfp8-e4m3",
    "mxfp6-e2m3",    "mxfp4",         "mxint8",
    "nvfp4",         "q4_0",          "q4_1",
    "q5_0",          "q5_1",          "q8_0",
    "q2_k",          "q3_k",          "q4_k",
    "q5_k",          "q6_k",          "iq4_nl",
    "ggml-mxfp4"};
constexpr uint64_t kBenchSeed = 20240601;

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        if (comma > start)
            items.push_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return items;
}

// The backends timed, one column group each. Owns them for the duration of the benchmark.
struct BenchBackends {
    std::vector<std::unique_ptr<QuantBackend>> owned;
    std::vector<BenchTarget> targets;
    VulkanBackend* vulkan = nullptr; // among the targets when a device is used
};

// The CPU reference always; the Vulkan backend as `device` asks. Without a Vulkan device, auto
// says so on `err` and goes on with the CPU; vulkan throws NoVulkanDevice.
BenchBackends benchBackends(unsigned threads, BackendKind device, uint64_t chunkBytes,
                            std::ostream& err) {
    BenchBackends backends;
    auto cpu = std::make_unique<CpuBackend>(threads);
    const CpuBackend* cpuPointer = cpu.get();
    backends.targets.push_back({cpu.get(), cpu->threads(),
                                [cpuPointer](std::span<const std::byte> packed, MatrixShape shape,
                                             const Format& format, std::span<float> out) {
                                    cpuPointer->dequantize(packed, shape, format, out);
                                }});
    backends.owned.push_back(std::move(cpu));
    if (device == BackendKind::Cpu)
        return backends;
    try {
        VulkanBackendOptions options;
        options.chunkBytes = chunkBytes;
        auto vulkan = std::make_unique<VulkanBackend>(options);
        backends.vulkan = vulkan.get();
        backends.targets.push_back({vulkan.get(), 1, {}});
        backends.owned.push_back(std::move(vulkan));
    } catch (const NoVulkanDevice& error) {
        if (device == BackendKind::Vulkan)
            throw;
        err << "bitlens-cli bench: " << error.what() << "; timing the CPU reference only\n";
    }
    return backends;
}

int runBench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (!args.empty() && args.front() == "eval")
        return runEvalBench({args.begin() + 1, args.end()}, out, err);
    uint64_t sizeMiB = 0;
    uint64_t chunkMiB = 0; // 0: VulkanBackend's default
    unsigned threads = 1;
    std::vector<std::string> ids;
    BackendKind device = BackendKind::Auto;
    try {
        const ParsedArgs parsed =
            parseArgs(args, {"size", "formats", "threads", "device", "chunk"}, {});
        if (parsed.has("device")) {
            const auto kind = parseBackendKind(*parsed.value("device"));
            if (!kind)
                throw UsageError("--device expects auto, cpu or vulkan");
            device = *kind;
        }
        if (parsed.positional.size() != 1 || parsed.positional.front() != "formats")
            throw UsageError("expected the benchmark name 'formats'");
        sizeMiB = parsed.integer("size", 1, 16384, 32);
        chunkMiB = parsed.integer("chunk", 1, 4096, 0);
        const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
        threads = unsigned(parsed.integer("threads", 1, 1024, hardware));
        if (!parsed.has("formats"))
            ids.assign(std::begin(kDefaultFormats), std::end(kDefaultFormats));
        else if (*parsed.value("formats") == "all")
            ids = listedFormatIds();
        else
            ids = splitList(*parsed.value("formats"));
        if (parsed.has("formats") && ids.empty())
            throw UsageError("--formats lists no format id");
    } catch (const UsageError& error) {
        err << "bitlens-cli bench: " << error.what() << "\n" << kUsage;
        return 1;
    }
    std::vector<std::shared_ptr<const Format>> formats;
    for (const std::string& id : ids)
        formats.push_back(makeFormat(id)); // unknown ids: Error, exit status 2

    const uint64_t rows = std::max<uint64_t>(1, sizeMiB * (1 << 20) / 4 / kBenchRowLength);
    const MatrixShape shape{rows, kBenchRowLength};
    const std::vector<float> values = syntheticWeights(shape.elements(), kBenchSeed);
    const BenchBackends backends = benchBackends(threads, device, chunkMiB << 20, err);

    out << "synthetic weights: " << shape.rows << " x " << shape.rowLength << " float32 ("
        << fixed(double(shape.elements()) * 4 / double(1 << 20), 1) << " MiB), best of " << kRepeats
        << "; MiB/s of float32 input; quantize = pack + unpack + error metrics; kernel = "
           "Vulkan device time of those kernels alone\n";
    // What the kernels' memory traffic is measured against: the faster of the two copies.
    const MemoryBandwidth bandwidth =
        backends.vulkan ? backends.vulkan->memoryBandwidth(kCopyProbeBytes, kRepeats)
                        : MemoryBandwidth{};
    const double copyBytesPerSecond = bandwidth.best();
    const auto gigabytes = [](double bytesPerSecond) {
        return fixed(bytesPerSecond * 1e-9, 1) + " GB/s";
    };
    if (backends.vulkan)
        out << "device memory: "
            << (copyBytesPerSecond > 0 ? gigabytes(copyBytesPerSecond)
                                       : std::string("not measured (no timestamps)"))
            << " (the faster of a copy shader, " << gigabytes(bandwidth.shader)
            << ", and vkCmdCopyBuffer, " << gigabytes(bandwidth.transfer)
            << ", between two device-local buffers of " << kCopyProbeBytes / (1 << 20)
            << " MiB, bytes read + written, best of " << kRepeats
            << "); kernel GB/s counts the float32 input read, the dequantized floats and the "
               "packed bytes written; chunks of "
            << fixed(double(backends.vulkan->chunkBytes()) / double(1 << 20), 1) << " MiB\n";
    TextTable table({{"format"},
                     {"backend"},
                     {"MiB/s quantize", TextTable::Align::Right},
                     {"MiB/s dequantize", TextTable::Align::Right},
                     {"threads", TextTable::Align::Right},
                     {"vs cpu", TextTable::Align::Right},
                     {"kernel MiB/s", TextTable::Align::Right},
                     {"kernel GB/s", TextTable::Align::Right},
                     {"% of copy", TextTable::Align::Right},
                     {"note"}});
    for (const auto& format : formats) {
        double cpuMiBps = 0; // the first target is the CPU reference
        for (const BenchTarget& target : backends.targets) {
            const bool isVulkan = target.backend == backends.vulkan;
            if (isVulkan && !backends.vulkan->supports(*format)) {
                table.addRow({format->id(), target.backend->name(), "-", "-", "-", "-", "-", "-",
                              "-", "no Vulkan kernel yet"});
                continue;
            }
            const BenchResult result = benchFormat(target, *format, values, shape, kRepeats);
            const bool timed = result.skipped.empty();
            if (!isVulkan)
                cpuMiBps = timed ? result.quantizeMiBps : 0;
            const bool ratio = isVulkan && timed && cpuMiBps > 0;
            // Device time of the format and metrics kernels alone (the last repeat): the rest
            // of the Vulkan time is uploads, readbacks and host work.
            const double kernelSeconds =
                isVulkan && timed ? backends.vulkan->lastKernelSeconds() : 0;
            const double mib = double(shape.elements()) * 4 / double(1 << 20);
            const double kernelBytes =
                double(shape.elements()) * 8 + double(format->packedBytes(shape));
            const double kernelBytesPerSecond = kernelSeconds > 0 ? kernelBytes / kernelSeconds : 0;
            std::string note = result.skipped;
            const auto addNote = [&note](const char* text) {
                note += (note.empty() ? "" : "; ") + std::string(text);
            };
            if (timed && isVulkan && backends.vulkan->lastUsedLaneKernel())
                addNote("eight invocations per block");
            if (timed && isVulkan && !backends.vulkan->lastUsedHostMemoryInPlace())
                addNote("host memory copied through staging buffers");
            table.addRow({result.formatId, result.backendName,
                          timed ? fixed(result.quantizeMiBps, 1) : "-",
                          timed && result.dequantizeMiBps ? fixed(*result.dequantizeMiBps, 1) : "-",
                          std::to_string(result.threads),
                          ratio ? fixed(result.quantizeMiBps / cpuMiBps, 2) + "x" : "-",
                          kernelSeconds > 0 ? fixed(mib / kernelSeconds, 1) : "-",
                          kernelSeconds > 0 ? fixed(kernelBytesPerSecond * 1e-9, 1) : "-",
                          kernelSeconds > 0 && copyBytesPerSecond > 0
                              ? fixed(100 * kernelBytesPerSecond / copyBytesPerSecond, 1) + "%"
                              : "-",
                          note});
        }
    }
    table.print(out);
    return 0;
}

} // namespace

Command benchCommand() {
    return {"bench",
            "bench formats [--size MB] [--formats a,b,c|all] [--threads N] [--device D] "
            "[--chunk MB] | "
            "bench eval MODEL (--dataset IMAGES LABELS [--input-scale S] | --text FILE "
            "[--tokenizer F] [--ctx N])",
            "throughput of each format on a synthetic tensor, or of a model's forward pass: CPU "
            "reference and Vulkan, with the ratio",
            runBench};
}

} // namespace bitlens::cli
