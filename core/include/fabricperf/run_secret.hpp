#pragma once
// The per-run secret every TCP listener of a run checks before it trusts a connection.
//
// - Without a launcher (TCP bootstrap): the user's --token, else FABRICPERF_TOKEN. A listener on a
//   non-loopback address refuses to start without one.
// - Under a launcher (MPI), or once the TCP bootstrap is up: rank 0 draws a fresh random secret
//   (random_secret) and shares it over the already trusted channel before peers connect.
//
// There is no cryptographic library in the build, so a peer proves it knows the secret by sending
// it, compared in constant time: the fabric network is trusted against sniffing, not against
// strangers connecting (see core/README.md, "Bootstrap authentication").
#include <string>
#include <string_view>

namespace fabricperf {

inline constexpr std::size_t kMaxSecretBytes = 1024;

// 128 random bits from getrandom(2), as 32 lowercase hex characters. Throws Error when the
// kernel cannot provide them.
[[nodiscard]] std::string random_secret();

// Equal length and content, in time that depends only on the lengths.
[[nodiscard]] bool secrets_equal(std::string_view a, std::string_view b) noexcept;

// `from_option` when not empty, else $FABRICPERF_TOKEN, else "". Throws UsageError when the
// secret is longer than kMaxSecretBytes.
[[nodiscard]] std::string resolve_run_secret(const std::string& from_option);

// True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z (numeric addresses); false for "" (any).
[[nodiscard]] bool is_loopback_address(const std::string& address);

}  // namespace fabricperf
