#!/usr/bin/env bash
# Sets up samkons on a Debian bookworm machine with Node 20, as root: Debian packages,
# the offline mediasoup worker (cached outside the clone), npm dependencies and a build.
# Safe to run again: every step skips what is already done.
#   --test   also install what the test suite needs (Chromium, ffmpeg, coturn)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { printf '[setup] %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || { log "Node 20 or newer is required (found $(node -v))"; exit 1; }

apt_install() { # installs the named Debian packages that are missing
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [ "${1:-}" = "--test" ]; then
  # nftables and iproute2: the network-fault rig (tests/support/netlab.ts); firefox-esr: the
  # Firefox end-to-end test (driven by puppeteer-core over WebDriver BiDi, never downloaded).
  apt_install chromium firefox-esr fonts-dejavu-core ffmpeg iproute2 nftables coturn
fi

worker_bin=$(bash infra/build-mediasoup-worker.sh | tail -n 1)
export MEDIASOUP_WORKER_BIN=$worker_bin

# The variable makes mediasoup's postinstall skip its download; npm ci never reaches GitHub or PyPI
# (puppeteer-core downloads nothing either; the variable below makes sure of it).
export PUPPETEER_SKIP_DOWNLOAD=1
log "installing npm dependencies"
npm ci --no-audit --no-fund --loglevel=error >&2

# Put the worker where mediasoup looks by default, so every entry point (server, tests,
# tools) finds it without the variable.
default_bin=node_modules/mediasoup/worker/out/Release/mediasoup-worker
mkdir -p "$(dirname "$default_bin")"
ln -sf "$worker_bin" "$default_bin"

# The SFU's receive buffer. Every transport of a mediasoup worker shares its WebRtcServer's
# one UDP socket, and mediasoup 3.12.16 has no option to size that socket's buffer: it gets
# the kernel's default (net.core.rmem_default, 208 KB), at which bursts from several
# senders are dropped (Udp RcvbufErrors). The kernel setting is global (not per network
# namespace or container), so the host applies it: now, and at every boot.
udp_buffer_bytes=8388608
if [ "$(id -u)" = 0 ] && [ -w /proc/sys/net/core/rmem_default ]; then
  if [ "$(cat /proc/sys/net/core/rmem_default)" -lt "$udp_buffer_bytes" ]; then
    log "raising the default UDP receive buffer to $udp_buffer_bytes bytes (SFU socket)"
    sysctl -q -w net.core.rmem_default=$udp_buffer_bytes net.core.rmem_max=$udp_buffer_bytes
  fi
  if [ -d /etc/sysctl.d ]; then
    printf 'net.core.rmem_default = %s\nnet.core.rmem_max = %s\n' "$udp_buffer_bytes" "$udp_buffer_bytes" \
      > /etc/sysctl.d/60-samkons-udp.conf
  fi
else
  log "not root (or in a container): set net.core.rmem_default=$udp_buffer_bytes on the host (README, Media ports and the firewall)"
fi

log "building"
npm run build --silent >&2
log "ready"
