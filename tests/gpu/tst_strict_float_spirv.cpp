// SPDX-License-Identifier: MIT
#include "SpirvInstructions.h"
#include "SpirvRegistry.h"
#include "StrictFloatSpirv.h"
#include "core/util/Error.h"

#include <QTest>
#include <algorithm>
#include <map>
#include <set>

using namespace bitlens;

namespace {

using namespace spirv;
constexpr uint32_t kNoContraction = kDecorationNoContraction;

bool isFloatArithmetic(uint32_t opcode) {
    return opcode == 127 || opcode == 129 || opcode == 131 || opcode == 133 ||
           (opcode >= 136 && opcode <= 148 && opcode != 137 && opcode != 138 && opcode != 139);
}

struct ModuleCensus {
    size_t fma = 0;
    size_t floatArithmetic = 0;
    size_t fmul = 0;
    size_t float32Divisions = 0;
    size_t floatModulo = 0;
    std::set<uint32_t> glslInstructions;      // GLSL.std.450 instruction numbers used
    std::map<uint32_t, int> noContraction;    // id -> decorations
    std::set<uint32_t> undecoratedArithmetic; // float arithmetic result ids without one
};

// What a module holds, for the assertions below (the module uses one extended set, GLSL.std.450,
// as every BitLens shader does).
ModuleCensus census(std::span<const uint32_t> spirv, const std::string& name) {
    ModuleCensus result;
    std::map<uint32_t, uint32_t> floatWidth; // float scalar and vector types -> bits
    const std::vector<SpirvInstruction> instructions = spirvInstructions(spirv, name);
    for (const SpirvInstruction& instruction : instructions) {
        const std::span<const uint32_t> w = instruction.words;
        if (instruction.opcode == kOpTypeFloat)
            floatWidth[w[1]] = w[2];
        if (instruction.opcode == kOpTypeVector && floatWidth.contains(w[2]))
            floatWidth[w[1]] = floatWidth[w[2]];
        if (instruction.opcode == kOpDecorate && w.size() == 3 && w[2] == kNoContraction)
            ++result.noContraction[w[1]];
    }
    for (const SpirvInstruction& instruction : instructions) {
        const std::span<const uint32_t> w = instruction.words;
        if (instruction.opcode == kOpExtInst && w.size() >= 5) {
            result.glslInstructions.insert(w[4]);
            result.fma += w[4] == kGlslFma;
        }
        if (isFloatArithmetic(instruction.opcode)) {
            ++result.floatArithmetic;
            result.fmul += instruction.opcode == 133;
            if (!result.noContraction.contains(w[2]))
                result.undecoratedArithmetic.insert(w[2]);
        }
        if (instruction.opcode == kOpFDiv && floatWidth[w[1]] == 32)
            ++result.float32Divisions;
        result.floatModulo += instruction.opcode == kOpFMod || instruction.opcode == kOpFRem;
    }
    return result;
}

// The shader variants that quantize (everything but the model operators and the dtype, range,
// histogram and error-sum passes).
bool isQuantizer(const std::string& name) {
    for (const char* prefix :
         {"int_quant_", "ggml_", "fp8_", "nvfp4", "normal_float", "mx_", "exact_math"})
        if (name.starts_with(prefix))
            return true;
    return false;
}

std::vector<uint32_t> words(std::initializer_list<uint32_t> list) {
    return std::vector<uint32_t>(list);
}

} // namespace

// gpu/src/StrictFloatSpirv: no fused multiply-add survives, in the compiler's output or the
// driver's.
class TestStrictFloatSpirv : public QObject {
    Q_OBJECT
private slots:
    // A hand-assembled module: an Fma becomes a multiply (new id 10) and an add, and every float
    // arithmetic result is decorated once, the already decorated %9 and the integer add %8 not.
    void splitsFmaAndDecoratesArithmetic() {
        constexpr uint32_t kGlslName[] = {0x4c534c47, 0x6474732e, 0x3035342e, 0}; // "GLSL.std.450"
        std::vector<uint32_t> module = {0x07230203, 0x00010500, 0, 10, 0};
        module.insert(module.end(), {2u << 16 | 17, 1}); // OpCapability Shader
        module.insert(module.end(), {6u << 16 | 11, 1}); // %1 = OpExtInstImport
        module.insert(module.end(), std::begin(kGlslName), std::end(kGlslName));
        module.insert(module.end(), {3u << 16 | 14, 0, 1});              // OpMemoryModel
        module.insert(module.end(), {3u << 16 | 71, 9, kNoContraction}); // OpDecorate %9
        module.insert(module.end(), {3u << 16 | 22, 2, 32});             // %2 = OpTypeFloat 32
        module.insert(module.end(), {5u << 16 | 133, 2, 3, 4, 5});       // %3 = FMul %4 %5
        module.insert(module.end(), {8u << 16 | 12, 2, 6, 1, kGlslFma, 3, 4, 5}); // %6 = Fma
        module.insert(module.end(), {5u << 16 | 129, 2, 7, 6, 3});                // %7 = FAdd %6 %3
        module.insert(module.end(), {5u << 16 | 128, 2, 8, 3, 3});                // %8 = IAdd
        module.insert(module.end(), {5u << 16 | 131, 2, 9, 7, 3}); // %9 = FSub, decorated

        std::vector<uint32_t> expected = {0x07230203, 0x00010500, 0, 11, 0};
        expected.insert(expected.end(), module.begin() + 5, module.begin() + 19);
        for (uint32_t id : {3u, 10u, 6u, 7u})
            expected.insert(expected.end(), {3u << 16 | 71, id, kNoContraction});
        expected.insert(expected.end(), {3u << 16 | 22, 2, 32});
        expected.insert(expected.end(), {5u << 16 | 133, 2, 3, 4, 5});
        expected.insert(expected.end(), {5u << 16 | 133, 2, 10, 3, 4}); // %10 = FMul %3 %4
        expected.insert(expected.end(), {5u << 16 | 129, 2, 6, 10, 5}); // %6 = FAdd %10 %5
        expected.insert(expected.end(), {5u << 16 | 129, 2, 7, 6, 3});
        expected.insert(expected.end(), {5u << 16 | 128, 2, 8, 3, 3});
        expected.insert(expected.end(), {5u << 16 | 131, 2, 9, 7, 3});

        const std::vector<uint32_t> strict = strictFloatSpirv(module, "hand-made");
        QCOMPARE(strict, expected);
        QCOMPARE(strictFloatSpirv(strict, "hand-made"), strict);
    }

    // Every compiled variant: no Fma left, each multiply-add's product a multiply of its own,
    // every float arithmetic instruction decorated exactly once, and a second pass changes
    // nothing. Debian 12's glslc -O (SPIRV-Tools 2022.4) fuses multiply-adds in the float-only
    // quantizers, so at least one variant has an Fma to split.
    void everyVariantLosesItsFusedMultiplyAdds() {
        size_t fusedBefore = 0;
        for (const std::string& name : spirvModuleNames()) {
            const std::span<const uint32_t> original = spirvModule(name);
            const ModuleCensus before = census(original, name);
            const std::vector<uint32_t> strict = strictFloatSpirv(original, name);
            const ModuleCensus after = census(strict, name);
            fusedBefore += before.fma;
            QVERIFY2(after.fma == 0, name.c_str());
            QVERIFY2(after.fmul == before.fmul + before.fma, name.c_str());
            QVERIFY2(after.floatArithmetic == before.floatArithmetic + 2 * before.fma,
                     name.c_str());
            QVERIFY2(after.undecoratedArithmetic.empty(), name.c_str());
            QVERIFY2(std::all_of(after.noContraction.begin(), after.noContraction.end(),
                                 [](const auto& entry) { return entry.second == 1; }),
                     name.c_str());
            QVERIFY2(strict[kSpirvBoundWord] == original[kSpirvBoundWord] + before.fma,
                     name.c_str());
            QVERIFY2(strictFloatSpirv(strict, name) == strict, name.c_str());
        }
        QVERIFY(fusedBefore > 0);
    }

    // The quantizers use only operations Vulkan requires to be exact (correctly rounded or
    // exact by nature): no sqrt, exp, log or pow (approximate), no OpFMod or OpFRem (defined
    // through an approximate division), no Fma, and in the variants with doubles no float
    // division at all ("_f64", "_f64_held").
    void quantizersUseOnlyExactOperations() {
        // RoundEven, Trunc, FAbs, SAbs, Floor, Ceil, the min/max/clamp family, PackDouble2x32
        // (59) and UnpackDouble2x32 (65), FindILsb, FindSMsb, FindUMsb
        const std::set<uint32_t> exact = {2,  3,  4,  5,  8,  9,  37, 38, 39, 40,
                                          41, 42, 43, 44, 45, 59, 65, 73, 74, 75};
        size_t checked = 0;
        for (const std::string& name : spirvModuleNames()) {
            if (!isQuantizer(name))
                continue;
            ++checked;
            const ModuleCensus found = census(strictFloatSpirv(spirvModule(name), name), name);
            for (const uint32_t instruction : found.glslInstructions)
                QVERIFY2(exact.contains(instruction),
                         qPrintable(QString("%1 uses GLSL.std.450 instruction %2")
                                        .arg(QString::fromStdString(name))
                                        .arg(instruction)));
            QVERIFY2(found.floatModulo == 0, name.c_str());
            if (name.find("_f64") != std::string::npos)
                QVERIFY2(found.float32Divisions == 0, name.c_str());
        }
        QVERIFY(checked >= 40);
    }

    void malformedModulesAreRefused() {
        const std::vector<uint32_t> notSpirv = words({0x12345678, 0, 0, 1, 0});
        QVERIFY_THROWS_EXCEPTION(Error, strictFloatSpirv(notSpirv, "odd"));
        // an instruction claiming 9 words where 3 are left
        const std::vector<uint32_t> truncated =
            words({0x07230203, 0, 0, 5, 0, 9u << 16 | 22, 2, 32});
        try {
            strictFloatSpirv(truncated, "cut.spv");
            QFAIL("a truncated module was accepted");
        } catch (const Error& error) {
            QVERIFY(std::string(error.what()).find("cut.spv") != std::string::npos);
            QVERIFY(std::string(error.what()).find("word 5") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestStrictFloatSpirv)
#include "tst_strict_float_spirv.moc"
