// SPDX-License-Identifier: MIT
#pragma once

#include "cli/Command.h"
#include "common/IsolatedCache.h"

#include <QStringList>
#include <sstream>
#include <string>
#include <vector>

namespace bitlens::test {

// What one `bitlens-cli ARGS...` run gave: the exit status and everything printed.
struct Run {
    int status = 0;
    std::string out;
    std::string err;
};

// Runs the command line in-process, as bitlens-cli's main() would, with the cache in a temporary
// folder (isolateCache).
inline Run run(const std::vector<std::string>& args) {
    isolateCache();
    std::ostringstream out;
    std::ostringstream err;
    const int status = cli::runCommandLine(args, out, err);
    return {status, out.str(), err.str()};
}

// The same with the arguments of a data-driven test row.
inline Run runRow(const QStringList& args) {
    std::vector<std::string> list;
    for (const QString& arg : args)
        list.push_back(arg.toStdString());
    return run(list);
}

} // namespace bitlens::test
