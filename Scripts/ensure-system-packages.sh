#!/usr/bin/env bash
# Installs what debtflow builds and tests with, when it is missing: the C libraries it links
# against (libxml2, zlib), and the real tools its tests check outputs with — Python's
# prometheus_client text parser (the --metrics file), PyYAML (the Kubernetes manifests) and
# systemd-analyze (the units under deploy/).
# Debian/Ubuntu: apt-get; run as root (or with sudo available).
set -euo pipefail
missing=()
for package in libxml2-dev zlib1g-dev pkg-config python3 python3-prometheus-client python3-yaml systemd; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} ..." >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
