# SPDX-License-Identifier: MIT
# Every shader variant compiled into bitlens_gpu (included by gpu/CMakeLists.txt).
bitlens_add_shader(convert_f16 convert.comp SOURCE_F16)
bitlens_add_shader(convert_bf16 convert.comp SOURCE_BF16)
bitlens_add_shader(error_sums error_sums.comp)
bitlens_add_shader(histogram histogram.comp)
foreach(bits 2 3 4 5 6 7 8)
    bitlens_add_shader(int_quant_b${bits} int_quant.comp BITS=${bits})
endforeach()
foreach(type q4_0 q4_1 q5_0 q5_1 q8_0)
    string(TOUPPER ${type} define)
    bitlens_add_shader(ggml_${type} ggml_small.comp ${define})
endforeach()
