// SPDX-License-Identifier: MIT
#include "cli/QuantizeCommand.h"

#include "BackendKind.h"
#include "PreferredBackend.h"
#include "cli/ArgParser.h"
#include "cli/TextTable.h"
#include "core/backend/QuantizeJob.h"
#include "core/io/CheckpointReader.h"
#include "core/recipe/NamePattern.h"
#include "core/recipe/Recipe.h"
#include "core/recipe/SizePlan.h"
#include "core/util/Error.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

namespace bitlens::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: bitlens-cli quantize FILE (--format ID | --recipe R.json) [--tensor GLOB] [--json] "
    "[--threads N] [--device D]\n"
    "  --format ID     ID for every tensor of 2+ dimensions whose row length it fits; the rest "
    "kept\n"
    "  --recipe FILE   a recipe JSON (version 1): rules, default, fallback, overrides\n"
    "  --tensor GLOB   only tensors whose name matches ('*' any run, '?' one character);\n"
    "                  totals then cover those tensors\n"
    "  --json          one JSON object {file, tensors, totals} instead of the table\n"
    "  --threads N     CPU threads (default: all)\n"
    "  --device D      auto (default: Vulkan when a device exists, else the CPU), cpu, or vulkan\n"
    "                  (no device is an error); formats without a Vulkan kernel run on the CPU.\n"
    "                  The results are the same on every device.\n"
    "Kept tensors show '-' for the error columns (JSON: rmse, rel_rmse, max_abs 0, sqnr_db null,\n"
    "cosine 1); refused tensors (NaN/Inf, unreadable) stay as stored and have no metrics (JSON\n"
    "null). sqnr_db is null in JSON when the error is exactly zero (infinite SQNR).\n"
    "Exit status: 0 done (refusals are reported, not failures), 1 usage, 2 bad input.\n";

struct Request {
    std::string file;
    Recipe recipe;
    std::optional<NamePattern> filter;
    bool json = false;
    unsigned threads = 1;
    BackendKind device = BackendKind::Auto;
};

Request parseRequest(const std::vector<std::string>& args) {
    const ParsedArgs parsed =
        parseArgs(args, {"format", "recipe", "tensor", "threads", "device"}, {"json"});
    if (parsed.positional.size() != 1)
        throw UsageError(parsed.positional.empty() ? "no checkpoint FILE given"
                                                   : "more than one FILE given");
    if (parsed.has("format") == parsed.has("recipe"))
        throw UsageError("give exactly one of --format ID and --recipe FILE");
    Request request;
    request.file = parsed.positional.front();
    request.json = parsed.has("json");
    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    request.threads = unsigned(parsed.integer("threads", 1, 1024, hardware));
    if (auto device = parsed.value("device")) {
        const auto kind = parseBackendKind(*device);
        if (!kind)
            throw UsageError("--device expects auto, cpu or vulkan");
        request.device = *kind;
    }
    if (auto glob = parsed.value("tensor"))
        request.filter.emplace(PatternKind::Glob, *glob);
    // Recipes are input (exit status 2 when bad), so they are made after usage is settled.
    if (auto id = parsed.value("format"))
        request.recipe = Recipe::singleFormat(*id);
    else
        request.recipe = Recipe::load(*parsed.value("recipe"));
    return request;
}

nlohmann::json jsonNumber(double value) {
    return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json tensorJson(const TensorResult& tensor) {
    nlohmann::json entry = {{"name", tensor.name},
                            {"format", tensor.formatId()},
                            {"status", tensorOutcomeName(tensor.outcome)},
                            {"bpw", tensor.bitsPerWeight()},
                            {"bytes", tensor.bytesAfter},
                            {"bytes_before", tensor.plan.bytesBefore}};
    const bool measured = tensor.outcome != TensorOutcome::Refused;
    const ErrorMetrics& m = tensor.metrics;
    entry["rmse"] = measured ? nlohmann::json(m.rmse) : nlohmann::json(nullptr);
    entry["rel_rmse"] = measured ? nlohmann::json(m.relativeRmse) : nlohmann::json(nullptr);
    entry["max_abs"] = measured ? nlohmann::json(m.maxAbsError) : nlohmann::json(nullptr);
    entry["sqnr_db"] = measured ? jsonNumber(m.sqnrDb) : nlohmann::json(nullptr);
    entry["cosine"] = measured ? nlohmann::json(m.cosine) : nlohmann::json(nullptr);
    entry["note"] = tensor.note;
    return entry;
}

void printJson(const Request& request, const QuantizeJobResult& job, std::ostream& out) {
    nlohmann::json tensors = nlohmann::json::array();
    for (const TensorResult& tensor : job.tensors)
        tensors.push_back(tensorJson(tensor));
    const SizeTotals& t = job.totals;
    const nlohmann::json totals = {{"params", t.params},
                                   {"bytes_before", t.bytesBefore},
                                   {"bytes_after", t.bytesAfter},
                                   {"bpw", t.bitsPerWeight()},
                                   {"bpw_quantized", t.quantizedBitsPerWeight()},
                                   {"compression_ratio", t.compressionRatio()},
                                   {"refused", job.refusedCount()}};
    out << nlohmann::json{{"file", request.file}, {"tensors", tensors}, {"totals", totals}}.dump(2)
        << "\n";
}

void printTable(const QuantizeJobResult& job, std::ostream& out) {
    using Align = TextTable::Align;
    TextTable table({{"tensor"},
                     {"format"},
                     {"bits/w", Align::Right},
                     {"bytes", Align::Right},
                     {"RMSE", Align::Right},
                     {"rel RMSE", Align::Right},
                     {"max abs", Align::Right},
                     {"SQNR dB", Align::Right},
                     {"cosine", Align::Right},
                     {"note"}});
    size_t quantized = 0;
    for (const TensorResult& tensor : job.tensors) {
        std::vector<std::string> row = {tensor.name, tensor.formatId(),
                                        fixed(tensor.bitsPerWeight(), 3),
                                        std::to_string(tensor.bytesAfter)};
        if (tensor.outcome == TensorOutcome::Quantized) {
            ++quantized;
            const ErrorMetrics& m = tensor.metrics;
            row.insert(row.end(),
                       {general(m.rmse, 4), general(m.relativeRmse, 4), general(m.maxAbsError, 4),
                        std::isfinite(m.sqnrDb) ? fixed(m.sqnrDb, 2) : "inf", fixed(m.cosine, 6)});
        } else {
            row.insert(row.end(), 5, "-");
        }
        row.push_back(tensor.note);
        table.addRow(std::move(row));
    }
    table.print(out);
    const SizeTotals& t = job.totals;
    out << "\ntotal: " << job.tensors.size() << " tensors (" << quantized << " quantized, "
        << job.tensors.size() - quantized - job.refusedCount() << " kept, " << job.refusedCount()
        << " refused), " << t.params << " params\n"
        << "bytes: " << t.bytesBefore << " before, " << t.bytesAfter << " after (ratio "
        << fixed(t.compressionRatio(), 3) << ")\n"
        << "bits/weight: " << fixed(t.bitsPerWeight(), 3) << " over all tensors, "
        << fixed(t.quantizedBitsPerWeight(), 3) << " over the quantized tensors only\n";
}

int runQuantize(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    Request request;
    try {
        request = parseRequest(args);
    } catch (const UsageError& error) {
        err << "bitlens-cli quantize: " << error.what() << "\n" << kUsage;
        return 1;
    }
    const auto checkpoint = openCheckpoint(request.file);
    std::vector<size_t> selection;
    for (size_t i = 0; i < checkpoint->tensors().size(); ++i)
        if (!request.filter || request.filter->matches(checkpoint->tensors()[i].name))
            selection.push_back(i);
    if (selection.empty())
        throw Error("no tensor of " + request.file + " matches --tensor '" +
                    request.filter->text() + "'");
    const SizePlan plan = planSizes(*checkpoint, request.recipe, selection);
    PreferredBackend backend(request.device, request.threads, [&err](const std::string& line) {
        err << "bitlens-cli quantize: " << line << "\n";
    });
    QuantizeJobOptions options;
    options.tensorWorkers = request.threads;
    const QuantizeJobResult job = runQuantizeJob(*checkpoint, plan, backend, options, nullptr);
    if (request.json)
        printJson(request, job, out);
    else
        printTable(job, out);
    if (job.refusedCount() > 0)
        err << "bitlens-cli quantize: " << job.refusedCount()
            << " tensor(s) refused and left as stored (see the note column)\n";
    return 0;
}

} // namespace

Command quantizeCommand() {
    return {"quantize",
            "quantize FILE (--format ID | --recipe R.json) [--tensor GLOB] [--json] "
            "[--threads N] [--device D]",
            "quantize (Vulkan or CPU) and print per-tensor error metrics and totals", runQuantize};
}

} // namespace bitlens::cli
