// SPDX-License-Identifier: MIT
#include "cli/Command.h"

#include <iostream>

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return bitlens::cli::runCommandLine(args, std::cout, std::cerr);
}
