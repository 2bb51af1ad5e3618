#!/usr/bin/env bash
# Runs the whole test suite: unit tests of every module, end-to-end tests of the built binary
# (including the HTTP tests against `debtflow sandbox`), and the memory-flatness check on a
# release build.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/ensure-system-packages.sh
swift build --build-tests
swift build -c release --product debtflow
DEBTFLOW_RELEASE_BIN="$PWD/.build/release/debtflow" swift test --skip-build
