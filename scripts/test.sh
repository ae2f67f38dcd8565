#!/usr/bin/env bash
# The whole test suite, from a fresh Debian bookworm machine (as root): installs what is needed,
# builds, and runs every test with ctest (core unit tests, pvpython tests of the plugin, benchmark
# smoke test). Exits non-zero when any test fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build=${SCIPAR_BUILD_DIR:-$root/build}
# Rendering tests need an X display; Xvfb provides one on a headless machine.
run=()
[ -n "${DISPLAY:-}" ] || run=(xvfb-run -a -s "-screen 0 1280x800x24")
"${run[@]}" ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
