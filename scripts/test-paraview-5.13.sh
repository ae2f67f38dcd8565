#!/usr/bin/env bash
# The whole test suite against ParaView 5.13 (Debian trixie's paraview-dev), from a Debian bookworm
# machine, as root: makes a trixie root with debootstrap in a cache folder outside the repository,
# installs trixie's ParaView 5.13 SDK and what the build and the tests need there, binds this source
# tree in (read-only), builds scipar in its own build directory and runs every test with ctest inside
# the root (pvpython, MPI, GUI tests under Xvfb). Exits non-zero when any step or test fails.
#
# The first run takes about 5-10 minutes (debootstrap, about 1.5 GB of packages); later runs reuse the
# root and only build and test. An interrupted run is finished or redone by the next one: each stage
# leaves a marker when it is complete, and a root without the bootstrap marker is made again.
#
# Environment:
#   SCIPAR_PV513_CACHE      the cache folder (default /var/cache/scipar/trixie-paraview-5.13)
#   SCIPAR_PV513_BUILD_DIR  the build directory (default <repo>/build-paraview-5.13)
#   SCIPAR_DEBIAN_MIRROR    the Debian mirror (default: the one this machine's apt uses)
# Arguments are passed to ctest (for example -R python to run some tests only); with --run COMMAND...
# as the arguments, COMMAND runs in the root after the build instead (in /scipar/build, under Xvfb:
# for example --run bash -c 'pvpython --version').
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${SCIPAR_PV513_CACHE:-/var/cache/scipar/trixie-paraview-5.13}
build=${SCIPAR_PV513_BUILD_DIR:-$repo/build-paraview-5.13}
suite=trixie
rootfs=$cache/root

# What the build and the tests need in the root. paraview-dev's CMake config asks for more -dev
# packages than it pulls in (the REQUIRED find_package calls of find_package(ParaView) in 5.13); unlike
# 5.11 it no longer asks for FFmpeg's. A change to this list makes the next run install the difference.
packages=(
  # toolchain; clang with its sanitizer/libFuzzer runtime and OpenMP for the sanitizer build of the core
  build-essential cmake clang libclang-rt-dev libomp-dev
  # ParaView 5.13 SDK, GUI, pvpython/pvbatch
  paraview paraview-dev python3-paraview
  # what paraview-dev's CMake config asks for but does not pull in
  qt6-base-dev qt6-svg-dev qt6-tools-dev qt6-5compat-dev libutfcpp-dev libboost-dev libexpat1-dev
  libeigen3-dev libfreetype-dev libgl2ps-dev libglew-dev libhdf5-dev libhdf5-mpi-dev libjpeg-dev
  liblz4-dev liblzma-dev libxml2-dev libopenmpi-dev libnetcdf-dev libgl-dev libpng-dev python3-dev
  libtheora-dev libtiff-dev libx11-dev zlib1g-dev libdouble-conversion-dev python3-mpi4py
  # tests and benchmark
  python3-numpy python3-scipy python3-numba python3-joblib python3-matplotlib python3-pil xvfb xauth
)

log() { printf '[paraview-5.13 %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and mounts need it)"
case "$build" in /*) ;; *) build=$PWD/$build ;; esac

# The mirror this machine's apt uses for its own Debian release (deb822 .sources or a sources.list),
# so that the root comes from the same, reachable, package source.
host_mirror() {
  local codename uri
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  uri=$(awk -v suite="$codename" '
      /^[[:space:]]*$/ { if (u != "" && ok && !off) { print u; exit } u = ""; ok = 0; off = 0; next }
      tolower($1) == "uris:" { u = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
      tolower($1) == "enabled:" && tolower($2) == "no" { off = 1 }
      END { if (u != "" && ok && !off) print u }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk -v suite="$codename" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { if ($(i + 1) == suite) { print $i; exit } break } }' \
      /etc/apt/sources.list)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}
mirror=${SCIPAR_DEBIAN_MIRROR:-$(host_mirror)}

# --- mounts -------------------------------------------------------------------------------------
# Everything mounted under the root, deepest first (from the kernel's table, so that mounts left by a
# killed run are found too).
mounts_under_root() {
  awk -v r="$rootfs" '{ gsub(/\\040/, " ", $2); if ($2 == r || index($2, r "/") == 1) print $2 }' /proc/mounts | sort -r
}

# Processes still running inside the root (a test's Xvfb or MPI daemon after a failure or ^C): they
# would keep the mounts busy. Only processes whose root directory is this root are touched.
stop_processes_in_root() {
  local pids=() p signal
  for signal in TERM KILL; do
    pids=()
    for p in /proc/[0-9]*; do
      if [ "$(readlink "$p/root" 2>/dev/null)" = "$rootfs" ]; then pids+=("${p#/proc/}"); fi
    done
    if [ ${#pids[@]} -eq 0 ]; then return 0; fi
    kill -s "$signal" "${pids[@]}" 2>/dev/null || true
    sleep 2
  done
}

unmount_all() {
  local m
  stop_processes_in_root
  for m in $(mounts_under_root); do
    umount "$m" 2>/dev/null || umount -l "$m" || log "warning: cannot unmount $m"
  done
}

mount_all() {
  mkdir -p "$rootfs/scipar/src" "$rootfs/scipar/build" "$build"
  mount -t proc proc "$rootfs/proc"
  mount -o bind,ro /sys "$rootfs/sys"              # hwloc (Open MPI) reads the CPU topology there
  mount --bind /dev "$rootfs/dev"
  mount --bind /dev/pts "$rootfs/dev/pts"
  mount -t tmpfs -o mode=1777 shm "$rootfs/dev/shm" # Open MPI's shared memory, private to the root
  # The host's /tmp: X displays live in one namespace shared with the host (abstract sockets), and
  # xvfb-run -a chooses a free one by the lock files in /tmp.
  mount --bind /tmp "$rootfs/tmp"
  mount --bind "$cache/apt-archives" "$rootfs/var/cache/apt/archives"
  mount -o bind,ro "$repo" "$rootfs/scipar/src"
  mount --bind "$build" "$rootfs/scipar/build"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || true
}

in_root() {
  chroot "$rootfs" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# Deletes a root that is not known to be complete; never while anything is mounted in it.
remove_root() {
  unmount_all
  [ -z "$(mounts_under_root)" ] || die "$rootfs still has mounts; not deleting it"
  rm -rf --one-file-system "$rootfs"
}

# Retries a network step: a slow or flaky mirror gets three chances.
retry() {
  local attempt
  for attempt in 1 2 3; do
    "$@" && return 0
    log "attempt $attempt failed: $*"
    sleep $((attempt * 10))
  done
  return 1
}

# --- one run at a time per cache ------------------------------------------------------------------
mkdir -p "$cache/state" "$cache/logs" "$cache/apt-archives/partial" "$cache/debootstrap-debs"
exec 9>"$cache/lock"
if ! flock -n 9; then
  log "another run holds $cache/lock; waiting"
  flock 9
fi
trap unmount_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
unmount_all # mounts left by a run that was killed

start=$(date +%s)
log "cache $cache, mirror $mirror, build $build"

# --- stage 1: the trixie root ---------------------------------------------------------------------
bootstrap_mark="$suite $mirror"
if [ ! -f "$cache/state/bootstrap.done" ] || [ "$(cat "$cache/state/bootstrap.done")" != "$bootstrap_mark" ]; then
  command -v debootstrap >/dev/null || {
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
  }
  rm -f "$cache/state/"*.done
  bootstrap() {
    remove_root
    debootstrap --variant=minbase --cache-dir="$cache/debootstrap-debs" "$suite" "$rootfs" "$mirror" \
      >"$cache/logs/debootstrap.log" 2>&1 || { tail -n 20 "$cache/logs/debootstrap.log" >&2; return 1; }
  }
  log "debootstrap $suite from $mirror into $rootfs"
  retry bootstrap || die "debootstrap failed (log: $cache/logs/debootstrap.log)"
  # No daemon starts in the root when a package is installed.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod +x "$rootfs/usr/sbin/policy-rc.d"
  echo "$bootstrap_mark" >"$cache/state/bootstrap.done"
  log "root made in $(($(date +%s) - start)) s"
fi

mount_all

# --- stage 2: packages ----------------------------------------------------------------------------
packages_mark=$(printf '%s\n' "${packages[@]}" | sort | sha256sum | cut -c1-16)
if [ ! -f "$cache/state/packages.done" ] || [ "$(cat "$cache/state/packages.done")" != "$packages_mark" ]; then
  stage=$(date +%s)
  log "installing ${#packages[@]} packages in the root"
  apt_options=(-o Acquire::Retries=5 -o Acquire::http::Timeout=60 -o Dpkg::Use-Pty=0)
  install_packages() {
    in_root dpkg --configure -a &&   # finishes what an interrupted run left half-installed
      in_root apt-get "${apt_options[@]}" update -qq &&
      in_root apt-get "${apt_options[@]}" install -y -qq --no-install-recommends "${packages[@]}"
  }
  retry install_packages >"$cache/logs/apt.log" 2>&1 || { tail -n 30 "$cache/logs/apt.log" >&2; die "package installation failed (log: $cache/logs/apt.log)"; }
  echo "$packages_mark" >"$cache/state/packages.done"
  log "packages installed in $(($(date +%s) - stage)) s"
fi

# A defect of trixie's paraview-dev 5.13.2+dfsg-3: its CMake files name the Python modules
# vtkmodules/<name>.so and paraview/modules/<name>.so, but the package installs them as
# <name>.cpython-313-x86_64-linux-gnu.so, so find_package(ParaView) stops at the first missing file.
# Link each missing name to the installed module (only inside this root; idempotent).
link_missing_python_modules() {
  local cmake_dir=$rootfs/usr/lib/x86_64-linux-gnu/cmake/paraview-5.13 file target linked=0
  [ -d "$cmake_dir" ] || die "no ParaView 5.13 CMake config in the root"
  while read -r file; do
    [ -e "$rootfs/usr$file" ] && continue
    target=$(basename "${file%.so}").cpython-313-x86_64-linux-gnu.so
    [ -e "$(dirname "$rootfs/usr$file")/$target" ] || die "paraview-dev names /usr$file, and $target is not installed either"
    ln -sfn "$target" "$rootfs/usr$file"
    linked=$((linked + 1))
  done < <(grep -rhoE '_cmake_import_check_files_for_[^ ]+ "\$\{_IMPORT_PREFIX\}[^"]+"' "$cmake_dir" |
    sed -E 's/.*\$\{_IMPORT_PREFIX\}//; s/"$//' | sort -u)
  [ "$linked" -eq 0 ] || log "linked $linked Python modules that paraview-dev's CMake files misname"
}
link_missing_python_modules

# --- stage 3: build and test ----------------------------------------------------------------------
stage=$(date +%s)
log "building in $build"
# -Wno-dev: CMake 3.31 warns about policies in ParaView 5.13's own CMake files, not in scipar's.
in_root env SCIPAR_BUILD_DIR=/scipar/build bash /scipar/src/scripts/build.sh -Wno-dev
log "built in $(($(date +%s) - stage)) s"

stage=$(date +%s)
status=0
if [ "${1:-}" = --run ]; then
  shift
  log "running $*"
  in_root bash -c 'cd /scipar/build && xvfb-run -a -s "-screen 0 1280x800x24" "$@"' run "$@" || status=$?
  exit "$status"
fi
log "running ctest"
in_root bash -c 'cd /scipar/build && xvfb-run -a -s "-screen 0 1280x800x24" ctest --test-dir /scipar/build --output-on-failure -j"$(nproc)" "$@"' \
  ctest "$@" || status=$?
log "tests ran in $(($(date +%s) - stage)) s; total $(($(date +%s) - start)) s; ctest exit status $status"
exit "$status"
