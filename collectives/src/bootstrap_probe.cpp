#include "fabricperf/collectives/bootstrap_probe.hpp"

#include <cstring>

namespace fabricperf::collectives {
namespace {

class BootstrapProbe final : public LivenessProbe {
 public:
  explicit BootstrapProbe(Bootstrap& bootstrap) : bootstrap_(bootstrap) {}

  void service(std::int64_t /*progress*/) override {}

  ProbeReport diagnose(std::chrono::milliseconds /*grace*/, std::int64_t progress) override {
    ProbeReport report;
    report.progress.assign(static_cast<std::size_t>(bootstrap_.size()), -1);
    try {
      std::string mine(sizeof progress, '\0');
      std::memcpy(mine.data(), &progress, sizeof progress);
      const auto all = bootstrap_.all_gather(mine);
      for (std::size_t r = 0; r < all.size() && r < report.progress.size(); ++r)
        if (all[r].size() == sizeof progress) std::memcpy(&report.progress[r], all[r].data(), sizeof progress);
    } catch (const PeerError& e) {
      report.detail = e.what();
      const int named = rank_named_in(e.peer());
      if (named >= 0 && named != bootstrap_.rank()) report.unresponsive.push_back(named);
    } catch (const std::exception& e) {
      report.detail = e.what();
    }
    return report;
  }

 private:
  Bootstrap& bootstrap_;
};

}  // namespace

std::unique_ptr<LivenessProbe> make_bootstrap_probe(Bootstrap& bootstrap) {
  return std::make_unique<BootstrapProbe>(bootstrap);
}

int rank_named_in(const std::string& text) noexcept {
  const auto at = text.find("rank ");
  if (at == std::string::npos) return -1;
  std::size_t i = at + 5;
  if (i >= text.size() || text[i] < '0' || text[i] > '9') return -1;
  int value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9' && value < (1 << 24)) value = value * 10 + (text[i++] - '0');
  return value;
}

}  // namespace fabricperf::collectives
