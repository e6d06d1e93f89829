// SPDX-License-Identifier: MIT
// A packed bit-field string (LSB first, as core/quant/PackedBytes.h packBitFields) written as
// 32-bit words. The includer declares the same buffer on binding 1 as `uint8_t packed[]` and as
// `uint packedWords[]`, bound at a multiple of 4 bytes. Words that hold only this string's bytes
// are stored whole as they fill; the first (where the string starts inside a word) and the last
// go out byte by byte at the end, so that the neighbouring strings other invocations write keep
// their bytes. llvmpipe moves every store lane by lane, so a word costs what a byte does, and it
// executes both sides of a branch: the shared first word is only kept in a register on the way.
#ifndef BITLENS_BIT_STREAM_GLSL
#define BITLENS_BIT_STREAM_GLSL

struct BitStream {
    uint first;       // index of the string's first word
    uint headSkip;    // bytes of the first word before the string
    uint head;        // the first word once complete (when headSkip > 0)
    uint word;        // index of the word that `pending` starts at
    uint skip;        // headSkip while `word` is the first word, then 0
    uint64_t pending; // the string's bits from word `word` on, above 8 * skip bits not its own
    uint bits;        // bits in `pending`, the skipped ones included
};

// Call order: bitStream, then appends with a flushWord after at most 32 bits of them (so that
// `pending` never overflows), then finishStream.
BitStream bitStream(uint at) {
    return BitStream(at / 4u, at % 4u, 0u, at / 4u, at % 4u, 0ul, 8u * (at % 4u));
}

// Appends the low `count` bits of `field` (count <= 32; `field` has no bits above them).
void append(inout BitStream stream, uint field, uint count) {
    stream.pending |= uint64_t(field) << stream.bits;
    stream.bits += count;
}

// Stores the word at the front of the string once all its bits are there (keeps it when it is
// a shared first word).
void flushWord(inout BitStream stream) {
    if (stream.bits >= 32u) {
        const uint word = uint(stream.pending & 0xfffffffful);
        if (stream.skip == 0u)
            packedWords[stream.word] = word;
        else
            stream.head = word;
        stream.skip = 0u;
        ++stream.word;
        stream.pending >>= 32;
        stream.bits -= 32u;
    }
}

// Stores the string's own bytes of its shared first word and of its last word (zero bits pad
// the last byte).
void finishStream(BitStream stream) {
    if (stream.headSkip != 0u && stream.word != stream.first) {
        [[unroll]] for (uint b = 1u; b < 4u; ++b) {
            if (b >= stream.headSkip)
                packed[4u * stream.first + b] = uint8_t((stream.head >> (8u * b)) & 0xffu);
        }
    }
    const uint last = uint(stream.pending & 0xfffffffful);
    [[unroll]] for (uint b = 0u; b < 4u; ++b) {
        if (b >= stream.skip && 8u * b < stream.bits)
            packed[4u * stream.word + b] = uint8_t((last >> (8u * b)) & 0xffu);
    }
}

#endif
