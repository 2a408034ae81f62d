#include "fabricperf/topology/xml.hpp"

#include <cctype>
#include <cstdlib>

#include "fabricperf/error.hpp"
#include "fabricperf/input_file.hpp"

namespace fabricperf::topology {
namespace {

constexpr std::size_t kMaxDepth = 256;

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':';
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void append_utf8(std::string& out, unsigned long code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xc0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xe0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  }
}

// Strict UTF-8 (what XML requires and JSON output needs): no stray continuation bytes, overlong
// forms, surrogates or code points above U+10FFFF.
bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    unsigned long code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
      code = c & 0x1fU;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      code = c & 0x0fU;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      code = c & 0x07U;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0U) != 0x80) return false;
      code = (code << 6) | (next & 0x3fU);
    }
    const unsigned long smallest = extra == 1 ? 0x80 : extra == 2 ? 0x800 : 0x10000;
    if (code < smallest || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  XmlElement parse_document() {
    std::vector<XmlElement> stack;
    bool have_root = false;
    XmlElement root;
    while (true) {
      skip_text(!stack.empty());
      if (pos_ >= text_.size()) break;
      // At '<'.
      if (starts_with("<!--")) {
        skip_past("-->", "comment");
      } else if (starts_with("<?")) {
        skip_past("?>", "processing instruction");
      } else if (starts_with("<![CDATA[")) {
        if (stack.empty()) fail("CDATA outside the root element");
        skip_past("]]>", "CDATA section");
      } else if (starts_with("<!DOCTYPE")) {
        if (have_root || !stack.empty()) fail("DOCTYPE after the root element");
        skip_doctype();
      } else if (starts_with("</")) {
        pos_ += 2;
        const std::string name = read_name();
        skip_spaces();
        expect('>');
        if (stack.empty()) fail("closing tag </" + name + "> without an open element");
        if (stack.back().name != name) {
          fail("closing tag </" + name + "> does not match <" + stack.back().name + "> opened on line " +
               std::to_string(stack.back().line));
        }
        XmlElement done = std::move(stack.back());
        stack.pop_back();
        if (stack.empty()) {
          root = std::move(done);
          have_root = true;
        } else {
          stack.back().children.push_back(std::move(done));
        }
      } else {
        if (have_root && stack.empty()) fail("content after the root element");
        bool self_closing = false;
        XmlElement element = read_start_tag(self_closing);
        if (self_closing) {
          if (stack.empty()) {
            root = std::move(element);
            have_root = true;
          } else {
            stack.back().children.push_back(std::move(element));
          }
        } else {
          if (stack.size() >= kMaxDepth) fail("elements nested deeper than " + std::to_string(kMaxDepth));
          stack.push_back(std::move(element));
        }
      }
    }
    if (!stack.empty()) {
      fail("unexpected end of file: <" + stack.back().name + "> opened on line " + std::to_string(stack.back().line) +
           " is never closed");
    }
    if (!have_root) fail("no root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw UsageError(source_ + ":" + std::to_string(line_) + ": malformed XML: " + what);
  }

  bool starts_with(std::string_view prefix) const { return text_.substr(pos_, prefix.size()) == prefix; }

  void advance() {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }

  void skip_spaces() {
    while (pos_ < text_.size() && is_space(text_[pos_])) advance();
  }

  // Skips character data up to the next '<'. Outside the root only whitespace (and a BOM) may appear.
  void skip_text(bool inside_root) {
    if (pos_ == 0 && starts_with("\xEF\xBB\xBF")) pos_ = 3;
    while (pos_ < text_.size() && text_[pos_] != '<') {
      if (!inside_root && !is_space(text_[pos_])) fail("text outside the root element");
      advance();
    }
  }

  void skip_past(std::string_view terminator, const char* what) {
    const int start_line = line_;
    const auto end = text_.find(terminator, pos_);
    if (end == std::string_view::npos) {
      line_ = start_line;
      fail(std::string("unterminated ") + what);
    }
    while (pos_ < end + terminator.size()) advance();
  }

  void skip_doctype() {
    // <!DOCTYPE name SYSTEM "x" [ internal subset ]>
    int brackets = 0;
    char quote = 0;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      advance();
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        ++brackets;
      } else if (c == ']') {
        --brackets;
      } else if (c == '>' && brackets <= 0) {
        return;
      }
    }
    fail("unterminated DOCTYPE");
  }

  void expect(char c) {
    if (pos_ >= text_.size()) fail(std::string("unexpected end of file, expected '") + c + "'");
    if (text_[pos_] != c) fail(std::string("expected '") + c + "', found '" + text_[pos_] + "'");
    advance();
  }

  std::string read_name() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    if (pos_ == start) {
      if (pos_ >= text_.size()) fail("unexpected end of file, expected a name");
      fail(std::string("expected a name, found '") + text_[pos_] + "'");
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string decode(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      const auto semi = raw.find(';', i);
      if (semi == std::string_view::npos) fail("unterminated entity reference");
      const std::string_view entity = raw.substr(i + 1, semi - i - 1);
      if (entity == "amp") {
        out += '&';
      } else if (entity == "lt") {
        out += '<';
      } else if (entity == "gt") {
        out += '>';
      } else if (entity == "quot") {
        out += '"';
      } else if (entity == "apos") {
        out += '\'';
      } else if (entity.size() > 1 && entity[0] == '#') {
        const bool hex = entity[1] == 'x' || entity[1] == 'X';
        const std::string digits(entity.substr(hex ? 2 : 1));
        char* end = nullptr;
        const unsigned long code = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
        if (digits.empty() || *end != '\0' || code == 0 || code > 0x10ffff) {
          fail("bad character reference &" + std::string(entity) + ";");
        }
        append_utf8(out, code);
      } else {
        fail("unknown entity &" + std::string(entity) + ";");
      }
      i = semi;
    }
    return out;
  }

  XmlElement read_start_tag(bool& self_closing) {
    XmlElement element;
    element.line = line_;
    expect('<');
    element.name = read_name();
    while (true) {
      const bool had_space = pos_ < text_.size() && is_space(text_[pos_]);
      skip_spaces();
      if (pos_ >= text_.size()) fail("unexpected end of file inside <" + element.name + ">");
      if (text_[pos_] == '/') {
        advance();
        expect('>');
        self_closing = true;
        return element;
      }
      if (text_[pos_] == '>') {
        advance();
        self_closing = false;
        return element;
      }
      if (!had_space) fail("attributes of <" + element.name + "> must be separated by spaces");
      std::string key = read_name();
      skip_spaces();
      expect('=');
      skip_spaces();
      if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\'')) {
        fail("value of attribute '" + key + "' must be quoted");
      }
      const char quote = text_[pos_];
      advance();
      const std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != quote) {
        if (text_[pos_] == '<') fail("'<' inside the value of attribute '" + key + "'");
        advance();
      }
      if (pos_ >= text_.size()) fail("unterminated value of attribute '" + key + "'");
      std::string value = decode(text_.substr(start, pos_ - start));
      if (!valid_utf8(value)) fail("value of attribute '" + key + "' is not valid UTF-8");
      advance();
      for (const auto& [existing, unused] : element.attributes) {
        if (existing == key) fail("attribute '" + key + "' repeated in <" + element.name + ">");
      }
      element.attributes.emplace_back(std::move(key), std::move(value));
    }
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

const std::string* XmlElement::attribute(std::string_view key) const noexcept {
  for (const auto& [attr_name, value] : attributes) {
    if (attr_name == key) return &value;
  }
  return nullptr;
}

std::string XmlElement::attribute_or(std::string_view key, std::string fallback) const {
  const std::string* value = attribute(key);
  return value ? *value : std::move(fallback);
}

XmlElement parse_xml(std::string_view text, const std::string& source) {
  return Parser(text, source).parse_document();
}

std::string read_text_file(const std::string& path, std::string_view what, std::size_t max_bytes) {
  return read_input_file(path, what, max_bytes);
}

std::string blank_xml_comments(std::string_view text) {
  std::string out(text);
  std::size_t pos = 0;
  while ((pos = out.find("<!--", pos)) != std::string::npos) {
    const auto end = out.find("-->", pos + 4);
    const std::size_t stop = end == std::string::npos ? out.size() : end + 3;
    for (std::size_t i = pos; i < stop; ++i) {
      if (out[i] != '\n') out[i] = ' ';
    }
    pos = stop;
  }
  return out;
}

}  // namespace fabricperf::topology
