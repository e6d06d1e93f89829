// SPDX-License-Identifier: MIT
#include "core/text/SymbolMerge.h"

#include "core/text/UnicodeText.h"

#include <queue>

namespace bitlens {
namespace {

// A piece of the word in a doubly linked list; a merged-away piece keeps length 0.
struct Symbol {
    size_t start = 0;
    size_t length = 0;
    long previous = -1;
    long next = -1;
};

struct Candidate {
    double priority = 0;
    long left = 0;
    size_t length = 0; // of the merged text, to recognise candidates made stale by other merges

    bool operator<(const Candidate& other) const {
        // std::priority_queue pops the largest: highest priority, then smallest left index.
        return priority < other.priority || (priority == other.priority && left > other.left);
    }
};

} // namespace

std::vector<std::string_view> mergeSymbols(std::string_view word, const MergePriority& priority) {
    std::vector<Symbol> symbols;
    for (size_t at = 0; at < word.size();) {
        const size_t length = utf8CharAt(word, at).length;
        const long index = long(symbols.size());
        symbols.push_back({at, length, index - 1, -1});
        if (index > 0)
            symbols[size_t(index - 1)].next = index;
        at += length;
    }
    std::priority_queue<Candidate> queue;
    const auto consider = [&](long left, long right) {
        if (left < 0 || right < 0)
            return;
        const Symbol& a = symbols[size_t(left)];
        const Symbol& b = symbols[size_t(right)];
        const auto found = priority(word.substr(a.start, a.length), word.substr(b.start, b.length));
        if (found)
            queue.push({*found, left, a.length + b.length});
    };
    for (size_t i = 1; i < symbols.size(); ++i)
        consider(long(i - 1), long(i));

    while (!queue.empty()) {
        const Candidate candidate = queue.top();
        queue.pop();
        Symbol& left = symbols[size_t(candidate.left)];
        if (left.length == 0 || left.next < 0)
            continue;
        Symbol& right = symbols[size_t(left.next)];
        if (left.length + right.length != candidate.length)
            continue;
        left.length += right.length;
        right.length = 0;
        left.next = right.next;
        if (right.next >= 0)
            symbols[size_t(right.next)].previous = candidate.left;
        consider(left.previous, candidate.left);
        consider(candidate.left, left.next);
    }

    std::vector<std::string_view> pieces;
    for (long i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[size_t(i)].next)
        pieces.push_back(word.substr(symbols[size_t(i)].start, symbols[size_t(i)].length));
    return pieces;
}

} // namespace bitlens
