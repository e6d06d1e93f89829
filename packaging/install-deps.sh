#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages BitLens builds, tests and runs with.
# Idempotent: installs only what is missing and prints nothing when nothing is.
set -euo pipefail

packages=(
  build-essential cmake make pkg-config
  qt6-base-dev libqcustomplot-dev
  libvulkan-dev glslc mesa-vulkan-drivers vulkan-validationlayers
  libhdf5-dev nlohmann-json3-dev zlib1g-dev libicu-dev
  dataset-fashion-mnist
  xvfb xauth
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "packaging/install-deps.sh: missing packages: ${missing[*]}" >&2
  echo "run as root, or install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
