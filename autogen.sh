#!/bin/sh
# autogen.sh - create ./configure from configure.ac and Makefile.am
set -e
cd "$(dirname "$0")"
mkdir -p m4
autoreconf -fi
