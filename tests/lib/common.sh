# common.sh - shared by the shell tests: TAP output, a fresh postdesk home
#
# Source it from a test: it finds the built programs ($top_builddir), makes
# a temp directory $T with $T/postdesk.conf and runs "postdesk init" there.
# Run as root (CI), the data directory belongs to the account "pdtest", as
# a real installation's belongs to the filter's account; the programs
# switch to it themselves.

top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
PD=$top_builddir/postdesk
PF=$top_builddir/postdesk-filter
PD_CORPUS=${PD_CORPUS:-$top_srcdir/../shared/corpus}
# the shipped intake rules, as an installed postdesk reads them
export POSTDESK_FILTERS=$top_srcdir/filters
shopt -s lastpipe	# "cmd | check ..." counts in this shell
# TAP: ok, check, is, done_testing, skip_all
. "$top_srcdir/tests/lib/tap.sh"

# pd_home [EXTRA-CONF-LINES] - a fresh home in $T, initialised
pd_home() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/pd-test.XXXXXX")
	chmod 755 "$T"
	# a sendmail that keeps each message in $T/sent/N.eml, with the
	# envelope in N.env ("-f SENDER RECIPIENT")
	mkdir -m 777 "$T/sent"
	cat > "$T/sendmail" <<'SM'
#!/bin/sh
dir=$(dirname "$0")/sent
[ -e "$dir/../sendmail.fail" ] && { echo "sendmail: simulated failure"; exit 75; }
n=$(date +%s%N).$$
cat > "$dir/.$n.tmp" && echo "$*" > "$dir/$n.env" && mv "$dir/.$n.tmp" "$dir/$n.eml"
SM
	chmod 755 "$T/sendmail"
	cat > "$T/postdesk.conf" <<CONF
data_directory = $T/data
support_address = support@example.com
base_url = https://help.example.com
site_name = Example Support
template_directory = $top_srcdir/templates
sendmail_path = $T/sendmail
$1
CONF
	if [ "$(id -u)" -eq 0 ]; then
		id pdtest >/dev/null 2>&1 ||
		    useradd -r -M -d /nonexistent -s /usr/sbin/nologin pdtest
		"$PD" -c "$T/postdesk.conf" init --owner pdtest >/dev/null
	else
		"$PD" -c "$T/postdesk.conf" init >/dev/null
	fi
}

# sent_count - how many messages the test sendmail took
sent_count() {
	ls "$T/sent" | grep -c '\.eml$'
}

# sent_to ADDR - the files of the messages sent to ADDR (envelope)
sent_to() {
	grep -l -- "-- $1\$" "$T"/sent/*.env 2>/dev/null | sed 's/\.env$/.eml/'
}

# pd - postdesk with the test configuration
pd() {
	"$PD" -c "$T/postdesk.conf" "$@"
}

# deliver RCPT [SENDER] - the filter in pipe mode, message on stdin;
# prints the filter's output, returns its exit status
deliver() {
	"$PF" ${PF_OPTS:-} -c "$T/postdesk.conf" pipe -q TESTQ -f "${2:-customer@example.net}" -- "$1"
}

# pd_cleanup - remove $T unless the test failed
pd_cleanup() {
	if [ "$T_FAIL" -eq 0 ] && [ -n "${T:-}" ]; then
		rm -rf "$T"
	elif [ -n "${T:-}" ]; then
		echo "# kept $T for inspection"
	fi
}
