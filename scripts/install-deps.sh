#!/usr/bin/env bash
# Installs every Debian package scipar needs to build, test and benchmark.
# Idempotent: packages already present are skipped, so a second run takes seconds.
# Never installs libvtk9-dev / python3-vtk9: they conflict with ParaView's private VTK.
set -euo pipefail

packages=(
  # toolchain; clang for the sanitizer and libFuzzer build of the core
  build-essential cmake git clang
  # the install test builds a C program against the installed library with pkg-config
  pkgconf
  # ParaView 5.11 SDK, GUI, pvpython/pvbatch
  paraview paraview-dev python3-paraview
  # what paraview-dev's CMake config asks for but does not pull in
  qtbase5-dev libqt5svg5-dev qttools5-dev libqt5x11extras5-dev libqt5opengl5-dev libqt5xmlpatterns5-dev
  qtxmlpatterns5-dev-tools libutfcpp-dev libboost-dev libexpat1-dev libeigen3-dev libavcodec-dev
  libavformat-dev libavutil-dev libswscale-dev libswresample-dev libavdevice-dev libavfilter-dev
  libfreetype-dev libgdal-dev libgl2ps-dev libglew-dev libhdf5-dev libhdf5-mpi-dev libjpeg-dev liblz4-dev
  liblzma-dev libxml2-dev libopenmpi-dev libnetcdf-dev libgl-dev libpng-dev python3-dev libtheora-dev
  libtiff-dev libx11-dev zlib1g-dev libdouble-conversion-dev python3-mpi4py
  # tests, benchmark and pictures
  python3-numpy python3-scipy python3-numba python3-joblib python3-matplotlib python3-pil
  xvfb xauth
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
