// SPDX-License-Identifier: MIT
#include "cli/InfoCommand.h"

#include "core/io/CheckpointReader.h"
#include "core/util/HumanText.h"
#include "core/util/JsonSummary.h"

#include <algorithm>
#include <array>
#include <iomanip>
#include <optional>
#include <ostream>

namespace bitlens::cli {

namespace {

constexpr const char* kUsage = "usage: bitlens-cli info FILE [--json]";

struct InfoOptions {
    std::string path;
    bool json = false;
};

// nullopt after printing a usage message to `err`.
std::optional<InfoOptions> parseArguments(const std::vector<std::string>& args, std::ostream& err) {
    InfoOptions options;
    bool havePath = false;
    for (const std::string& arg : args) {
        if (arg == "--json") {
            options.json = true;
        } else if (arg.size() > 1 && arg[0] == '-') {
            err << "bitlens-cli info: unknown option '" << arg << "'\n" << kUsage << "\n";
            return std::nullopt;
        } else if (havePath) {
            err << "bitlens-cli info: one FILE expected, got '" << options.path << "' and '" << arg
                << "'\n"
                << kUsage << "\n";
            return std::nullopt;
        } else {
            options.path = arg;
            havePath = true;
        }
    }
    if (!havePath) {
        err << "bitlens-cli info: FILE missing\n" << kUsage << "\n";
        return std::nullopt;
    }
    return options;
}

// Scalars as they read in JSON, strings without quotes; arrays and objects summarised.
std::string valueText(const nlohmann::json& value) {
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_array())
        return "array of " + std::to_string(value.size());
    if (value.is_object())
        return "object of " + std::to_string(value.size()) + " keys";
    return value.dump();
}

void printLabelled(std::ostream& out, const std::string& label, const std::string& value) {
    out << std::left << std::setw(20) << label << " " << value << "\n";
}

void printTable(std::ostream& out, const std::vector<std::array<std::string, 5>>& rows) {
    constexpr std::array<bool, 5> kRightAligned = {false, false, false, true, true};
    std::array<size_t, 5> widths{};
    for (const auto& row : rows)
        for (size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    for (const auto& row : rows) {
        for (size_t c = 0; c < row.size(); ++c) {
            if (c > 0)
                out << "  ";
            const bool last = c + 1 == row.size();
            if (kRightAligned[c])
                out << std::right << std::setw(int(widths[c])) << row[c];
            else
                out << std::left << std::setw(last ? 0 : int(widths[c])) << row[c];
        }
        out << "\n";
    }
}

void printText(const Checkpoint& checkpoint, std::ostream& out) {
    printLabelled(out, "file", checkpoint.source().string());
    printLabelled(out, "format", checkpoint.format());
    for (const auto& [key, value] : checkpoint.model().items())
        printLabelled(out, key, valueText(value));
    printLabelled(out, "metadata keys", std::to_string(checkpoint.metadata().size()));
    const auto tokens = checkpoint.metadata().find("tokenizer.ggml.tokens");
    if (tokens != checkpoint.metadata().end() && tokens->is_array())
        printLabelled(out, "tokenizer tokens", std::to_string(tokens->size()));
    out << "\n";

    std::vector<std::array<std::string, 5>> rows = {{"name", "shape", "dtype", "params", "bytes"}};
    for (const TensorInfo& tensor : checkpoint.tensors())
        rows.push_back({tensor.name, shapeText(tensor.shape), std::string(dtypeName(tensor.dtype)),
                        std::to_string(tensor.elementCount()), std::to_string(tensor.byteSize)});
    printTable(out, rows);
    out << "\n";
    printLabelled(out, "tensors", std::to_string(checkpoint.tensors().size()));
    printLabelled(out, "parameters", std::to_string(checkpoint.totalParameters()));
    printLabelled(out, "bytes",
                  std::to_string(checkpoint.totalBytes()) + " (" +
                      byteSizeText(checkpoint.totalBytes()) + ")");
}

nlohmann::json infoJson(const Checkpoint& checkpoint) {
    nlohmann::json tensors = nlohmann::json::array();
    for (const TensorInfo& tensor : checkpoint.tensors())
        tensors.push_back({{"name", tensor.name},
                           {"shape", tensor.shape},
                           {"dtype", dtypeName(tensor.dtype)},
                           {"params", tensor.elementCount()},
                           {"bytes", tensor.byteSize}});
    return {{"format", checkpoint.format()},
            {"metadata", summarizeLongArrays(checkpoint.metadata())},
            {"model", checkpoint.model()},
            {"tensors", std::move(tensors)},
            {"totals",
             {{"tensors", checkpoint.tensors().size()},
              {"params", checkpoint.totalParameters()},
              {"bytes", checkpoint.totalBytes()}}}};
}

} // namespace

int runInfo(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    const std::optional<InfoOptions> options = parseArguments(args, err);
    if (!options)
        return 1;
    const std::unique_ptr<Checkpoint> checkpoint = openCheckpoint(options->path);
    if (options->json)
        // Invalid UTF-8 in names or metadata is replaced rather than aborting the dump.
        out << infoJson(*checkpoint).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
    else
        printText(*checkpoint, out);
    return 0;
}

} // namespace bitlens::cli
