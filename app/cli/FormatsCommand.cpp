// SPDX-License-Identifier: MIT
#include "cli/FormatsCommand.h"

#include "cli/ArgParser.h"
#include "cli/TextTable.h"
#include "core/quant/FormatRegistry.h"

#include <ostream>

namespace bitlens::cli {
namespace {

// Bits per weight are shown for a square matrix of this size, so that per-tensor fields count
// as they do in a real layer.
constexpr uint64_t kListedRowLength = 4096;

int runFormats(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        const ParsedArgs parsed = parseArgs(args, {}, {});
        if (!parsed.positional.empty())
            throw UsageError("unexpected argument '" + parsed.positional.front() + "'");
    } catch (const UsageError& error) {
        err << "bitlens-cli formats: " << error.what() << "\nusage: bitlens-cli formats\n";
        return 1;
    }
    TextTable table({{"format"}, {"bits/weight", TextTable::Align::Right}, {"description"}});
    for (const std::string& id : listedFormatIds()) {
        const auto format = makeFormat(id);
        const std::string reason = format->unsupportedReason(kListedRowLength);
        const MatrixShape matrix{kListedRowLength, kListedRowLength};
        table.addRow({id, reason.empty() ? fixed(format->bitsPerWeight(matrix), 4) : "n/a",
                      format->description()});
    }
    out << "bits/weight: every code, scale and zero point of a " << kListedRowLength << " x "
        << kListedRowLength << " matrix (row length " << kListedRowLength << ")\n";
    table.print(out);
    return 0;
}

} // namespace

Command formatsCommand() {
    return {"formats", "formats", "list every quantization format with its bits per weight",
            runFormats};
}

} // namespace bitlens::cli
