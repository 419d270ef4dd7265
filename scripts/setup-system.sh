#!/usr/bin/env bash
# Installs the Debian packages the project and its tests need (idempotent; root or sudo):
# Python 3.11, Java (the Spark engine), Chromium (the UI tests drive it with Playwright; never a
# downloaded browser) and PostgreSQL (the store's tests start a throwaway server).
set -euo pipefail
packages=()
command -v python3.11 >/dev/null || packages+=(python3.11 python3.11-venv)
command -v java >/dev/null || packages+=(default-jre-headless)
command -v chromium >/dev/null || packages+=(chromium fonts-dejavu-core)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
  "${packages[@]}"
