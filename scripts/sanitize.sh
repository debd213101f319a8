#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer and UndefinedBehaviorSanitizer (g++) into
# build-sanitize/ and runs the full test suite there: the same tests the README's test command
# runs, now failing on any out-of-bounds access, use after free, leak, signed overflow, misaligned
# or null access, or other undefined behaviour. Exit status 0 only when every test passes clean.
#
#   scripts/sanitize.sh [ctest arguments, e.g. -R 'hardware']
#
# docs/development.md, "Sanitizers", says what runs and what is suppressed, and why.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MPSIM_SANITIZE_BUILD:-$root/build-sanitize}"

flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# The Python module stays out: an instrumented extension cannot load into an uninstrumented
# interpreter without preloading the sanitizer runtime.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMPSIM_BUILD_BENCH=OFF \
  -DMPSIM_BUILD_PYTHON=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
cmake --build "$build" -j2

# halt_on_error: the first report fails the test that caused it. SystemC switches between its
# processes' stacks, which AddressSanitizer cannot follow; detect_stack_use_after_return would
# report those switches, so it stays off (the default), and the fake stack is not used.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$root/scripts/sanitize.supp:print_suppressions=0"
ctest --test-dir "$build" -j2 --output-on-failure --timeout 1500 "$@"
