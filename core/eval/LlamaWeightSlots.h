// SPDX-License-Identifier: MIT
#pragma once

#include "core/eval/LlamaConfig.h"

#include <initializer_list>
#include <vector>

namespace bitlens {

// One weight a llama forward pass reads: the checkpoint tensor and where its values go.
template <typename Buffer> struct LlamaWeightSlot {
    long tensor;
    Buffer* target;
};

// Every weight a llama forward pass reads: the embedding, the output norm, the separate output
// matrix (unless tied), then each layer's tensors; absent biases are left out. `layers` must hold
// config.layers elements whose members are named like LlamaLayerTensors' (attentionNorm, query,
// ... down), so the CPU model and a device engine fill their own buffers from one list.
template <typename Buffer, typename Layer>
std::vector<LlamaWeightSlot<Buffer>> llamaWeightSlots(const LlamaConfig& config, Buffer& embedding,
                                                      Buffer& outputNorm, Buffer& output,
                                                      std::vector<Layer>& layers) {
    using Slot = LlamaWeightSlot<Buffer>;
    std::vector<Slot> slots = {{long(config.tensors.embedding), &embedding},
                               {long(config.tensors.outputNorm), &outputNorm}};
    if (!config.tiedOutput)
        slots.push_back({long(config.tensors.output), &output});
    for (uint64_t i = 0; i < config.layers; ++i) {
        const LlamaLayerTensors& t = config.tensors.layers[i];
        Layer& layer = layers[i];
        for (const Slot& slot :
             std::initializer_list<Slot>{{long(t.attentionNorm), &layer.attentionNorm},
                                         {long(t.query), &layer.query},
                                         {long(t.key), &layer.key},
                                         {long(t.value), &layer.value},
                                         {long(t.attentionOutput), &layer.attentionOutput},
                                         {t.queryBias, &layer.queryBias},
                                         {t.keyBias, &layer.keyBias},
                                         {t.valueBias, &layer.valueBias},
                                         {t.attentionOutputBias, &layer.attentionOutputBias},
                                         {long(t.ffnNorm), &layer.ffnNorm},
                                         {long(t.gate), &layer.gate},
                                         {long(t.up), &layer.up},
                                         {long(t.down), &layer.down}})
            if (slot.tensor >= 0)
                slots.push_back(slot);
    }
    return slots;
}

} // namespace bitlens
