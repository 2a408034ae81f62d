#include "fabricperf/results/validate.hpp"

#include <cmath>
#include <map>
#include <regex>

namespace fabricperf::results {
namespace {

const char* type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "integer";
    case nlohmann::json::value_t::number_float: return "number";
    case nlohmann::json::value_t::string: return "string";
    case nlohmann::json::value_t::array: return "array";
    case nlohmann::json::value_t::object: return "object";
    default: return "unknown";
  }
}

bool is_integral(const nlohmann::json& value) {
  if (value.is_number_integer()) return true;
  if (!value.is_number_float()) return false;
  const double d = value.get<double>();
  return std::isfinite(d) && d == static_cast<double>(static_cast<long long>(d));
}

bool has_type(const nlohmann::json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "integer") return is_integral(value);
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  return false;
}

std::size_t utf8_length(const std::string& text) {
  std::size_t n = 0;
  for (const unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "/" + key;
}

std::string short_dump(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

class Validator {
 public:
  explicit Validator(const nlohmann::json& root) : root_(root) {}

  void validate(const nlohmann::json& value, const nlohmann::json& schema, const std::string& path,
                std::vector<Problem>& out) {
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) out.push_back({path, "not allowed here"});
      return;
    }
    if (!schema.is_object()) return;
    if (const auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
      validate(value, resolve(ref->get<std::string>()), path, out);
    }
    if (const auto type = schema.find("type"); type != schema.end()) {
      bool ok = false;
      std::string wanted;
      if (type->is_string()) {
        ok = has_type(value, type->get<std::string>());
        wanted = type->get<std::string>();
      } else if (type->is_array()) {
        for (const auto& t : *type) {
          if (!t.is_string()) continue;
          ok = ok || has_type(value, t.get<std::string>());
          wanted += (wanted.empty() ? "" : " or ") + t.get<std::string>();
        }
      }
      if (!ok) {
        out.push_back({path, "expected " + wanted + ", got " + type_name(value)});
        return;  // the other keywords would only repeat the problem
      }
    }
    if (const auto c = schema.find("const"); c != schema.end() && value != *c)
      out.push_back({path, "expected " + short_dump(*c) + ", got " + short_dump(value)});
    if (const auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
      bool found = false;
      for (const auto& option : *e) found = found || option == value;
      if (!found) out.push_back({path, short_dump(value) + " is not one of " + short_dump(*e)});
    }
    if (value.is_string()) check_string(value.get_ref<const std::string&>(), schema, path, out);
    if (value.is_number()) check_number(value.get<double>(), schema, path, out);
    if (value.is_array()) check_array(value, schema, path, out);
    if (value.is_object()) check_object(value, schema, path, out);
    check_combinators(value, schema, path, out);
  }

 private:
  const nlohmann::json& resolve(const std::string& ref) {
    static const nlohmann::json nothing = nlohmann::json::object();
    if (ref.empty() || ref[0] != '#') return nothing;  // remote references are not used
    try {
      return root_.at(nlohmann::json::json_pointer(ref.substr(1)));
    } catch (const nlohmann::json::exception&) {
      return nothing;
    }
  }

  const std::regex& regex(const std::string& pattern) {
    auto it = regexes_.find(pattern);
    if (it == regexes_.end()) it = regexes_.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
    return it->second;
  }

  void check_string(const std::string& text, const nlohmann::json& schema, const std::string& path,
                    std::vector<Problem>& out) {
    if (const auto m = schema.find("minLength"); m != schema.end() && m->is_number() &&
                                                 utf8_length(text) < m->get<double>())
      out.push_back({path, "string shorter than " + m->dump() + " characters"});
    if (const auto p = schema.find("pattern"); p != schema.end() && p->is_string() &&
                                               !std::regex_search(text, regex(p->get<std::string>())))
      out.push_back({path, short_dump(nlohmann::json(text)) + " does not match " + p->get<std::string>()});
  }

  static void check_number(double number, const nlohmann::json& schema, const std::string& path,
                           std::vector<Problem>& out) {
    if (const auto m = schema.find("minimum"); m != schema.end() && m->is_number() && number < m->get<double>())
      out.push_back({path, "value below the minimum " + m->dump()});
    if (const auto m = schema.find("maximum"); m != schema.end() && m->is_number() && number > m->get<double>())
      out.push_back({path, "value above the maximum " + m->dump()});
  }

  void check_array(const nlohmann::json& value, const nlohmann::json& schema, const std::string& path,
                   std::vector<Problem>& out) {
    if (const auto m = schema.find("minItems"); m != schema.end() && m->is_number() &&
                                                value.size() < m->get<double>())
      out.push_back({path, "fewer than " + m->dump() + " items"});
    if (const auto m = schema.find("maxItems"); m != schema.end() && m->is_number() &&
                                                value.size() > m->get<double>())
      out.push_back({path, "more than " + m->dump() + " items"});
    if (const auto items = schema.find("items"); items != schema.end())
      for (std::size_t i = 0; i < value.size(); ++i) validate(value[i], *items, join_path(path, std::to_string(i)), out);
  }

  void check_object(const nlohmann::json& value, const nlohmann::json& schema, const std::string& path,
                    std::vector<Problem>& out) {
    if (const auto required = schema.find("required"); required != schema.end() && required->is_array())
      for (const auto& key : *required)
        if (key.is_string() && !value.contains(key.get<std::string>()))
          out.push_back({path, "missing required property '" + key.get<std::string>() + "'"});
    const auto properties = schema.find("properties");
    const auto additional = schema.find("additionalProperties");
    for (const auto& [key, member] : value.items()) {
      if (properties != schema.end() && properties->is_object() && properties->contains(key)) {
        validate(member, (*properties)[key], join_path(path, key), out);
      } else if (additional != schema.end()) {
        if (additional->is_boolean() && !additional->get<bool>())
          out.push_back({path, "unexpected property '" + key + "'"});
        else
          validate(member, *additional, join_path(path, key), out);
      }
    }
  }

  void check_combinators(const nlohmann::json& value, const nlohmann::json& schema, const std::string& path,
                         std::vector<Problem>& out) {
    if (const auto all = schema.find("allOf"); all != schema.end() && all->is_array())
      for (const auto& sub : *all) validate(value, sub, path, out);
    const auto count_valid = [&](const nlohmann::json& list) {
      std::size_t valid = 0;
      for (const auto& sub : list) {
        std::vector<Problem> scratch;
        validate(value, sub, path, scratch);
        if (scratch.empty()) ++valid;
      }
      return valid;
    };
    if (const auto any = schema.find("anyOf"); any != schema.end() && any->is_array() && count_valid(*any) == 0)
      out.push_back({path, "matches none of the allowed forms (anyOf)"});
    if (const auto one = schema.find("oneOf"); one != schema.end() && one->is_array()) {
      const std::size_t valid = count_valid(*one);
      if (valid != 1)
        out.push_back({path, valid == 0 ? "matches none of the allowed forms (oneOf)"
                                        : "matches more than one of the exclusive forms (oneOf)"});
    }
  }

  const nlohmann::json& root_;
  std::map<std::string, std::regex> regexes_;
};

}  // namespace

const nlohmann::json& embedded_schema() {
  static const nlohmann::json schema = nlohmann::json::parse(embedded_schema_text());
  return schema;
}

std::vector<Problem> validate_against(const nlohmann::json& doc, const nlohmann::json& schema) {
  std::vector<Problem> problems;
  Validator validator(schema);
  validator.validate(doc, schema, "", problems);
  for (auto& p : problems)
    if (p.where.empty()) p.where = "(document)";
  return problems;
}

std::vector<Problem> validate_document(const nlohmann::json& doc) { return validate_against(doc, embedded_schema()); }

std::string to_string(const Problem& problem) { return problem.where + ": " + problem.message; }

}  // namespace fabricperf::results
