// main() for tests built against the minigtest stand-in (scripts/device-check.sh).
#include <gtest/gtest.h>

int main() {
  return ::minigtest::run_all();
}
