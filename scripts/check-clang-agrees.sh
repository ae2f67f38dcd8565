#!/usr/bin/env bash
# Builds the core with clang (optimised, vectorised) and checks that it gives bit-identical results
# to this build's (gcc's) on ordinary and extreme clouds, for every SIMD variant the processor runs:
# results must not depend on the compiler. Usage: check-clang-agrees.sh BUILD_DIR DUMP_RESULTS
# (DUMP_RESULTS: this build's testing/core/dump_results).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: check-clang-agrees.sh BUILD_DIR DUMP_RESULTS}
reference=${2:?usage: check-clang-agrees.sh BUILD_DIR DUMP_RESULTS}
CC=clang cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSCIPAR_BUILD_PLUGIN=OFF \
  -DSCIPAR_SANITIZER_TESTS=OFF -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target dump_results >/dev/null
failed=0
variants=(portable)
grep -qw avx2 /proc/cpuinfo && variants+=(avx2)
grep -qw avx512f /proc/cpuinfo && variants+=(avx512)
for variant in "${variants[@]}"; do
  SCIPAR_SIMD=$variant "$reference" > "$build/gcc-$variant.txt"
  SCIPAR_SIMD=$variant "$build/testing/core/dump_results" > "$build/clang-$variant.txt"
  if cmp -s "$build/gcc-$variant.txt" "$build/clang-$variant.txt"; then
    echo "$variant: gcc and clang agree ($(wc -l < "$build/gcc-$variant.txt") lines)"
  else
    echo "$variant: gcc and clang differ:"
    diff "$build/gcc-$variant.txt" "$build/clang-$variant.txt" | head -20
    failed=1
  fi
done
exit $failed
