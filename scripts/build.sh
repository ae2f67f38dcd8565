#!/usr/bin/env bash
# Configures and builds scipar (core, plugin, tests) in build/ (or $SCIPAR_BUILD_DIR).
# The plugin lands in <build>/lib/paraview-plugins/Scipar/Scipar.so.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SCIPAR_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
