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
# Python's jsonschema (Draft202012Validator, jsonschema >= 4.0): the tests check every shipped
# pipeline against pipelines/debtflow.schema.json with a real validator. From PyPI with pip;
# where pip may not install into the system Python (PEP 668), Debian's python3-jsonschema.
if ! python3 -c 'from jsonschema import Draft202012Validator' >/dev/null 2>&1; then
  echo "installing Python's jsonschema ..." >&2
  if ! python3 -m pip install --quiet 'jsonschema>=4.0' >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-jsonschema >/dev/null
  fi
  python3 -c 'from jsonschema import Draft202012Validator' \
    || { echo "error: Python's jsonschema is missing (pip install jsonschema)" >&2; exit 1; }
fi
