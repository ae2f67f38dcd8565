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
# intercept_tls_get_addr=0: up to LLVM 16 (bookworm has 14) the runtime's __tls_get_addr interceptor
# takes a dynamic TLS block that happens to start 16 bytes into a page for a pre-2.25 glibc block
# and records the two words before it as a range; LeakSanitizer's tracer then dies scanning that
# range at exit ("Tracer caught signal 11 ... LeakSanitizer has encountered a fatal error") after a
# test passed, about once in a few hundred exits (google/sanitizers#1322). Off, dynamic TLS is not
# scanned for roots: the core keeps no heap pointer in thread-local storage.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:intercept_tls_get_addr=0
export LSAN_OPTIONS=suppressions=$root/testing/core/libomp-internal.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$build" --output-on-failure
