#!/usr/bin/env bash
# The main job, from a fresh Debian bookworm machine (as root): installs what is needed, builds the
# plugin, and matches the bundled sample clouds with pvpython, writing out/source.vtu,
# out/target.vtu, out/pairs.csv and the picture out/matching.png.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build=${SCIPAR_BUILD_DIR:-$root/build}
# Rendering needs an X display; Xvfb provides one on a headless machine.
run=(pvpython)
[ -n "${DISPLAY:-}" ] || run=(xvfb-run -a -s "-screen 0 1280x800x24" pvpython)
"${run[@]}" "$root/scripts/demo.py" \
  --plugin "$build/lib/paraview-plugins/Scipar/Scipar.so" \
  --source "$root/data/seed_left.vtp" --target "$root/data/seed_left_next.vtp" \
  --out "$root/out" "$@"
