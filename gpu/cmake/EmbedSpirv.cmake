# SPDX-License-Identifier: MIT
# cmake -DINPUT=x.spv -DOUTPUT=x.cpp -DNAME=x -P EmbedSpirv.cmake
# Writes the SPIR-V words of INPUT as `const uint32_t bitlens::spirv::NAME[]` (and NAME_words).
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR remainder "${hex_length} % 8")
if(hex_length EQUAL 0 OR NOT remainder EQUAL 0)
    message(FATAL_ERROR "${INPUT}: not a SPIR-V module (size is not a whole number of words)")
endif()
math(EXPR words "${hex_length} / 8")
# SPIR-V files are little-endian words: bytes b0 b1 b2 b3 make 0xb3b2b1b0.
string(REGEX REPLACE "(..)(..)(..)(..)" "0x\\4\\3\\2\\1u," body "${hex}")
string(REGEX REPLACE "((0x[0-9a-f]+u,){8})" "\\1\n" body "${body}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT} by EmbedSpirv.cmake; do not edit.\n"
    "#include <cstddef>\n#include <cstdint>\n"
    "namespace bitlens::spirv {\n"
    "extern const uint32_t ${NAME}[] = {\n${body}\n};\n"
    "extern const size_t ${NAME}_words = ${words};\n"
    "} // namespace bitlens::spirv\n")
