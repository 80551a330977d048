# threads.sh - generated conversations for the load tests (crash.sh,
# concurrency.sh), and the check that each message was stored once, in
# the right ticket. Sourced after tests/lib/common.sh (pd, is, $T).
#
# gen_threads N P NCUST WORD writes $T/msg/1 .. $T/msg/N and
# $T/msg/manifest ("I KIND TARGET CUSTOMER" per message). Messages are
# fed P at a time, so among each P-th one: even rounds are new tickets
# from one of NCUST customers, odd rounds replies (In-Reply-To) to an
# earlier new message of the same stream. Message-IDs are
# <WORD I.TAG@example.net>, TAG ($tag, set here) unique to the run.
#
# stored_counts WORD lists and shows every ticket and sets lost, dup,
# astray (a reply not on its target's ticket), alien (stored, not ours)
# and news (new messages); stored_checks turns them into TAP checks, with
# one ticket per new message and "postdesk check --data" clean.

# gen_threads N P NCUST WORD - the messages and their manifest
gen_threads() {
	tag=$$.$RANDOM
	mkdir -p "$T/msg"
	awk -v n="$1" -v p="$2" -v nc="$3" -v word="$4" -v dir="$T/msg" \
	    -v tag="$tag" -v seed="$RANDOM" '
BEGIN {
	srand(seed)
	for (i = 1; i <= n; i++) {
		j = int((i - 1) / p); w = (i - 1) % p; f = dir "/" i
		if (j % 2 == 0) {
			c = int(rand() * nc) + 1; t = 0
			news[w, ++nn[w]] = i
			subj = word " test " i
		} else {
			t = news[w, int(rand() * nn[w]) + 1]; c = cust[t]
			subj = "Re: " word " test " t
		}
		cust[i] = c
		printf "From: Customer %d <cust%d@example.net>\n", c, c > f
		printf "To: support@example.com\nSubject: %s\n", subj > f
		printf "Message-ID: <%s%d.%s@example.net>\n", word, i, tag > f
		if (t)
			printf "In-Reply-To: <%s%d.%s@example.net>\n", word, t,
			    tag > f
		printf "Date: Sun, 22 Nov 2026 10:00:00 +0000\n\n" > f
		printf "Message %d of the %s test.\nSecond line.\n", i,
		    word > f
		close(f)
		print i, (t ? "reply" : "new"), t, c > (dir "/manifest")
	}
}'
}

# stored_counts WORD - what the store holds, against the manifest
stored_counts() {
	local f
	pd list --all --json | jq -r '.[].id' > "$T/ids"
	rm -f "$T"/ids.a?
	split -n r/2 "$T/ids" "$T/ids."
	for f in "$T"/ids.a?; do
		while read -r id; do pd show "$id" --json; done < "$f" |
		    jq -r '.id as $t | .messages[] | "\($t) \(.message_id)"' \
		    > "$f.out" &
	done
	wait
	cat "$T"/ids.a?.out > "$T/stored"
	awk -v tag="$tag" -v word="$1" '
FNR == NR { kind[$1] = $2; target[$1] = $3; n++; next }
{
	split($2, a, /[.@]/); i = substr(a[1], length(word) + 1) + 0
	if (a[2] "." a[3] != tag || !(i in kind)) { alien++; next }
	seen[i]++; tk[i] = $1
}
END {
	for (i = 1; i <= n; i++) {
		if (!(i in seen)) lost++
		else if (seen[i] > 1) dup += seen[i] - 1
		if (kind[i] == "reply" && (i in seen) &&
		    tk[i] != tk[target[i]]) astray++
		if (kind[i] == "new") news++
	}
	print lost + 0, dup + 0, astray + 0, alien + 0, news + 0
}' "$T/msg/manifest" "$T/stored" > "$T/counts"
	read -r lost dup astray alien news < "$T/counts"
}

# stored_checks - the checks on stored_counts' figures, and check --data
stored_checks() {
	is "$lost" 0 "lost: no message is missing"
	is "$dup" 0 "duplicated: no message is stored twice"
	is "$astray" 0 "every reply is on its target's ticket"
	is "$alien" 0 "nothing else was stored"
	is "$(wc -l < "$T/ids")" "$news" "one ticket per new message"
	pd check --data > "$T/check.out" 2> "$T/check.err"
	is "$?" 0 "check --data finds no problem"
	grep -q '^store data OK' "$T/check.out" ||
	    sed 's/^/#   /' "$T/check.err" | head -5
}
