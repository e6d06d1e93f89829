// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bitlens::cli {

// `train-demo OUTPUT.h5 [--epochs N] [--seed S] [--data DIR]`: trains the demo classifier on
// Fashion-MNIST (DIR holds the four IDX files) and saves it as a Keras HDF5 file.
int runTrainDemoCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace bitlens::cli
