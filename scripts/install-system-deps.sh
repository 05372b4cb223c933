#!/usr/bin/env bash
# Install the Debian 12 packages the project needs, and only those that are missing.
# Safe to re-run: when everything is present it does nothing and touches no network.
set -euo pipefail

packages=(
  # GeoDjango's C libraries (loaded through ctypes; no Python GDAL wheel needed)
  binutils gdal-bin libgdal32 libgeos-c1v5 libproj25
  # PostgreSQL 15 + PostGIS 3 and Redis for the project-private services
  postgresql-15 postgresql-15-postgis-3 redis-server
  # compilemessages, browser tests, HEIC photos
  gettext chromium libheif1
  # WeasyPrint (FKP lists as PDF): Pango and HarfBuzz, and a font with Indonesian's Latin letters
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
  ca-certificates curl
)
if ! command -v python3 >/dev/null || ! python3 -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  packages+=(python3 python3-venv python3-dev)
elif ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  packages+=(python3-venv)
fi
# No nodejs/npm from Debian: bookworm's is Node 18, past its end of life. Node 24 LTS comes from
# PyPI with the Python dev dependencies (scripts/node-links.sh).

missing=()
for pkg in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "These packages are missing and this user is not root: ${missing[*]}" >&2
    echo "Install them with: apt-get install ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
