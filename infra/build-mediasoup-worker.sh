#!/usr/bin/env bash
# Builds the mediasoup worker offline against Debian bookworm's own libraries and caches
# the binary outside the clone. Prints the binary's absolute path as the last stdout line;
# progress goes to stderr.
#
# Why: mediasoup's own install downloads a prebuilt worker (GitHub), pip-installs meson
# and ninja (PyPI) and lets meson fetch every subproject. None of that is reachable here.
# Instead each meson subproject becomes a tiny stand-in that maps onto the system package,
# so meson downloads nothing. The cache key is the mediasoup version plus this script's
# content, so a changed recipe rebuilds and an unchanged one takes seconds.
#
# Usage: infra/build-mediasoup-worker.sh [--print-path]
#   --print-path  print where the cached binary would be, build nothing
# Env:   SAMKONS_CACHE_DIR (default ~/.cache/samkons), SKIP_APT=1 to skip apt-get.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
log() { printf '[mediasoup-worker] %s\n' "$*" >&2; }

version=$(node -p "require('$root/server/package.json').dependencies.mediasoup")
case "$version" in [0-9]*.[0-9]*.[0-9]*) ;; *) log "mediasoup must be pinned exactly in server/package.json (found '$version')"; exit 1 ;; esac
script_hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)
cache_root=${SAMKONS_CACHE_DIR:-$HOME/.cache/samkons}
dest="$cache_root/mediasoup-worker/$version-$script_hash"
bin="$dest/mediasoup-worker"

if [ "${1:-}" = "--print-path" ]; then echo "$bin"; exit 0; fi

# A cached binary whose shared libraries all resolve needs nothing else.
if [ -x "$bin" ] && ! ldd "$bin" | grep -q 'not found'; then
  log "cached: $bin"
  echo "$bin"; exit 0
fi

build_deps=(g++ make pkg-config meson ninja-build python3 libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev)
if [ "${SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in "${build_deps[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi
if [ -x "$bin" ] && ! ldd "$bin" | grep -q 'not found'; then echo "$bin"; exit 0; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "fetching mediasoup@$version from the npm registry"
(cd "$work" && npm pack --silent "mediasoup@$version" >/dev/null && tar xzf "mediasoup-$version.tgz")
w="$work/package/worker"

# Debian's meson is 1.0.1; the worker asks for >= 1.1.0 but builds fine with 1.0.1.
sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" "$w/meson.build"

# One stand-in per wrap file, in the folder its `directory =` line names.
stub() { # name-of-wrap, meson.build body, [meson_options.txt body]
  local dir; dir=$(sed -n 's/^directory *= *//p' "$w/subprojects/$1.wrap")
  mkdir -p "$w/subprojects/$dir"
  printf '%s\n' "$2" >"$w/subprojects/$dir/meson.build"
  if [ -n "${3:-}" ]; then printf '%s\n' "$3" >"$w/subprojects/$dir/meson_options.txt"; fi
  echo "$w/subprojects/$dir"
}
# link_whole needs a static library; an empty one links nothing.
empty_lib="empty_lib = static_library('empty', 'empty.c')"
with_empty() { touch "$1/empty.c"; }

d=$(stub openssl "project('openssl', 'c')
openssl_dep = dependency('openssl')
$empty_lib
libcrypto_lib = empty_lib
libssl_lib = empty_lib"); with_empty "$d"

stub nlohmann_json "project('nlohmann_json', 'cpp')
nlohmann_json_dep = dependency('nlohmann_json')" >/dev/null

d=$(stub libuv "project('libuv', 'c')
libuv_dep = dependency('libuv')
$empty_lib
libuv = empty_lib" "option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)"); with_empty "$d"

# Debian installs the header as <srtp2/srtp.h>; the worker includes <srtp.h>.
d=$(stub libsrtp2 "project('libsrtp2', 'c')
$empty_lib
libsrtp2_dep = declare_dependency(dependencies: dependency('libsrtp2'), include_directories: include_directories('include'))
libsrtp2 = empty_lib" "option('crypto-library', type: 'string', value: 'openssl')
option('crypto-library-kdf', type: 'feature', value: 'disabled')
option('tests', type: 'feature', value: 'disabled')"); with_empty "$d"
mkdir -p "$d/include"; printf '#include <srtp2/srtp.h>\n' >"$d/include/srtp.h"

d=$(stub usrsctp "project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp')
$empty_lib
usrsctp = empty_lib" "option('sctp_build_programs', type: 'boolean', value: false)"); with_empty "$d"

d=$(stub abseil-cpp "project('abseil-cpp', 'c', 'cpp')
absl_container_dep = declare_dependency(dependencies: [
  dependency('absl_flat_hash_map'), dependency('absl_flat_hash_set'),
  dependency('absl_btree'), dependency('absl_inlined_vector'),
])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies: [dependency('absl_optional'), dependency('absl_memory')])
$empty_lib
absl_container_lib = empty_lib"); with_empty "$d"

stub catch2 "project('catch2', 'cpp')
catch2_dep = declare_dependency()" >/dev/null

log "configuring (meson $(meson --version), offline)"
(cd "$w" && meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true build >"$work/meson.log" 2>&1) \
  || { cat "$work/meson.log" >&2; exit 1; }
log "compiling with $(nproc) jobs (about 5 minutes on 2 cores)"
# ninja prints one "[done/total]" line per step: keep every 10th so progress stays readable.
ninja -C "$w/build" mediasoup-worker 2>&1 | awk '/^\[[0-9]+\/[0-9]+\]/ { step = $1; gsub(/[][]/, "", step); split(step, a, "/"); if (a[1] % 10 == 0 || a[1] == a[2]) printf "[mediasoup-worker] compiled %s of %s\n", a[1], a[2]; fflush(); next } /error|FAILED/ { print; fflush() }' >&2
[ -x "$w/build/mediasoup-worker" ] || { log "build failed"; exit 1; }

mkdir -p "$dest"
install -m 0755 "$w/build/mediasoup-worker" "$bin.tmp" && mv "$bin.tmp" "$bin"
log "built: $bin ($(du -h "$bin" | cut -f1))"
echo "$bin"
