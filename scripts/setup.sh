#!/usr/bin/env bash
# Sets up a fresh machine: oneDNN (Debian's libdnnl-dev) for the native kernels where it is missing,
# then the npm packages (`npm ci` also builds the native addon; without oneDNN everything still
# works on the TypeScript kernels).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f /usr/include/oneapi/dnnl/dnnl.hpp ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing libdnnl-dev (oneDNN) for the native kernels"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q || true
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libdnnl-dev ||
    echo "setup: could not install libdnnl-dev; the TypeScript kernels will be used"
fi

npm ci
