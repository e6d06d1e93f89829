// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QWidget>
#include <cstdint>
#include <vector>

class QLabel;
class QTableWidget;

namespace bitlens {

class IndexStepper;

// One block of a quantized tensor: what each value became. Equal-length vectors.
struct BlockInspection {
    std::vector<float> values;      // the original values of the block, in row order
    std::vector<int64_t> codes;     // the integer code stored for each value
    std::vector<float> dequantized; // what each code decodes to
    QString scaleText;              // the block's scale fields, e.g. "d = 0.0123 (fp16)"
    std::vector<float> levels;      // every value a code of this block can decode to (for the
                                    // histogram's level lines; not shown by the inspector)
};

// For teaching: a table of one block (index, value, code, dequantized, error) under its scale
// fields, with a stepper that asks the caller for another block.
class BlockInspector : public QWidget {
    Q_OBJECT
public:
    enum Column {
        IndexColumn,
        ValueColumn,
        CodeColumn,
        DequantizedColumn,
        ErrorColumn,
        ColumnCount
    };

    explicit BlockInspector(QWidget* parent = nullptr);

    void setBlockCount(int count);
    void setCurrentBlock(int block);
    // Throws Error when the vectors differ in length.
    void setBlock(const BlockInspection& block);

    QTableWidget* table() const { return table_; }
    QLabel* scaleLabel() const { return scale_; }

signals:
    // The user chose another block (0-based).
    void blockRequested(int block);

private:
    QLabel* scale_;
    IndexStepper* stepper_;
    QTableWidget* table_;
};

} // namespace bitlens
