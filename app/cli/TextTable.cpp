// SPDX-License-Identifier: MIT
#include "cli/TextTable.h"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace bitlens::cli {

TextTable::TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

void TextTable::addRow(std::vector<std::string> cells) {
    if (cells.size() != columns_.size())
        throw std::logic_error("table row has " + std::to_string(cells.size()) + " cells, not " +
                               std::to_string(columns_.size()));
    rows_.push_back(std::move(cells));
}

void TextTable::print(std::ostream& out) const {
    std::vector<size_t> widths;
    for (const Column& column : columns_)
        widths.push_back(column.title.size());
    for (const auto& row : rows_)
        for (size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());

    auto printRow = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (size_t c = 0; c < cells.size(); ++c) {
            const bool last = c + 1 == cells.size();
            const std::string padding(widths[c] - cells[c].size(), ' ');
            if (columns_[c].align == Align::Right)
                line += padding + cells[c];
            else
                line += last ? cells[c] : cells[c] + padding;
            if (!last)
                line += "  ";
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out << line << "\n";
    };
    std::vector<std::string> titles;
    for (const Column& column : columns_)
        titles.push_back(column.title);
    printRow(titles);
    for (const auto& row : rows_)
        printRow(row);
}

static std::string printed(const char* pattern, int precision, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, precision, value);
    return buffer;
}

std::string fixed(double value, int decimals) {
    return printed("%.*f", decimals, value);
}

std::string general(double value, int digits) {
    return printed("%.*g", digits, value);
}

} // namespace bitlens::cli
