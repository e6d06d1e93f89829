// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bitlens::cli {

// A plain-text table: columns padded to their widest cell, numbers right-aligned; the last
// column is not padded (it may hold free text).
class TextTable {
public:
    enum class Align { Left, Right };
    struct Column {
        std::string title;
        Align align = Align::Left;
    };

    explicit TextTable(std::vector<Column> columns);
    // Throws std::logic_error when the cell count differs from the column count.
    void addRow(std::vector<std::string> cells);
    void print(std::ostream& out) const;

private:
    std::vector<Column> columns_;
    std::vector<std::vector<std::string>> rows_;
};

// printf-style "%.*f" / "%.*g" without <format>.
std::string fixed(double value, int decimals);
std::string general(double value, int digits);

} // namespace bitlens::cli
