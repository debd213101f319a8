#!/usr/bin/env bash
# Fuzzes mpsim's readers with libFuzzer under AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   scripts/fuzz.sh [-t SECONDS] [READER ...]
#
# Builds the harnesses of fuzz/ with clang into build-fuzz/ and runs each named reader (default:
# all eight) for SECONDS (default 600), one after another, seeded with the bundled files of its
# format and the regression inputs of fuzz/regressions/READER/. The corpus grows in
# runs/fuzz/READER/corpus and is kept between runs; a crash, leak or timeout leaves its input in
# runs/fuzz/READER/ (crash-*, leak-*, timeout-*) and makes the script exit 1. Copy such an input
# into fuzz/regressions/READER/ once the reader is fixed. Needs clang and libclang-rt-14-dev
# (scripts/setup.sh installs both).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MPSIM_FUZZ_BUILD:-$root/build-fuzz}"
out="${MPSIM_FUZZ_OUT:-$root/runs/fuzz}"
seconds=600
all=(hardware_toml scalesim_cfg scalesim_topology network_toml precision_map onnx idx npy)

while getopts "t:h" opt; do
  case "$opt" in
    t) seconds="$OPTARG" ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
readers=("$@")
[ ${#readers[@]} -gt 0 ] || readers=("${all[@]}")
for r in "${readers[@]}"; do
  [[ " ${all[*]} " == *" $r "* ]] || { echo "fuzz.sh: unknown reader '$r'; one of: ${all[*]}" >&2; exit 2; }
done

sanitizers="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMPSIM_FUZZ=ON -DMPSIM_BUILD_TESTS=OFF -DMPSIM_BUILD_BENCH=OFF -DMPSIM_BUILD_PYTHON=OFF \
  -DCMAKE_CXX_FLAGS="$sanitizers -fno-omit-frame-pointer" > "$build/fuzz-configure.log"
cmake --build "$build" -j2 --target $(printf 'fuzz_%s ' "${readers[@]}") > "$build/fuzz-build.log" ||
  { echo "fuzz.sh: the build failed; see $build/fuzz-build.log" >&2; exit 2; }

# The bundled files of each reader's format (as fuzz/CMakeLists.txt lists them for the replay).
seeds_of() {
  case "$1" in
    hardware_toml) echo "$root/configs/hw" ;;
    scalesim_cfg) echo "$root/fuzz/seeds/scalesim_cfg" ;;
    scalesim_topology) echo "$root/configs/topologies" ;;
    network_toml) echo "$root/workloads/zoo" ;;
    precision_map) echo "$root/configs/maps" ;;
    onnx) echo "$root/models $out/onnx/exported" ;;
    idx) echo "$root/fuzz/seeds/idx" ;;
    npy) echo "$root/models" ;;
  esac
}

# Small ONNX graphs that cover ops the bundled models do not (as the importer's tests export).
if [[ " ${readers[*]} " == *" onnx "* ]] && [ ! -d "$out/onnx/exported" ]; then
  mkdir -p "$out/onnx/exported"
  for m in ops_onnx ops_torch tiny_transformer dynamic_batch dynamic_dims dynamic_seq; do
    /usr/bin/python3 "$root/scripts/export_test_models.py" "$m" "$out/onnx/exported/$m.onnx" \
      > /dev/null 2>&1 || echo "fuzz.sh: could not export $m (seed left out)" >&2
  done
fi

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1"
failed=0
printf '%-18s %8s %12s %10s %8s  %s\n' reader seconds executions corpus result log
for r in "${readers[@]}"; do
  dir="$out/$r"
  mkdir -p "$dir/corpus"
  log="$dir/fuzz.log"
  # Each run writes to a fresh scratch folder, so inputs written by one run never linger.
  tmp="$(mktemp -d)"
  set +e
  TMPDIR="$tmp" "$build/fuzz/fuzz_$r" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
    -malloc_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$dir/" \
    "$dir/corpus" $(seeds_of "$r") "$root/fuzz/regressions/$r" > "$log" 2>&1
  status=$?
  set -e
  rm -rf "$tmp"
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
  corpus="$(find "$dir/corpus" -type f | wc -l)"
  result=ok
  if [ "$status" -ne 0 ]; then result="FAILED ($status)"; failed=1; fi
  printf '%-18s %8s %12s %10s %8s  %s\n' "$r" "$seconds" "$runs" "$corpus" "$result" "$log"
done
exit "$failed"
