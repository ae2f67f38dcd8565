#!/usr/bin/env bash
# Builds the core and its tests with clang under AddressSanitizer (leaks included) and
# UndefinedBehaviorSanitizer, runs the core unit tests, then fuzzes scipar_match with libFuzzer for
# SCIPAR_FUZZ_SECONDS (default 60). Usage: check-sanitizers.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: check-sanitizers.sh BUILD_DIR}
# -Wno-pass-failed: at -O1 clang cannot honour the SIMD pragmas, which is expected here.
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1 -Wno-pass-failed"
# MPI stays out: its runtime is not built for the sanitizers and would drown them in reports.
CC=clang cmake -S "$root" -B "$build" -DSCIPAR_BUILD_PLUGIN=OFF -DSCIPAR_SANITIZER_TESTS=OFF -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON \
  -DSCIPAR_FUZZ=ON -DSCIPAR_FUZZ_SECONDS="${SCIPAR_FUZZ_SECONDS:-60}" \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="$flags" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
# Full stacks, so that the suppression of libomp's own team allocations matches them alone.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$root/testing/core/libomp-internal.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$build" --output-on-failure
