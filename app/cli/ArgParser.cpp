// SPDX-License-Identifier: MIT
#include "cli/ArgParser.h"

#include <algorithm>
#include <charconv>

namespace bitlens::cli {

std::optional<std::string> ParsedArgs::value(std::string_view name) const {
    if (auto found = values.find(name); found != values.end())
        return found->second;
    return std::nullopt;
}

uint64_t ParsedArgs::integer(std::string_view name, uint64_t low, uint64_t high,
                             uint64_t fallback) const {
    const auto text = value(name);
    if (!text)
        return fallback;
    uint64_t number = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), number);
    if (error != std::errc() || end != text->data() + text->size() || number < low || number > high)
        throw UsageError("--" + std::string(name) + " expects a whole number from " +
                         std::to_string(low) + " to " + std::to_string(high) + ", not '" + *text +
                         "'");
    return number;
}

ParsedArgs parseArgs(const std::vector<std::string>& args,
                     const std::vector<std::string_view>& valueOptions,
                     const std::vector<std::string_view>& flagOptions) {
    auto listed = [](const std::vector<std::string_view>& list, std::string_view name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    };
    ParsedArgs parsed;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
            parsed.positional.push_back(arg);
            continue;
        }
        const size_t equals = arg.find('=');
        const std::string name = arg.substr(2, equals == std::string::npos ? arg.npos : equals - 2);
        if (parsed.has(name))
            throw UsageError("option --" + name + " given twice");
        if (listed(flagOptions, name)) {
            if (equals != std::string::npos)
                throw UsageError("option --" + name + " takes no value");
            parsed.flags.insert(name);
        } else if (listed(valueOptions, name)) {
            if (equals != std::string::npos)
                parsed.values[name] = arg.substr(equals + 1);
            else if (i + 1 < args.size())
                parsed.values[name] = args[++i];
            else
                throw UsageError("option --" + name + " needs a value");
        } else {
            throw UsageError("unknown option --" + name);
        }
    }
    return parsed;
}

} // namespace bitlens::cli
