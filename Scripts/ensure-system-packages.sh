#!/usr/bin/env bash
# Installs the C libraries debtflow links against (libxml2, zlib) when they are missing.
# Debian/Ubuntu: apt-get; run as root (or with sudo available).
set -euo pipefail
missing=()
for package in libxml2-dev zlib1g-dev pkg-config; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} ..." >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
