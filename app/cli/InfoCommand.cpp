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

constexpr size_t kMaxListedItems = 16;

std::string scalarText(const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>()
                             : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One "label value" line; an array of up to kMaxListedItems items also gets one indented line
// per item, so that e.g. Keras layers are listed but long vocabularies are not.
void printLabelled(std::ostream& out, const std::string& label, const nlohmann::json& value) {
    out << std::left << std::setw(20) << label << " ";
    if (value.is_object()) {
        out << "object of " << value.size() << " keys\n";
    } else if (!value.is_array()) {
        out << scalarText(value) << "\n";
    } else {
        out << "array of " << value.size() << "\n";
        if (value.size() <= kMaxListedItems)
            for (const nlohmann::json& item : value)
                out << "  " << scalarText(item) << "\n";
    }
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

// The stored type, marked when it is a ggml block type: such tensors are read decoded to float32
// (their "original" values), or cannot be read at all without a decoder.
std::string storedTypeText(DType dtype) {
    std::string text(dtypeName(dtype));
    if (dtypeInfo(dtype).isGgmlBlock)
        text += dtypeConvertibleToFloat(dtype) ? " (quantized)" : " (quantized, no decoder)";
    return text;
}

// Stored bits per value: the packed size for block types.
double storedBitsPerWeight(const TensorInfo& tensor) {
    const uint64_t count = tensor.elementCount();
    return count ? double(tensor.byteSize) * 8.0 / double(count) : 0.0;
}

void printText(const Checkpoint& checkpoint, std::ostream& out) {
    printLabelled(out, "file", checkpoint.source().string());
    printLabelled(out, "format", checkpoint.format());
    for (const auto& [key, value] : checkpoint.model().items())
        printLabelled(out, key, value);
    printLabelled(out, "metadata keys", checkpoint.metadata().size());
    const auto tokens = checkpoint.metadata().find("tokenizer.ggml.tokens");
    if (tokens != checkpoint.metadata().end() && tokens->is_array())
        printLabelled(out, "tokenizer tokens", tokens->size());
    out << "\n";

    std::vector<std::array<std::string, 5>> rows = {{"name", "shape", "dtype", "params", "bytes"}};
    for (const TensorInfo& tensor : checkpoint.tensors())
        rows.push_back({tensor.name, shapeText(tensor.shape), storedTypeText(tensor.dtype),
                        std::to_string(tensor.elementCount()), std::to_string(tensor.byteSize)});
    printTable(out, rows);
    out << "\n";
    printLabelled(out, "tensors", checkpoint.tensors().size());
    printLabelled(out, "parameters", checkpoint.totalParameters());
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
                           {"quantized", dtypeInfo(tensor.dtype).isGgmlBlock},
                           {"decodable", dtypeConvertibleToFloat(tensor.dtype)},
                           {"params", tensor.elementCount()},
                           {"bytes", tensor.byteSize},
                           {"bpw", storedBitsPerWeight(tensor)}});
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
