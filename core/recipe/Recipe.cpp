// SPDX-License-Identifier: MIT
#include "core/recipe/Recipe.h"

#include "core/quant/FormatRegistry.h"
#include "core/util/Error.h"

#include <fstream>
#include <set>

namespace bitlens {
namespace {

// Throws Error (from the registry) for an unknown format id.
std::string checkedTarget(const std::string& target) {
    if (target != kKeep)
        makeFormat(target);
    return target;
}

// Applies the fallback when `decision.requested` cannot take rows of `rowLength` values.
void applyFallback(RecipeDecision& decision, const std::string& fallback, uint64_t rowLength) {
    decision.target = decision.requested;
    if (decision.requested == kKeep)
        return;
    const std::string reason = makeFormat(decision.requested)->unsupportedReason(rowLength);
    if (reason.empty())
        return;
    const std::string misfit = "format " + decision.requested + " does not fit row length " +
                               std::to_string(rowLength) + " (" + reason + ")";
    std::string fallbackMisfit;
    if (fallback != kKeep)
        fallbackMisfit = makeFormat(fallback)->unsupportedReason(rowLength);
    decision.target = fallbackMisfit.empty() ? fallback : std::string(kKeep);
    decision.fallback = misfit + ": fell back to " + decision.target;
    if (!fallbackMisfit.empty())
        decision.fallback +=
            " (fallback " + fallback + " does not fit either: " + fallbackMisfit + ")";
}

// Field access for fromJson: every problem names the file and the field.
class JsonFields {
public:
    explicit JsonFields(const std::filesystem::path& source) : source_(source) {}

    [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
        throw FileError(source_, "field '" + field + "': " + problem);
    }
    // `allowed` empty: any key.
    const nlohmann::json& object(const nlohmann::json& json, const std::string& field,
                                 const std::set<std::string>& allowed) const {
        if (!json.is_object())
            fail(field.empty() ? "(top level)" : field,
                 "expected an object, found " + std::string(json.type_name()));
        for (const auto& [key, value] : json.items())
            if (!allowed.empty() && !allowed.contains(key))
                fail(field.empty() ? key : field + "." + key, "unknown key");
        return json;
    }
    std::string string(const nlohmann::json& json, const std::string& field) const {
        if (!json.is_string())
            fail(field, "expected a string, found " + std::string(json.type_name()));
        return json.get<std::string>();
    }
    std::string target(const nlohmann::json& json, const std::string& field) const {
        const std::string value = string(json, field);
        try {
            return checkedTarget(value);
        } catch (const Error& error) {
            fail(field, error.what());
        }
    }

private:
    const std::filesystem::path& source_;
};

} // namespace

Recipe Recipe::singleFormat(const std::string& formatId) {
    Recipe recipe;
    recipe.setDefault(formatId);
    return recipe;
}

void Recipe::setDefault(const std::string& target) {
    default_ = checkedTarget(target);
}

void Recipe::setFallback(const std::string& target) {
    fallback_ = checkedTarget(target);
}

void Recipe::addRule(PatternKind kind, const std::string& pattern, const std::string& target) {
    NamePattern compiled(kind, pattern);
    rules_.push_back({std::move(compiled), checkedTarget(target)});
}

void Recipe::setRule(size_t index, PatternKind kind, const std::string& pattern,
                     const std::string& target) {
    if (index >= rules_.size())
        throw Error("rule " + std::to_string(index + 1) + " does not exist");
    NamePattern compiled(kind, pattern);
    rules_[index] = {std::move(compiled), checkedTarget(target)};
}

void Recipe::removeRule(size_t index) {
    if (index >= rules_.size())
        throw Error("rule " + std::to_string(index + 1) + " does not exist");
    rules_.erase(rules_.begin() + long(index));
}

void Recipe::setOverride(const std::string& tensorName, const std::string& target) {
    overrides_[tensorName] = checkedTarget(target);
}

void Recipe::removeOverride(const std::string& tensorName) {
    overrides_.erase(tensorName);
}

RecipeDecision Recipe::resolve(const TensorInfo& tensor) const {
    RecipeDecision decision;
    if (auto found = overrides_.find(tensor.name); found != overrides_.end()) {
        decision.requested = found->second;
        decision.source = DecisionSource::Override;
        decision.why = "override";
    } else if (tensor.shape.size() < 2) {
        decision.requested = kKeep;
        decision.source = DecisionSource::OneDimensional;
        decision.why = tensor.shape.empty() ? "scalar" : "1-D tensor";
    } else {
        decision.requested = default_;
        decision.why = "default";
        for (size_t i = 0; i < rules_.size(); ++i) {
            if (!rules_[i].pattern.matches(tensor.name))
                continue;
            decision.requested = rules_[i].target;
            decision.source = DecisionSource::Rule;
            decision.ruleIndex = i;
            decision.why = "rule " + std::to_string(i + 1) + " (" +
                           std::string(patternKindName(rules_[i].pattern.kind())) + " '" +
                           rules_[i].pattern.text() + "')";
            break;
        }
    }
    applyFallback(decision, fallback_, quantizationShape(tensor).rowLength);
    return decision;
}

nlohmann::json Recipe::toJson() const {
    nlohmann::json rules = nlohmann::json::array();
    for (const RecipeRule& rule : rules_)
        rules.push_back({{"kind", patternKindName(rule.pattern.kind())},
                         {"pattern", rule.pattern.text()},
                         {"format", rule.target}});
    return {{"version", 1},
            {"default", default_},
            {"fallback", fallback_},
            {"rules", rules},
            {"overrides", overrides_}};
}

Recipe Recipe::fromJson(const nlohmann::json& json, const std::filesystem::path& source) {
    const JsonFields fields(source);
    fields.object(json, "", {"version", "default", "fallback", "rules", "overrides"});
    if (!json.contains("version"))
        fields.fail("version", "missing (expected 1)");
    if (!json["version"].is_number_integer() || json["version"].get<int64_t>() != 1)
        fields.fail("version", "unsupported recipe version " + json["version"].dump() +
                                   " (this BitLens reads version 1)");
    Recipe recipe;
    if (json.contains("default"))
        recipe.default_ = fields.target(json["default"], "default");
    if (json.contains("fallback"))
        recipe.fallback_ = fields.target(json["fallback"], "fallback");
    if (json.contains("rules")) {
        const nlohmann::json& rules = json["rules"];
        if (!rules.is_array())
            fields.fail("rules", "expected an array, found " + std::string(rules.type_name()));
        for (size_t i = 0; i < rules.size(); ++i) {
            const std::string field = "rules[" + std::to_string(i) + "]";
            const nlohmann::json& rule =
                fields.object(rules[i], field, {"kind", "pattern", "format"});
            PatternKind kind = PatternKind::Glob;
            if (rule.contains("kind")) {
                const std::string name = fields.string(rule["kind"], field + ".kind");
                if (name != "glob" && name != "regex")
                    fields.fail(field + ".kind",
                                "'" + name + "' is neither \"glob\" nor \"regex\"");
                kind = name == "glob" ? PatternKind::Glob : PatternKind::Regex;
            }
            if (!rule.contains("pattern"))
                fields.fail(field + ".pattern", "missing");
            if (!rule.contains("format"))
                fields.fail(field + ".format", "missing");
            const std::string pattern = fields.string(rule["pattern"], field + ".pattern");
            const std::string target = fields.target(rule["format"], field + ".format");
            try {
                recipe.rules_.push_back({NamePattern(kind, pattern), target});
            } catch (const Error& error) {
                fields.fail(field + ".pattern", error.what());
            }
        }
    }
    if (json.contains("overrides")) {
        const nlohmann::json& overrides = fields.object(json["overrides"], "overrides", {});
        for (const auto& [name, target] : overrides.items())
            recipe.overrides_[name] = fields.target(target, "overrides." + name);
    }
    return recipe;
}

Recipe Recipe::load(const std::filesystem::path& path) {
    std::ifstream stream(path, std::ios::binary);
    if (!stream)
        throw FileError(path, "cannot be read");
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(stream);
    } catch (const nlohmann::json::exception& error) {
        throw FileError(path, std::string("not valid JSON: ") + error.what());
    }
    return fromJson(json, path);
}

void Recipe::save(const std::filesystem::path& path) const {
    std::filesystem::path temporary = path;
    temporary += ".tmp";
    {
        std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
        stream << toJson().dump(2) << "\n";
        stream.close();
        if (!stream) {
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            throw FileError(path, "cannot be written");
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::filesystem::remove(temporary, error);
        throw FileError(path, "cannot be written: " + error.message());
    }
}

} // namespace bitlens
