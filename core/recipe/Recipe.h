// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"
#include "core/recipe/NamePattern.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bitlens {

// The target that leaves a tensor as stored.
inline constexpr std::string_view kKeep = "keep";

struct RecipeRule {
    NamePattern pattern;
    std::string target; // format id or "keep"
};

enum class DecisionSource : uint8_t { Override, Rule, Default, OneDimensional };

// What a recipe does with one tensor, and why.
struct RecipeDecision {
    std::string target;    // the format id applied, or "keep"
    std::string requested; // what the override/rule/default asked for (differs after a fallback)
    DecisionSource source = DecisionSource::Default;
    size_t ruleIndex = 0; // for DecisionSource::Rule
    std::string why;      // "override", "rule 2 (glob 'layers.*')", "default", "1-D tensor"
    // Empty, or "format q4_k does not fit row length 172 (...): fell back to keep".
    std::string fallback;

    bool keep() const { return target == kKeep; }
};

// The per-tensor format choice. Precedence: an override for the tensor's name, then (for tensors
// of two or more dimensions) the first matching rule, then the default; tensors of fewer than
// two dimensions (norms, biases, scalars) are kept unless an override names them. When the
// chosen format cannot take the tensor's row length, the fallback (keep or a format id) applies
// and the decision says so; a fallback that does not fit either keeps the tensor.
//
// JSON (version 1), every field but "version" optional:
//   {"version": 1, "default": "keep", "fallback": "keep",
//    "rules": [{"kind": "glob" | "regex", "pattern": "...", "format": "q4_k" | "keep"}],
//    "overrides": {"tensor name": "q8_0" | "keep"}}
// "kind" defaults to "glob". Unknown keys are errors (they are usually typos).
class Recipe {
public:
    // Keeps everything.
    Recipe() = default;
    // `--format ID`: ID for every tensor of two or more dimensions whose row length it fits,
    // every other tensor kept. Throws Error for an unknown id.
    static Recipe singleFormat(const std::string& formatId);

    // Setters validate targets (a known format id or "keep") and throw Error naming them.
    void setDefault(const std::string& target);
    void setFallback(const std::string& target);
    void addRule(PatternKind kind, const std::string& pattern, const std::string& target);
    // Replace or remove rule `index` (0-based); throw Error for an index out of range.
    void setRule(size_t index, PatternKind kind, const std::string& pattern,
                 const std::string& target);
    void removeRule(size_t index);
    void setOverride(const std::string& tensorName, const std::string& target);
    void removeOverride(const std::string& tensorName);

    const std::string& defaultTarget() const { return default_; }
    const std::string& fallbackTarget() const { return fallback_; }
    const std::vector<RecipeRule>& rules() const { return rules_; }
    const std::map<std::string, std::string>& overrides() const { return overrides_; }

    RecipeDecision resolve(const TensorInfo& tensor) const;

    nlohmann::json toJson() const;
    // Throws FileError(source, "field 'rules[1].format': ...") for anything malformed.
    static Recipe fromJson(const nlohmann::json& json, const std::filesystem::path& source);
    static Recipe load(const std::filesystem::path& path);
    // Writes a temporary file beside `path` and renames it: never leaves a half-written recipe.
    void save(const std::filesystem::path& path) const;

private:
    std::string default_{kKeep};
    std::string fallback_{kKeep};
    std::vector<RecipeRule> rules_;
    std::map<std::string, std::string> overrides_;
};

} // namespace bitlens
