// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bitlens::cli {

// `bitlens-cli info FILE [--json]`: format, model summary and one row per tensor with totals.
// --json prints one object {format, metadata, model, tensors, totals}; in `metadata` every array
// longer than 16 items is shortened to {"array_length": N, "first": [5 items]}.
int runInfo(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace bitlens::cli
