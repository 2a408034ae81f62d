#include "fabricperf/results/validate.hpp"

#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>

#include "fabricperf/results/row_arithmetic.hpp"
#include "pattern.hpp"

namespace fabricperf::results {
namespace {

// The schema compiled once into a tree of plain structs, so validating a document with millions
// of rows does no keyword lookups, no pointer parsing and no allocation unless there is a problem.
enum TypeBit : unsigned {
  kNull = 1,
  kBoolean = 2,
  kInteger = 4,
  kNumber = 8,
  kString = 16,
  kArray = 32,
  kObject = 64,
};

struct Node {
  bool never = false;  // the schema `false`
  unsigned types = 0;  // 0: any
  std::string type_text;
  const nlohmann::json* const_value = nullptr;
  const nlohmann::json* enum_values = nullptr;
  std::vector<std::string> required;
  std::unordered_map<std::string, const Node*> properties;
  bool forbid_additional = false;
  const Node* additional = nullptr;
  const Node* items = nullptr;
  std::optional<double> min_items, max_items, min_length, minimum, maximum;
  std::optional<Pattern> pattern;  // no std::regex: it recurses per character
  std::string pattern_text;
  const Node* ref = nullptr;
  std::vector<const Node*> all_of, any_of, one_of;
  const Node* if_ = nullptr;  // with then_/else_: the branch that applies is validated
  const Node* then_ = nullptr;
  const Node* else_ = nullptr;
  const Node* not_ = nullptr;
};

unsigned type_bit(const std::string& name) {
  if (name == "null") return kNull;
  if (name == "boolean") return kBoolean;
  if (name == "integer") return kInteger;
  if (name == "number") return kNumber | kInteger;
  if (name == "string") return kString;
  if (name == "array") return kArray;
  if (name == "object") return kObject;
  return 0;
}

class CompiledSchema {
 public:
  explicit CompiledSchema(const nlohmann::json& root) : root_json_(root) { root_ = compile(root); }
  [[nodiscard]] const Node* root() const { return root_; }

 private:
  const Node* compile(const nlohmann::json& schema) {
    if (const auto it = compiled_.find(&schema); it != compiled_.end()) return it->second;
    Node& node = nodes_.emplace_back();
    compiled_[&schema] = &node;  // before recursing: references may come back here
    if (schema.is_boolean()) {
      node.never = !schema.get<bool>();
      return &node;
    }
    if (!schema.is_object()) return &node;
    if (const auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
      const std::string text = ref->get<std::string>();
      if (text.starts_with("#")) {
        try {
          node.ref = compile(root_json_.at(nlohmann::json::json_pointer(text.substr(1))));
        } catch (const nlohmann::json::exception&) {
          // unresolvable references constrain nothing, as remote ones (not used) would not
        }
      }
    }
    if (const auto type = schema.find("type"); type != schema.end()) {
      const nlohmann::json names = type->is_array() ? *type : nlohmann::json::array({*type});
      for (const auto& t : names) {
        if (!t.is_string()) continue;
        node.types |= type_bit(t.get<std::string>());
        node.type_text += (node.type_text.empty() ? "" : " or ") + t.get<std::string>();
      }
      if (node.types == 0) node.types = ~0U;
    }
    if (const auto c = schema.find("const"); c != schema.end()) node.const_value = &*c;
    if (const auto e = schema.find("enum"); e != schema.end() && e->is_array()) node.enum_values = &*e;
    if (const auto r = schema.find("required"); r != schema.end() && r->is_array())
      for (const auto& key : *r)
        if (key.is_string()) node.required.push_back(key.get<std::string>());
    if (const auto props = schema.find("properties"); props != schema.end() && props->is_object())
      for (const auto& [key, sub] : props->items()) node.properties[key] = compile(sub);
    if (const auto add = schema.find("additionalProperties"); add != schema.end()) {
      if (add->is_boolean())
        node.forbid_additional = !add->get<bool>();
      else
        node.additional = compile(*add);
    }
    if (const auto items = schema.find("items"); items != schema.end()) node.items = compile(*items);
    const auto number = [&](const char* key, std::optional<double>& out) {
      if (const auto it = schema.find(key); it != schema.end() && it->is_number()) out = it->get<double>();
    };
    number("minItems", node.min_items);
    number("maxItems", node.max_items);
    number("minLength", node.min_length);
    number("minimum", node.minimum);
    number("maximum", node.maximum);
    if (const auto p = schema.find("pattern"); p != schema.end() && p->is_string()) {
      node.pattern_text = p->get<std::string>();
      node.pattern.emplace(node.pattern_text);
    }
    for (const auto& [key, list] :
         {std::pair{"allOf", &node.all_of}, std::pair{"anyOf", &node.any_of}, std::pair{"oneOf", &node.one_of}})
      if (const auto it = schema.find(key); it != schema.end() && it->is_array())
        for (const auto& sub : *it) list->push_back(compile(sub));
    for (const auto& [key, slot] : {std::pair{"if", &node.if_}, std::pair{"then", &node.then_},
                                    std::pair{"else", &node.else_}, std::pair{"not", &node.not_}})
      if (const auto it = schema.find(key); it != schema.end()) *slot = compile(*it);
    return &node;
  }

  const nlohmann::json& root_json_;
  std::deque<Node> nodes_;  // stable addresses
  std::map<const nlohmann::json*, const Node*> compiled_;
  const Node* root_ = nullptr;
};

// Where the validator is, as a chain on the stack; turned into text only for a problem.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;
  std::size_t index = 0;
  bool is_index = false;

  [[nodiscard]] std::string text() const {
    std::vector<const Path*> chain;
    for (const Path* p = this; p != nullptr && (p->parent != nullptr || !p->key.empty() || p->is_index); p = p->parent)
      chain.push_back(p);
    std::string out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      out += (out.empty() ? "" : "/") + ((*it)->is_index ? std::to_string((*it)->index) : std::string((*it)->key));
    return out;
  }
};

const char* type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return "boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "integer";
    case nlohmann::json::value_t::number_float:
      return "number";
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::array:
      return "array";
    case nlohmann::json::value_t::object:
      return "object";
    default:
      return "unknown";
  }
}

// JSON Schema's integer: any number with a zero fractional part (1.0 is one).
unsigned value_bits(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return kNull;
    case nlohmann::json::value_t::boolean:
      return kBoolean;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return kInteger | kNumber;
    case nlohmann::json::value_t::number_float: {
      const double d = value.get<double>();
      return std::isfinite(d) && d == std::floor(d) ? kInteger | kNumber : kNumber;
    }
    case nlohmann::json::value_t::string:
      return kString;
    case nlohmann::json::value_t::array:
      return kArray;
    case nlohmann::json::value_t::object:
      return kObject;
    default:
      return 0;
  }
}

std::size_t utf8_length(const std::string& text) {
  std::size_t n = 0;
  for (const unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string short_dump(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::string limit_text(double v) {
  return nlohmann::json(v == std::floor(v) ? nlohmann::json(static_cast<long long>(v)) : nlohmann::json(v)).dump();
}

void validate(const nlohmann::json& value, const Node& node, const Path& path, std::vector<Problem>& out) {
  if (node.never) {
    out.push_back({path.text(), "not allowed here"});
    return;
  }
  if (node.ref != nullptr) validate(value, *node.ref, path, out);
  const unsigned bits = value_bits(value);
  if (node.types != 0 && (bits & node.types) == 0) {
    out.push_back({path.text(), "expected " + node.type_text + ", got " + type_name(value)});
    return;  // the other keywords would only repeat the problem
  }
  if (node.const_value != nullptr && value != *node.const_value)
    out.push_back({path.text(), "expected " + short_dump(*node.const_value) + ", got " + short_dump(value)});
  if (node.enum_values != nullptr) {
    bool found = false;
    for (const auto& option : *node.enum_values) found = found || option == value;
    if (!found) out.push_back({path.text(), short_dump(value) + " is not one of " + short_dump(*node.enum_values)});
  }
  if (bits & kString) {
    const auto& text = value.get_ref<const std::string&>();
    if (node.min_length && utf8_length(text) < *node.min_length)
      out.push_back({path.text(), "string shorter than " + limit_text(*node.min_length) + " characters"});
    if (node.pattern && !node.pattern->search(text))
      out.push_back({path.text(), short_dump(value) + " does not match " + node.pattern_text});
  }
  if (bits & kNumber) {
    const double number = value.get<double>();
    if (node.minimum && number < *node.minimum)
      out.push_back({path.text(), "value below the minimum " + limit_text(*node.minimum)});
    if (node.maximum && number > *node.maximum)
      out.push_back({path.text(), "value above the maximum " + limit_text(*node.maximum)});
  }
  if (bits & kArray) {
    if (node.min_items && value.size() < *node.min_items)
      out.push_back({path.text(), "fewer than " + limit_text(*node.min_items) + " items"});
    if (node.max_items && value.size() > *node.max_items)
      out.push_back({path.text(), "more than " + limit_text(*node.max_items) + " items"});
    if (node.items != nullptr)
      for (std::size_t i = 0; i < value.size(); ++i) validate(value[i], *node.items, Path{&path, {}, i, true}, out);
  }
  if (bits & kObject) {
    for (const auto& key : node.required)
      if (!value.contains(key)) out.push_back({path.text(), "missing required property '" + key + "'"});
    if (!node.properties.empty() || node.forbid_additional || node.additional != nullptr) {
      for (const auto& [key, member] : value.items()) {
        const auto it = node.properties.find(key);
        const Path here{&path, key, 0, false};
        if (it != node.properties.end())
          validate(member, *it->second, here, out);
        else if (node.forbid_additional)
          out.push_back({path.text(), "unexpected property '" + key + "'"});
        else if (node.additional != nullptr)
          validate(member, *node.additional, here, out);
      }
    }
  }
  for (const Node* sub : node.all_of) validate(value, *sub, path, out);
  const auto count_valid = [&](const std::vector<const Node*>& list) {
    std::size_t valid = 0;
    for (const Node* sub : list) {
      std::vector<Problem> scratch;
      validate(value, *sub, path, scratch);
      valid += scratch.empty();
    }
    return valid;
  };
  if (node.if_ != nullptr) {
    std::vector<Problem> scratch;
    validate(value, *node.if_, path, scratch);
    const Node* branch = scratch.empty() ? node.then_ : node.else_;
    if (branch != nullptr) validate(value, *branch, path, out);
  }
  if (node.not_ != nullptr) {
    std::vector<Problem> scratch;
    validate(value, *node.not_, path, scratch);
    if (scratch.empty()) out.push_back({path.text(), "matches a form that is not allowed here (not)"});
  }
  if (!node.any_of.empty() && count_valid(node.any_of) == 0)
    out.push_back({path.text(), "matches none of the allowed forms (anyOf)"});
  if (!node.one_of.empty()) {
    const std::size_t valid = count_valid(node.one_of);
    if (valid != 1)
      out.push_back({path.text(), valid == 0 ? "matches none of the allowed forms (oneOf)"
                                             : "matches more than one of the exclusive forms (oneOf)"});
  }
}

std::vector<Problem> run(const nlohmann::json& doc, const CompiledSchema& schema) {
  std::vector<Problem> problems;
  validate(doc, *schema.root(), Path{}, problems);
  for (auto& p : problems)
    if (p.where.empty()) p.where = "(document)";
  return problems;
}

}  // namespace

const nlohmann::json& embedded_schema() {
  static const nlohmann::json schema = nlohmann::json::parse(embedded_schema_text());
  return schema;
}

const nlohmann::json& embedded_schema_v1() {
  static const nlohmann::json schema = nlohmann::json::parse(embedded_schema_v1_text());
  return schema;
}

std::vector<Problem> validate_against(const nlohmann::json& doc, const nlohmann::json& schema) {
  return run(doc, CompiledSchema(schema));
}

std::vector<Problem> validate_document(const nlohmann::json& doc) {
  static const CompiledSchema compiled(embedded_schema());  // immutable once built
  static const CompiledSchema compiled_v1(embedded_schema_v1());
  if (doc.is_object() && doc.contains("schema") && doc["schema"] == kSchemaV1Id) return run(doc, compiled_v1);
  std::vector<Problem> problems = run(doc, compiled);
  for (auto& p : check_row_arithmetic(doc)) problems.push_back(std::move(p));
  return problems;
}

std::string to_string(const Problem& problem) {
  return problem.where + ": " + problem.message;
}

}  // namespace fabricperf::results
