#!/usr/bin/env bash
# Installs prerequisites, publishes berthd with NativeAOT and runs it in the foreground on the
# default socket (unix:///var/run/berth.sock). Extra arguments go to berthd.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
out="$root/artifacts/berthd"
dotnet publish "$root/src/Berth.Daemon" -c Release -r linux-x64 -o "$out" -nologo -v quiet
exec "$out/berthd" "$@"
