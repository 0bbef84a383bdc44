#!/usr/bin/env bash
# Installs what berthd and its tests need on Debian bookworm. Idempotent: apt runs only when a
# package is missing, so a prepared machine pays nothing.
set -euo pipefail

packages=(
  clang zlib1g-dev          # NativeAOT linker and zlib for the published berthd
  gcc libc6-dev             # builds berth-exec, the exec helper installed beside berthd
  libseccomp2               # berthd compiles seccomp programs for berth-exec with it
  runc crun conmon          # OCI runtimes and the per-container monitor
  catatonit tini            # --init binaries
  busybox-static            # test images are made from it
  iptables iproute2 openssl # networking and TLS test material
  docker-registry           # a real registry on loopback for pull/push tests
  docker-compose python3-docker  # real third-party clients
  skopeo                    # docker-archive / oci-archive round trips for docker load tests
  procps                    # ps, which docker top runs on the host (as dockerd does)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null; then
  echo "the .NET 10 SDK is required (dotnet on PATH); install it from https://dot.net and retry" >&2
  exit 1
fi
