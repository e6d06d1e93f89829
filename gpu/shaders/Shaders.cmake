# SPDX-License-Identifier: MIT
# Every shader variant compiled into bitlens_gpu (included by gpu/CMakeLists.txt).

# bitlens_add_quantizer(NAME SOURCE [DEFINE ...]): NAME, and NAME_f64 whose exact divisions go
# through doubles (common.glsl, DOUBLE_DIVISION) for devices with shaderFloat64.
function(bitlens_add_quantizer name source)
    bitlens_add_shader(${name} ${source} ${ARGN})
    bitlens_add_shader(${name}_f64 ${source} ${ARGN} DOUBLE_DIVISION)
    set(BITLENS_SPIRV_SOURCES ${BITLENS_SPIRV_SOURCES} PARENT_SCOPE)
    set(BITLENS_SPIRV_NAMES ${BITLENS_SPIRV_NAMES} PARENT_SCOPE)
endfunction()

bitlens_add_shader(convert_f16 convert.comp SOURCE_F16)
bitlens_add_shader(convert_bf16 convert.comp SOURCE_BF16)
bitlens_add_shader(copy_words copy_words.comp)
bitlens_add_shader(lane_probe lane_probe.comp) # tests check what the "_lanes" kernels assume
bitlens_add_shader(error_sums error_sums.comp)
bitlens_add_shader(histogram histogram.comp)
bitlens_add_shader(range range.comp)
# bitlens_add_held_quantizer(NAME SOURCE [DEFINE ...]): as bitlens_add_quantizer, and NAME_f64_held
# whose scale searches keep subnormal values in doubles (common.glsl, HeldFloat) for devices that
# may flush float32 subnormals.
function(bitlens_add_held_quantizer name source)
    bitlens_add_quantizer(${name} ${source} ${ARGN})
    bitlens_add_shader(${name}_f64_held ${source} ${ARGN} DOUBLE_DIVISION HELD_SUBNORMALS)
    set(BITLENS_SPIRV_SOURCES ${BITLENS_SPIRV_SOURCES} PARENT_SCOPE)
    set(BITLENS_SPIRV_NAMES ${BITLENS_SPIRV_NAMES} PARENT_SCOPE)
endfunction()

foreach(bits 2 3 4 5 6 7 8)
    bitlens_add_quantizer(int_quant_b${bits} int_quant.comp BITS=${bits})
    bitlens_add_quantizer(int_quant_b${bits}_lanes int_quant_lanes.comp BITS=${bits})
endforeach()
foreach(type q4_0 q4_1 q5_0 q5_1 q8_0 iq4_nl mxfp4)
    string(TOUPPER ${type} define)
    bitlens_add_held_quantizer(ggml_${type} ggml_small.comp ${define})
endforeach()
# The same formats with eight invocations per block, for GPUs (KernelLibrary's "_lanes").
foreach(type q4_0 q4_1 q5_0 q5_1 q8_0 mxfp4)
    string(TOUPPER ${type} define)
    bitlens_add_held_quantizer(ggml_${type}_lanes ggml_small_lanes.comp ${define})
endforeach()
foreach(type q2_k q3_k q4_k q5_k q6_k)
    string(TOUPPER ${type} define)
    bitlens_add_held_quantizer(ggml_${type} ggml_k.comp ${define})
endforeach()
foreach(element e4m3 e5m2 e2m3 e3m2 e2m1 int8)
    string(TOUPPER ${element} define)
    bitlens_add_shader(mx_${element} mx.comp ELEMENT_${define})
    bitlens_add_shader(mx_${element}_lanes mx_lanes.comp ELEMENT_${define})
endforeach()
bitlens_add_quantizer(fp8_e4m3 fp8.comp ELEMENT_E4M3)
bitlens_add_quantizer(fp8_e5m2 fp8.comp ELEMENT_E5M2)
bitlens_add_quantizer(nvfp4 nvfp4.comp)
bitlens_add_quantizer(normal_float normal_float.comp)
bitlens_add_quantizer(normal_float_lanes normal_float_lanes.comp)
bitlens_add_held_quantizer(exact_math exact_math.comp) # tests check exactDivide, exactSqrt
# Model forward-pass operators (gpu/src/*Op*.h).
bitlens_add_shader(matmul_out_in matmul.comp)
bitlens_add_shader(matmul_in_out matmul.comp WEIGHT_IN_OUT)
bitlens_add_shader(conv2d conv2d.comp)
bitlens_add_shader(pool_max pool.comp MAX)
bitlens_add_shader(pool_average pool.comp AVERAGE)
bitlens_add_shader(batchnorm batchnorm.comp)
bitlens_add_shader(activation activation.comp)
bitlens_add_shader(softmax softmax.comp)
bitlens_add_shader(rmsnorm rmsnorm.comp)
bitlens_add_shader(rope rope.comp)
bitlens_add_shader(swiglu swiglu.comp)
bitlens_add_shader(add add.comp)
bitlens_add_shader(attention attention.comp)
