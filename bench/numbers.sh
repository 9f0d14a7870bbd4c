#!/usr/bin/env bash
# Measures number searches on SQLite against the issue's budget (p99 <= 10
# ms per search over 5,000,000 numbers). Usage: bench/numbers.sh [numbers]
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(go version | cut -d' ' -f3)"
echo "## number searches on SQLite"
go run ./bench/numbersearch -n "${1:-5000000}"
