#pragma once
// What a result row measured, as opposed to how it came out: the identity fields (host,
// peer_host, device, port, rail, gpu, op, coll, dtype, in_place, size_bytes, stage, ...) that
// match a row of one document with the same row of another, and label Prometheus samples.
//
// Rules (results/README.md): a field identifies a row when it is a known identity key
// (kKnownKeys) with a scalar or array-of-scalars value, or when it is a string/bool field
// that takes different values among rows that the known keys alone would lump together
// ("promoted"), unless it names an outcome or a version (status, detail, *_at, *_version...).
// Numbers outside the known keys never identify (they are measurements). rank, peer_rank,
// pair and an array "ranks" identify only rows that name no host (launch order varies).
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fabricperf::results {

// Ordered (key, value text) pairs, in display order.
using Identity = std::vector<std::pair<std::string, std::string>>;

// Known identity keys in display order.
[[nodiscard]] std::span<const std::string_view> known_identity_keys();
[[nodiscard]] bool is_known_identity_key(std::string_view key);
// Fields that never identify a row (outcomes, repeat indices, versions, timestamps).
[[nodiscard]] bool is_never_identity_key(std::string_view key);

struct IdentityRules {
  std::vector<std::string> extra_keys;     // --key: always identify
  std::vector<std::string> ignored_keys;   // --ignore-key: never identify
  std::vector<std::string> promoted_keys;  // found by derive_identity_rules
};

// Rules for a set of documents: `extra`/`ignored` from the user plus the string/bool fields
// that distinguish rows the known keys would lump together in any of the documents.
[[nodiscard]] IdentityRules derive_identity_rules(std::span<const nlohmann::json* const> docs,
                                                  std::vector<std::string> extra = {},
                                                  std::vector<std::string> ignored = {});

[[nodiscard]] Identity identity_of(const nlohmann::json& row, const IdentityRules& rules);

// Canonical text for maps (unambiguous; not for display).
[[nodiscard]] std::string identity_key(const Identity& identity);
// "host=node1 device=mlx5_0 op=write size=64K" (size_bytes shown with format_size).
[[nodiscard]] std::string describe(const Identity& identity);

// The (key, value) pairs every identity in the list has; empty for fewer than two identities.
[[nodiscard]] Identity common_fields(const std::vector<const Identity*>& identities);
// `identity` without the pairs in `common`.
[[nodiscard]] Identity without(const Identity& identity, const Identity& common);

// Text of an identity value: strings as they are, integers in decimal, bools true/false,
// arrays of scalars joined with ","; empty for null.
[[nodiscard]] std::string value_text(const nlohmann::json& value);

}  // namespace fabricperf::results
