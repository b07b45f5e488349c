#!/usr/bin/env bash
# Installs the Debian 12 packages siptgw needs, and only those missing (idempotent).
#   deploy/install-deps.sh build   -- what building and running the gateway needs
#   deploy/install-deps.sh test    -- build + the test peers and oracles (tshark, SIPp, osmo-stp, UML, clang)
# Why each package is here: docs/dependencies.md.
set -euo pipefail
what=${1:-test}
build_pkgs=(
  cmake ninja-build g++ pkg-config
  libasio-dev libssl-dev libboost-dev
  libosmo-sigtran-dev libosmocore-dev libosmo-netif-dev libtalloc-dev
  prometheus-cpp-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
)
test_pkgs=(
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  clang libclang-rt-14-dev
  tshark sip-tester osmo-stp user-mode-linux kmod iproute2 python3
)
case "$what" in
  build) pkgs=("${build_pkgs[@]}") ;;
  test)  pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "siptgw: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
