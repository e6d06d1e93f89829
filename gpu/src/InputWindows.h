// SPDX-License-Identifier: MIT
#pragma once

#include "ComputeKernel.h"

#include <cstdint>

namespace bitlens {

// The uniform-buffer view of a kernel's input (gpu/shaders/input_windows.glsl, which repeats
// these constants): kInputWindowCount windows of kInputWindowOctets float octets (32 bytes) at
// binding kInputWindowBinding, switched on by the specialization constant
// kInputWindowsConstantId.
inline constexpr uint32_t kInputWindowBinding = 8;
inline constexpr uint32_t kInputWindowCount = 8;
inline constexpr uint64_t kInputWindowOctets = 2048;
inline constexpr uint64_t kInputWindowBytes = kInputWindowOctets * 32; // 64 KiB
inline constexpr uint32_t kInputWindowsConstantId = 100;

// Window `window` (0 .. kInputWindowCount - 1) of the dispatch whose input starts `skip` bytes
// into `input` (a multiple of kInputWindowCount * kInputWindowBytes): the next 64 KiB, cut at the
// input's end. A window past the end views the input's last bytes instead: the shader reads
// nothing there, but every window must be a valid binding. `input.size` must be known.
BufferRange inputWindow(const BufferRange& input, uint64_t skip, uint32_t window);

// A binding for windows the shader does not read (INPUT_WINDOWS false): up to 64 KiB from the
// start of the input's buffer, which every device accepts as a uniform-buffer offset.
BufferRange unreadInputWindow(const BufferRange& input);

} // namespace bitlens
