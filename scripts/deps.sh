#!/bin/sh
# deps.sh - install what postdesk needs to build and test (Debian, as root)
set -e
PKGS="build-essential autoconf automake libtool pkg-config
libgmime-3.0-dev liblmdb-dev lmdb-utils libsodium-dev libmilter-dev
libetpan-dev libjansson-dev libxml2-dev libcsv-dev
postfix swaks miltertest jq valgrind python3 util-linux
clang libclang-rt-14-dev"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
# a Postfix package that stays unconfigured: the tests run their own instance
echo 'postfix postfix/main_mailer_type select No configuration' |
    debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
