#!/usr/bin/env bash
# Installs every Debian package mpsim needs to build, test and benchmark. Idempotent: packages
# already present are left as they are, and apt-get update runs only when something is missing.
# Recommends are not installed, so a package the build, a test or a script needs must be named
# here even when another package recommends it: the test "setup.sh installs what the build and
# tests use" (scripts/check_setup_packages.py) fails otherwise, and
# scripts/fresh_machine_check.sh proves the README's commands on a fresh Debian.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config clang-format
  # libraries the C++ code links
  libsystemc-dev libboost-graph-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
  libonnx-dev libprotobuf-dev protobuf-compiler zlib1g-dev libdnnl-dev
  # oneDNN's CMake package links OpenCL::OpenCL and fails without it, yet libdnnl-dev only
  # recommends it (and Recommends are not installed here)
  ocl-icd-opencl-dev
  # tests and benchmarks
  doctest-dev libbenchmark-dev python3-pytest
  # fuzzing (scripts/fuzz.sh: clang's libFuzzer, AddressSanitizer and UBSan runtimes); the
  # sanitizer build (scripts/sanitize.sh) uses g++'s own runtimes, which g++ already pulls in
  clang libclang-rt-14-dev
  # the Python module (python/: pybind11 against Python's headers) and its tables (to_pandas)
  pybind11-dev python3-dev python3-pandas
  # mpsim.distributed: sweeps and cost tables as tasks on a Dask cluster
  python3-distributed
  # python3 -m mpsim.plot: Pareto fronts, energy breakdowns and sweeps drawn to PNG or SVG
  python3-matplotlib
  # model export for tests and training scripts (run with /usr/bin/python3)
  python3 python3-torch python3-torchvision python3-onnx python3-numpy
  # real data
  dataset-fashion-mnist
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
