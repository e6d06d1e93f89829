// SPDX-License-Identifier: MIT
#pragma once

#include "ComputeKernel.h"
#include "SpirvInstructions.h"

#include <cstdint>
#include <span>

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
// ComputeKernel's inputOctetsPerWorkgroup for shaders whose workgroups all read the whole input
// binding at the same indices (a scan): it must then fit the windows.
inline constexpr uint64_t kEveryWorkgroupReadsAllInput = UINT64_MAX;

// True when the SPIR-V module (spirvInstructions) declares a binding kInputWindowBinding
// (includes input_windows.glsl): its pipelines must bind the windows, read or not.
bool declaresInputWindows(std::span<const SpirvInstruction> module);

// octetsPerWorkgroup where a workgroup's input fits the windows' contract (a divisor of
// kInputWindowOctets, or kEveryWorkgroupReadsAllInput), 0 where it does not.
uint64_t windowedOctets(uint64_t octetsPerWorkgroup);

// Window `window` (0 .. kInputWindowCount - 1) of the dispatch whose input starts `skip` bytes
// into `input` (a multiple of kInputWindowCount * kInputWindowBytes): the next 64 KiB, cut at the
// input's end. A window past the end views the input's last bytes instead: the shader reads
// nothing there, but every window must be a valid binding. `input.size` must be known.
BufferRange inputWindow(const BufferRange& input, uint64_t skip, uint32_t window);

// A binding for windows the shader does not read (INPUT_WINDOWS false): up to 64 KiB (and up to
// the device's maxUniformBufferRange, at least 16 KiB) from the start of the input's buffer,
// which every device accepts as a uniform-buffer offset.
BufferRange unreadInputWindow(const BufferRange& input, uint64_t maxUniformBufferRange);

} // namespace bitlens
