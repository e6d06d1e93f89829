// SPDX-License-Identifier: MIT
// A kernel's float input (binding 0) read as octets (float_octets.glsl) through one of two views,
// chosen by the specialization constant INPUT_WINDOWS (gpu/src/InputWindows.h, which also holds
// the binding and sizes below):
// - false: the storage buffer itself;
// - true: an array of INPUT_WINDOW_COUNT uniform buffers of INPUT_WINDOW_OCTETS octets each,
//   which ComputeKernel binds over consecutive stretches of the input for each dispatch.
//   llvmpipe loads a storage buffer lane by lane with a branch per lane but gathers a uniform
//   buffer without branches, several times faster.
// Contract: workgroup w reads only octets [w * P, (w + 1) * P) of the input, P the octets per
// workgroup given to ComputeKernel (a divisor of INPUT_WINDOW_OCTETS), so that every index into
// the array is the same across the workgroup, as arrays of uniform buffers require.
#ifndef BITLENS_INPUT_WINDOWS_GLSL
#define BITLENS_INPUT_WINDOWS_GLSL

#define INPUT_WINDOW_COUNT 8u
#define INPUT_WINDOW_OCTETS 2048u

layout(constant_id = 100) const bool INPUT_WINDOWS = false;
layout(std430, binding = 0) readonly buffer InputOctets {
    u64vec4 inputOctets[];
};
layout(std140, binding = 8) uniform InputWindow {
    u64vec4 octets[INPUT_WINDOW_OCTETS];
}
inputWindows[INPUT_WINDOW_COUNT];

// Octet `index` of the input: floats 8 * index .. 8 * index + 7.
u64vec4 inputOctet(uint index) {
    if (INPUT_WINDOWS)
        return inputWindows[(index / INPUT_WINDOW_OCTETS) % INPUT_WINDOW_COUNT]
            .octets[index % INPUT_WINDOW_OCTETS];
    return inputOctets[index];
}

#endif
