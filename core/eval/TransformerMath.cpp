// SPDX-License-Identifier: MIT
#include "core/eval/TransformerMath.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace bitlens {

namespace {

void requireSize(std::span<const float> values, uint64_t expected, const char* what) {
    if (values.size() != expected)
        throw Error(std::string(what) + " holds " + std::to_string(values.size()) +
                    " values, expected " + std::to_string(expected));
}

} // namespace

void linearForward(std::span<const float> in, uint64_t positions, uint64_t inFeatures,
                   std::span<const float> weight, uint64_t outFeatures, std::span<float> out) {
    requireSize(in, positions * inFeatures, "linear input");
    requireSize(weight, outFeatures * inFeatures, "linear weight");
    requireSize(out, positions * outFeatures, "linear output");
    for (uint64_t p = 0; p < positions; ++p) {
        const float* row = in.data() + p * inFeatures;
        for (uint64_t r = 0; r < outFeatures; ++r) {
            const float* w = weight.data() + r * inFeatures;
            double sum = 0;
            for (uint64_t c = 0; c < inFeatures; ++c)
                sum += double(row[c]) * double(w[c]);
            out[p * outFeatures + r] = float(sum);
        }
    }
}

void rmsNorm(std::span<const float> in, uint64_t dim, std::span<const float> weight, float epsilon,
             std::span<float> out) {
    requireSize(weight, dim, "RMSNorm weight");
    requireSize(out, in.size(), "RMSNorm output");
    if (dim == 0 || in.size() % dim != 0)
        throw Error("RMSNorm input of " + std::to_string(in.size()) +
                    " values is not whole rows of " + std::to_string(dim));
    for (uint64_t base = 0; base < in.size(); base += dim) {
        double squares = 0;
        for (uint64_t i = 0; i < dim; ++i)
            squares += double(in[base + i]) * double(in[base + i]);
        const float inverse = float(1.0 / std::sqrt(squares / double(dim) + double(epsilon)));
        for (uint64_t i = 0; i < dim; ++i)
            out[base + i] = in[base + i] * inverse * weight[i];
    }
}

std::vector<double> ropeInverseFrequencies(uint64_t headDim, float theta) {
    if (headDim == 0 || headDim % 2 != 0)
        throw Error("rotary embedding needs an even head size, got " + std::to_string(headDim));
    std::vector<double> frequencies(headDim / 2);
    for (uint64_t i = 0; i < frequencies.size(); ++i)
        frequencies[i] = std::pow(double(theta), -2.0 * double(i) / double(headDim));
    return frequencies;
}

void applyRope(std::span<float> rows, uint64_t positions, uint64_t firstPosition, uint64_t heads,
               uint64_t headDim, float theta, RopePairing pairing) {
    applyRope(rows, positions, firstPosition, heads, headDim,
              ropeInverseFrequencies(headDim, theta), pairing);
}

void applyRope(std::span<float> rows, uint64_t positions, uint64_t firstPosition, uint64_t heads,
               uint64_t headDim, std::span<const double> inverseFrequencies, RopePairing pairing) {
    if (headDim == 0 || headDim % 2 != 0)
        throw Error("rotary embedding needs an even head size, got " + std::to_string(headDim));
    requireSize(rows, positions * heads * headDim, "rotary embedding rows");
    const uint64_t half = headDim / 2;
    if (inverseFrequencies.size() != half)
        throw Error("rotary embedding has " + std::to_string(inverseFrequencies.size()) +
                    " frequencies for a head of " + std::to_string(headDim));
    for (uint64_t p = 0; p < positions; ++p) {
        const double position = double(firstPosition + p);
        for (uint64_t h = 0; h < heads; ++h) {
            float* head = rows.data() + (p * heads + h) * headDim;
            for (uint64_t i = 0; i < half; ++i) {
                const double angle = position * inverseFrequencies[i];
                const float cosine = float(std::cos(angle));
                const float sine = float(std::sin(angle));
                float& first = pairing == RopePairing::Adjacent ? head[2 * i] : head[i];
                float& second = pairing == RopePairing::Adjacent ? head[2 * i + 1] : head[i + half];
                const float x = first;
                const float y = second;
                first = x * cosine - y * sine;
                second = x * sine + y * cosine;
            }
        }
    }
}

void softmaxRows(std::span<float> rows, uint64_t width) {
    if (width == 0 || rows.size() % width != 0)
        throw Error("softmax input of " + std::to_string(rows.size()) +
                    " values is not whole rows of " + std::to_string(width));
    for (uint64_t base = 0; base < rows.size(); base += width) {
        const std::span<float> row = rows.subspan(base, width);
        const float largest = *std::max_element(row.begin(), row.end());
        double sum = 0;
        for (float& value : row) {
            value = std::exp(value - largest);
            sum += value;
        }
        const float inverse = float(1.0 / sum);
        for (float& value : row)
            value *= inverse;
    }
}

void swiGlu(std::span<const float> gate, std::span<const float> up, std::span<float> out) {
    requireSize(up, gate.size(), "SwiGLU up projection");
    requireSize(out, gate.size(), "SwiGLU output");
    for (size_t i = 0; i < gate.size(); ++i)
        out[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void causalAttention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                     uint64_t positions, uint64_t heads, uint64_t kvHeads, uint64_t headDim,
                     std::span<float> out) {
    if (kvHeads == 0 || heads % kvHeads != 0)
        throw Error("attention with " + std::to_string(heads) + " heads cannot share " +
                    std::to_string(kvHeads) + " key/value heads");
    requireSize(q, positions * heads * headDim, "attention queries");
    requireSize(k, positions * kvHeads * headDim, "attention keys");
    requireSize(v, positions * kvHeads * headDim, "attention values");
    requireSize(out, q.size(), "attention output");
    const uint64_t group = heads / kvHeads;
    const double scale = 1.0 / std::sqrt(double(headDim));
    std::vector<float> scores(positions);
    for (uint64_t p = 0; p < positions; ++p) {
        for (uint64_t h = 0; h < heads; ++h) {
            const uint64_t kvHead = h / group;
            const float* query = q.data() + (p * heads + h) * headDim;
            for (uint64_t t = 0; t <= p; ++t) {
                const float* key = k.data() + (t * kvHeads + kvHead) * headDim;
                double dot = 0;
                for (uint64_t i = 0; i < headDim; ++i)
                    dot += double(query[i]) * double(key[i]);
                scores[t] = float(dot * scale);
            }
            softmaxRows(std::span<float>(scores.data(), p + 1), p + 1);
            float* result = out.data() + (p * heads + h) * headDim;
            for (uint64_t i = 0; i < headDim; ++i) {
                double sum = 0;
                for (uint64_t t = 0; t <= p; ++t)
                    sum += double(scores[t]) * double(v[(t * kvHeads + kvHead) * headDim + i]);
                result[i] = float(sum);
            }
        }
    }
}

} // namespace bitlens
