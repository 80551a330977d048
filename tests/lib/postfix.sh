# postfix.sh - run a private Postfix instance in front of postdesk (sourced)
#
# Sourced by tests/e2e/postfix.sh and by demo.sh. Everything lives in one
# throwaway directory D; the system Postfix (/etc/postfix, /var/spool/postfix,
# port 25) is never read, written or started. Root only (master needs it).
#
#   pf_setup D PORTBASE   write D/etc/{main.cf,master.cf,postdesk.conf},
#                         copy the programs to D/bin, create the pipe user,
#                         D/data (owned by it) and run `postdesk init`.
#   pf_start              start master in a private mount namespace where
#                         D/etc is /etc/postfix, so the filter's plain
#                         /usr/sbin/sendmail reaches this instance.
#   pf_send ARGS...       swaks to 127.0.0.1:PORTBASE (quiet; swaks' status).
#   pf_settle             wait (<= PF_SETTLE_LIMIT s) until nothing is in
#                         maildrop, incoming or active.
#   pf_flush              postqueue -f, then settle.
#   pf_queue_count [Q]    messages in the queue (or in queue Q, e.g. deferred).
#   pf_stop [remove]      settle, stop, kill leftovers whose cwd is D/spool;
#                         with "remove" also delete D. Safe to call twice.
#   pf_log                the maillog.   pf_outbox_files   captured mail.
#   pf_postdesk ARGS...   run D/bin/postdesk -c D/etc/postdesk.conf ARGS.
#   PF_VALGRIND=1         run the filter under valgrind (logs in
#                         D/log/valgrind; pf_valgrind_errors lists bad ones).
#
# Layout: D/etc (config_directory), D/spool (queue), D/pfdata (Postfix's own
# data_directory), D/log/maillog, D/bin (postdesk, postdesk-filter,
# capture.sh), D/data (postdesk's store), D/outbox/QID.eml (every message
# not for support.test: notifications and bounces, captured by a pipe).
#
# Inputs: PF_BUILD (where the built programs are; default $top_builddir, else
# this file's ../../build), PF_SRC (the source tree, for templates/), PF_USER
# (pipe user, default pdtest). Every function prints what went wrong and the
# maillog tail on failure and returns non-zero; none calls exit. Safe under
# set -e and set -u.

PF_USER=${PF_USER:-pdtest}
PF_SETTLE_LIMIT=${PF_SETTLE_LIMIT:-20}
PF_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PF_SRC=${PF_SRC:-${top_srcdir:-$PF_LIBDIR/../..}}
PF_BUILD=${PF_BUILD:-${top_builddir:-$PF_SRC/build}}
PF_DIR=
PF_ETC=
PF_PORT=
PF_CONF=
PF_RUNNING=0

# pf_err - print a message to stderr
pf_err()
{
	echo "postfix.sh: $*" >&2
}

# pf_fail - print a message and the maillog tail; return 1
pf_fail()
{
	pf_err "$*"
	if [ -n "$PF_DIR" ] && [ -s "$PF_DIR/log/maillog" ]; then
		echo "--- last lines of $PF_DIR/log/maillog:" >&2
		tail -n 25 "$PF_DIR/log/maillog" >&2
		echo "---" >&2
	fi
	return 1
}

# pf_find_prog - print the path of built program NAME, or fail
pf_find_prog()
{
	local p
	for p in "$PF_BUILD/$1" "$PF_BUILD/src/ctl/$1" "$PF_BUILD/src/filter/$1"; do
		if [ -f "$p" ] && [ -x "$p" ]; then
			echo "$p"
			return 0
		fi
	done
	pf_err "no built $1 in $PF_BUILD (set PF_BUILD or top_builddir)"
	return 1
}

# pf_write_capture - write D/bin/capture.sh (the outbound mail catcher)
pf_write_capture()
{
	cat >"$PF_DIR/bin/capture.sh" <<'EOF'
#!/bin/sh
# capture.sh OUTBOX QUEUE_ID SENDER RECIPIENT... - save one message
# Writes X-Capture-* lines and the message to OUTBOX/.QID.PID.tmp, then
# renames it to OUTBOX/QID.eml, so a reader only ever sees complete files.
out=$1 qid=$2 sender=$3
shift 3
tmp="$out/.$qid.$$.tmp"
{
	echo "X-Capture-Sender: $sender"
	for r in "$@"; do
		echo "X-Capture-Recipient: $r"
	done
	cat
} >"$tmp" || exit 75
mv "$tmp" "$out/$qid.eml" || exit 75
exit 0
EOF
	chmod 755 "$PF_DIR/bin/capture.sh"
}

# pf_write_valgrind_wrapper - D/bin/postdesk-filter runs FILTER under valgrind
# Errors go to D/log/valgrind/PID.log; valgrind's own error exit (70) makes
# Postfix bounce the mail, so a test notices.
pf_write_valgrind_wrapper()
{
	command -v valgrind >/dev/null 2>&1 ||
	    { pf_err "PF_VALGRIND=1 but valgrind is not installed"; return 1; }
	install -m 755 "$1" "$PF_DIR/bin/postdesk-filter.real" || return 1
	mkdir -p "$PF_DIR/log/valgrind"
	chown "$PF_USER:" "$PF_DIR/log/valgrind"
	cat >"$PF_DIR/bin/postdesk-filter" <<EOF
#!/bin/sh
exec $(command -v valgrind) -q --error-exitcode=70 --leak-check=full \\
    --errors-for-leak-kinds=definite \\
    --log-file=$PF_DIR/log/valgrind/%p.log \\
    $PF_DIR/bin/postdesk-filter.real "\$@"
EOF
	chmod 755 "$PF_DIR/bin/postdesk-filter"
}

# pf_valgrind_errors - print the non-empty valgrind logs (PF_VALGRIND=1)
pf_valgrind_errors()
{
	find "$PF_DIR/log/valgrind" -name '*.log' -size +0 2>/dev/null || true
}

# pf_write_postfix_conf - write D/etc/main.cf and D/etc/master.cf
pf_write_postfix_conf()
{
	local d=$PF_DIR
	cat >"$PF_ETC/main.cf" <<EOF
# private test instance, written by tests/lib/postfix.sh
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/pfdata
myhostname = mx.support.test
mydomain = support.test
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP
biff = no
maillog_file = $d/log/maillog
maillog_file_prefixes = $d/log

# inbound: support.test goes to postdesk, one recipient per delivery
relay_domains = support.test
transport_maps = inline:{ support.test=postdesk: }
postdesk_destination_recipient_limit = 1
postdesk_time_limit = 60s

# outbound: everything else (notifications, bounces) lands in $d/outbox
default_transport = capture
relay_transport = capture
capture_destination_recipient_limit = 100
EOF
	cat >"$PF_ETC/master.cf" <<EOF
# private test instance, written by tests/lib/postfix.sh
127.0.0.1:$PF_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
postdesk  unix  -       n       n       -       -       pipe
  flags=Rq user=$PF_USER argv=$d/bin/postdesk-filter -c $PF_CONF pipe
  -q \${queue_id} -f \${sender} --sasl-user=\${sasl_username} -- \${recipient}
capture   unix  -       n       n       -       -       pipe
  flags=q user=$PF_USER argv=$d/bin/capture.sh $d/outbox
  \${queue_id} \${sender} \${recipient}
EOF
	# Postfix waits for a main.cf younger than 2 s to "settle"
	touch -d '10 seconds ago' "$PF_ETC/main.cf" "$PF_ETC/master.cf"
}

# pf_write_postdesk_conf - write D/etc/postdesk.conf
pf_write_postdesk_conf()
{
	{
		echo "# postdesk for the private test instance"
		echo "data_directory = $PF_DIR/data"
		echo "support_address = support@support.test"
		echo "hostname = support.test"
		echo "base_url = http://127.0.0.1:8080"
		echo "site_name = postdesk test"
		echo "sendmail_path = /usr/sbin/sendmail"
		# give up on a busy store (exit 75) well before
		# postdesk_time_limit (60s), at which pipe(8) would bounce
		echo "lock_wait_limit = 20"
		if [ -d "$PF_DIR/templates" ]; then
			echo "template_directory = $PF_DIR/templates"
		fi
	} >"$PF_CONF"
	chmod 644 "$PF_CONF"
}

# pf_setup - create the instance in DIR with smtpd on 127.0.0.1:PORTBASE
pf_setup()
{
	local dir=${1:-} port=${2:-} f filt ctl
	if [ -z "$dir" ] || [ -z "$port" ]; then
		pf_err "usage: pf_setup DIR PORTBASE"
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		pf_err "must run as root (Postfix's master needs it)"
		return 1
	fi
	filt=$(pf_find_prog postdesk-filter) || return 1
	ctl=$(pf_find_prog postdesk) || return 1
	mkdir -p "$dir" || return 1
	PF_DIR=$(cd "$dir" && pwd)
	PF_ETC=$PF_DIR/etc
	PF_PORT=$port
	PF_CONF=$PF_ETC/postdesk.conf
	PF_RUNNING=0
	# mktemp -d gives 0700: the pipe user must traverse D to exec D/bin/*
	chmod 755 "$PF_DIR" || return 1
	mkdir -p "$PF_ETC" "$PF_DIR/spool" "$PF_DIR/pfdata" "$PF_DIR/log" \
	    "$PF_DIR/bin" "$PF_DIR/outbox" || return 1
	if ! id "$PF_USER" >/dev/null 2>&1; then
		useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$PF_USER" ||
		    id "$PF_USER" >/dev/null 2>&1 ||
		    { pf_err "cannot create user $PF_USER"; return 1; }
	fi
	chown postfix:postfix "$PF_DIR/pfdata"
	chown "$PF_USER:" "$PF_DIR/outbox"
	# inside the namespace /etc/postfix is D/etc: it needs these too
	for f in /etc/postfix/postfix-files /etc/postfix/postfix-files.d \
	    /etc/postfix/dynamicmaps.cf /etc/postfix/dynamicmaps.cf.d; do
		[ -e "$f" ] && cp -a "$f" "$PF_ETC/"
	done
	if [ "${PF_VALGRIND:-0}" = 1 ]; then
		pf_write_valgrind_wrapper "$filt" || return 1
	else
		install -m 755 "$filt" "$PF_DIR/bin/postdesk-filter" || return 1
	fi
	install -m 755 "$ctl" "$PF_DIR/bin/postdesk" || return 1
	if [ -d "$PF_SRC/templates" ] &&
	    [ -n "$(ls -A "$PF_SRC/templates" 2>/dev/null)" ]; then
		mkdir -p "$PF_DIR/templates"
		cp -R "$PF_SRC/templates/." "$PF_DIR/templates/"
		chmod -R a+rX "$PF_DIR/templates"
	fi
	pf_write_capture
	pf_write_postdesk_conf
	pf_write_postfix_conf
	mkdir -p "$PF_DIR/data" && chown "$PF_USER:" "$PF_DIR/data" &&
	    chmod 700 "$PF_DIR/data" || return 1
	if ! "$PF_DIR/bin/postdesk" -c "$PF_CONF" init >"$PF_DIR/log/init.out" 2>&1; then
		cat "$PF_DIR/log/init.out" >&2
		pf_err "postdesk init failed"
		return 1
	fi
	if ! postfix -c "$PF_ETC" check >"$PF_DIR/log/check.out" 2>&1; then
		cat "$PF_DIR/log/check.out" >&2
		pf_fail "postfix check failed"
		return 1
	fi
	return 0
}

# pf_port_open - true when something accepts on 127.0.0.1:PF_PORT
pf_port_open()
{
	(exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT") 2>/dev/null
}

# pf_start - start master (in a private mount namespace when possible)
pf_start()
{
	[ -n "$PF_DIR" ] || { pf_err "pf_start before pf_setup"; return 1; }
	if pf_port_open; then
		pf_fail "127.0.0.1:$PF_PORT is already in use"
		return 1
	fi
	if unshare -m --propagation private true 2>/dev/null; then
		unshare -m --propagation private sh -c \
		    'mount --bind "$1" /etc/postfix && exec postfix start' \
		    sh "$PF_ETC" >>"$PF_DIR/log/start.out" 2>&1 ||
		    { pf_fail "postfix start (in a mount namespace) failed"; return 1; }
	else
		pf_err "warning: no mount namespace (no CAP_SYS_ADMIN?):" \
		    "the filter's sendmail cannot reach this instance"
		postfix -c "$PF_ETC" start >>"$PF_DIR/log/start.out" 2>&1 ||
		    { pf_fail "postfix start failed"; return 1; }
	fi
	PF_RUNNING=1
	for _ in $(seq 50); do
		pf_port_open && return 0
		sleep 0.1
	done
	pf_fail "master started but 127.0.0.1:$PF_PORT does not answer"
}

# pf_send - swaks to the instance; defaults first so ARGS override them
pf_send()
{
	local rc
	[ "$PF_RUNNING" = 1 ] || { pf_fail "pf_send: instance not running"; return 1; }
	rc=0
	swaks --silent 2 --timeout 20 --server "127.0.0.1:$PF_PORT" \
	    --helo client.example.com --from customer@example.com \
	    --to support@support.test "$@" || rc=$?
	[ $rc = 0 ] || pf_fail "swaks exited $rc ($*)"
	return $rc
}

# pf_busy_count - messages in maildrop, incoming or active
pf_busy_count()
{
	postqueue -c "$PF_ETC" -j 2>/dev/null |
	    { grep -c -E '"queue_name": *"(maildrop|incoming|active)"' || true; }
}

# pf_settle - wait until the queue has nothing in flight (twice in a row)
pf_settle()
{
	local quiet=0 n
	[ -n "$PF_ETC" ] || { pf_err "pf_settle before pf_setup"; return 1; }
	for _ in $(seq $((PF_SETTLE_LIMIT * 10))); do
		n=$(pf_busy_count)
		if [ "$n" = 0 ]; then
			quiet=$((quiet + 1))
			[ $quiet -ge 2 ] && return 0
		else
			quiet=0
		fi
		sleep 0.1
	done
	postqueue -c "$PF_ETC" -p >&2
	pf_fail "queue did not settle in ${PF_SETTLE_LIMIT}s"
}

# pf_flush - retry every deferred message now, then settle
pf_flush()
{
	postqueue -c "$PF_ETC" -f || { pf_fail "postqueue -f failed"; return 1; }
	# qmgr moves deferred mail to active asynchronously: let it start
	sleep 0.3
	pf_settle
}

# pf_queue_count - print how many messages are queued (in queue $1 if given)
pf_queue_count()
{
	local n
	if [ -n "${1:-}" ]; then
		n=$(postqueue -c "$PF_ETC" -j 2>/dev/null |
		    { grep -c -E "\"queue_name\": *\"$1\"" || true; })
	else
		n=$(postqueue -c "$PF_ETC" -j 2>/dev/null | { grep -c . || true; })
	fi
	echo "${n:-0}"
}

# pf_kill_leftovers - kill processes whose cwd is D/spool (pipe children)
pf_kill_leftovers()
{
	local p cwd pids=
	for p in /proc/[0-9]*; do
		cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
		case $cwd in
		"$PF_DIR/spool"|"$PF_DIR/spool/"*)
			pids="$pids ${p#/proc/}" ;;
		esac
	done
	[ -n "$pids" ] || return 0
	pf_err "killing leftover processes:$pids"
	kill $pids 2>/dev/null || true
	sleep 0.2
	kill -9 $pids 2>/dev/null || true
	return 0
}

# pf_stop - settle, stop master, clean up; "pf_stop remove" also deletes D
pf_stop()
{
	local pid
	[ -n "$PF_DIR" ] || return 0
	if [ "$PF_RUNNING" = 1 ]; then
		pf_settle >/dev/null 2>&1
		postfix -c "$PF_ETC" stop >>"$PF_DIR/log/start.out" 2>&1 ||
		    pf_err "postfix stop failed (see $PF_DIR/log)"
		PF_RUNNING=0
		pid=$(tr -d ' ' <"$PF_DIR/spool/pid/master.pid" 2>/dev/null || true)
		for _ in $(seq 30); do
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			pf_err "master $pid still running, killing it"
			kill -9 "$pid" 2>/dev/null || true
		fi
	fi
	pf_kill_leftovers
	if [ "${1:-}" = remove ]; then
		rm -rf "$PF_DIR"
		PF_DIR=
	fi
	return 0
}

# pf_log - print the instance's maillog
pf_log()
{
	cat "$PF_DIR/log/maillog" 2>/dev/null || true
}

# pf_outbox_files - list captured messages, oldest first
pf_outbox_files()
{
	ls -1tr "$PF_DIR"/outbox/*.eml 2>/dev/null || true
}

# pf_postdesk - run the instance's postdesk with its configuration
pf_postdesk()
{
	"$PF_DIR/bin/postdesk" -c "$PF_CONF" "$@"
}
