#!/bin/sh
# build.sh [DIR [CONFIGURE-ARGS...]] - configure and build out of tree (default ./build)
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build}
[ $# -gt 0 ] && shift
[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null 2>&1)
mkdir -p "$dir"
cd "$dir"
[ -f Makefile ] || "$top/configure" -q "$@"
make -j"$(nproc)" >/dev/null
make -j"$(nproc)" check TESTS= >/dev/null
