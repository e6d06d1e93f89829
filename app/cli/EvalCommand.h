// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bitlens::cli {

// `eval MODEL --dataset IMAGES LABELS [--format ID] [--input-scale S] [--json]`: top-1 accuracy of
// a Keras classifier on an IDX data set and, with --format, of its quantized version against it.
int runEvalCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace bitlens::cli
