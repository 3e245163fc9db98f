#!/usr/bin/env bash
# Installs the Debian tools the cross-check tests call (astropy, fitsio, fitsverify, fpack, chromium)
# when missing.
# Needs root (apt-get), which CI and the project's machines have.
set -euo pipefail
need=()
/usr/bin/python3 -c 'import astropy, fitsio, numpy' 2>/dev/null || need+=(python3-astropy python3-fitsio python3-numpy)
/usr/bin/python3 -c 'import astropy_healpix' 2>/dev/null || need+=(python3-astropy-healpix)
command -v fitsverify >/dev/null 2>&1 || need+=(fitsverify)
command -v fpack >/dev/null 2>&1 || need+=(libcfitsio-bin)
[ -x /usr/bin/chromium ] || need+=(chromium)
if ((${#need[@]})); then
  echo "installing test dependencies: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  for i in 1 2 3; do
    (apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}") && break
    echo "apt-get failed (attempt $i); retrying" >&2
    sleep 10
  done
fi
