#!/bin/bash
# customers.sh - customers from a CRM's CSV (seed 004: "CRM Association",
# "External ID"): postdesk customer import / list / show.
#
# A generated CSV of 5,000 rows (UTF-8 with a BOM, quoted fields with
# commas, doubled quotes and line breaks, an ignored column, three bad
# rows): the counts, the bad rows named by their line, no progress output
# without a terminal (and a bar with one, when script(1) is there); a
# second import updates instead of duplicating; empty cells keep stored
# values; an external id taken by another customer is refused; show by
# email and by --id, with the customer's tickets; list --json; --dry-run
# writes nothing; exit 65 for files that cannot be parsed (nothing
# written), 66 for a missing file, 75 for a store that cannot be written.
. "$(dirname "$0")/../lib/common.sh"

command -v jq >/dev/null || skip_all "jq is not installed"
pd_home
trap 'pd_cleanup' EXIT
N=5000

# gen_csv FILE BADLINES - the CSV; the lines of the bad rows go to BADLINES
gen_csv() {
	awk -v n=$N -v bad="$2" 'BEGIN {
		printf "\357\273\277Email,Full Name,Customer_ID,Company,Phone,Notes,Favourite Colour\r\n"
		line = 2
		for (i = 1; i <= n; i++) {
			if (i == 1000) {
				printf ",No Address,C-%d,,,,red\r\n", i
				print line ": no email address" > bad
				line++; continue
			}
			if (i == 2500) {
				printf "not-an-address,Bad One,C-%d,,,,red\r\n", i
				print line ": invalid email address \"not-an-address\"" > bad
				line++; continue
			}
			if (i == 4000) {
				printf "bob@localhost,Bob Local,C-%d,,,,red\r\n", i
				print line ": invalid email address (no domain with a dot) \"bob@localhost\"" > bad
				line++; continue
			}
			email = (i % 7 == 0) ? sprintf("User%d@Example.COM", i) : sprintf("user%d@example.com", i)
			name = sprintf("\"Müller, Jürgen \"\"Jay\"\" %d\"", i)
			notes = (i % 100 == 0) ? sprintf("\"line one %d\nline two, with comma\"", i) : ""
			printf "%s,%s,C-%d,\"ACME, Inc.\",+49 30 %d,%s,blue\r\n", email, name, i, i, notes
			line += (i % 100 == 0) ? 2 : 1
		}
	}' > "$1"
}

CSV=$T/crm.csv
gen_csv "$CSV" "$T/bad.expected"
is "$(head -c 3 "$CSV" | od -An -tx1 | tr -d ' ')" "efbbbf" "the generated CSV starts with a BOM"

pd customer import "$CSV" >"$T/out" 2>"$T/err"
is "$?" 0 "import: exit 0 with bad rows"
is "$(cat "$T/out")" "imported $((N - 3)), updated 0, skipped 3" \
   "import: the summary counts $((N - 3)) new customers and 3 skipped rows"
sed -n "s|^$CSV:||p" "$T/err" > "$T/bad.got"
is "$(cat "$T/bad.got")" "$(cat "$T/bad.expected")" \
   "each bad row is named FILE:LINE: reason, with the line it starts on"
check "the unknown column is named once" grep -q 'ignoring the columns "favourite_colour"' "$T/err"
is "$(grep -c '%' "$T/err")" 0 "no progress output when stderr is not a terminal"

pd customer list --json >"$T/list.json"
is "$?" 0 "list --json: exit 0"
check "list --json is valid JSON" jq -e . "$T/list.json"
is "$(jq length "$T/list.json")" "$((N - 3))" "list: one entry per customer"
is "$(jq -r '[.[] | select(.email == "user700@example.com")] | length' "$T/list.json")" 1 \
   "an address written User700@Example.COM is stored lower-cased"
is "$(jq -r '.[] | select(.email == "user700@example.com") | .name' "$T/list.json")" \
   'Müller, Jürgen "Jay" 700' "a quoted name with a comma and doubled quotes, UTF-8"
is "$(jq -r '.[] | select(.email == "user700@example.com") | .notes' "$T/list.json")" \
   "$(printf 'line one 700\nline two, with comma')" "a quoted note with a line break"
is "$(jq -r '.[] | select(.email == "user700@example.com") | .organisation + "|" + .phone + "|" + .external_id' "$T/list.json")" \
   "ACME, Inc.|+49 30 700|C-700" "company, phone and customer id from their columns"
check "list (text) names the customers" bash -c "'$PD' -c '$T/postdesk.conf' customer list | grep -q '^user42@example.com '"

pd customer show User42@EXAMPLE.com --json >"$T/show.json"
is "$?" 0 "show by email (any case): exit 0"
is "$(jq -r '.email + " " + .external_id' "$T/show.json")" "user42@example.com C-42" "show by email finds the customer"
pd customer show --id C-42 --json >"$T/show2.json"
is "$(jq -r .email "$T/show2.json")" "user42@example.com" "show --id finds the customer by external id"
pd customer show nobody@example.com >/dev/null 2>&1
is "$?" 1 "show of an unknown customer: exit 1"
pd customer show --id C-1000 >/dev/null 2>&1
is "$?" 1 "the skipped row's id was never stored"

# the customer writes in: the ticket shows up under the customer
printf 'From: User Five <user5@example.com>\nSubject: printer on fire\nMessage-ID: <c5@example.com>\n\nHelp.\n' |
    deliver support@example.com user5@example.com >/dev/null
pd customer show user5@example.com --json >"$T/show5.json"
is "$(jq -r '.tickets | length' "$T/show5.json")" 1 "show lists the customer's ticket"
is "$(jq -r '.tickets[0].id|tostring' "$T/show5.json")" "$(pd list --json | jq -r '.[0].id|tostring')" \
   "... the ticket the customer's mail opened"
is "$(jq -r '.tickets[0].subject' "$T/show5.json")" "printer on fire" "... with its subject"
check "show (text) lists the ticket" bash -c "'$PD' -c '$T/postdesk.conf' customer show user5@example.com | grep -q 'printer on fire'"

# the same file again: updates, no duplicates
pd customer import "$CSV" >"$T/out" 2>/dev/null
is "$(cat "$T/out")" "imported 0, updated $((N - 3)), skipped 3" "re-import: every row updates"
is "$(pd customer list --json | jq length)" "$((N - 3))" "re-import: no duplicates"

# empty cells keep what is stored; a taken external id is refused
printf 'email,name,phone,external_id\nuser1@example.com,New Name,,\nuser2@example.com,Two,,C-1\n' >"$T/upd.csv"
pd customer import "$T/upd.csv" >"$T/out" 2>"$T/err"
is "$(cat "$T/out")" "imported 0, updated 1, skipped 1" "an update and a refused row"
is "$(pd customer show user1@example.com --json | jq -r '.name + "|" + .phone + "|" + .external_id')" \
   "New Name|+49 30 1|C-1" "the new name is stored, empty cells keep phone and id"
check "the taken external id is reported with the row's line" \
    grep -q "^$T/upd.csv:3: external id C-1 already belongs to user1@example.com" "$T/err"
is "$(pd customer show user2@example.com --json | jq -r .external_id)" "C-2" "... and user2 keeps its own id"

# --dry-run writes nothing
printf 'email,name\nnew1@example.com,New One\nnew2@example.com,New Two\nuser3@example.com,Three\n' >"$T/dry.csv"
pd customer import "$T/dry.csv" --dry-run >"$T/out"
is "$(head -1 "$T/out")" "imported 2, updated 1, skipped 0" "dry run: the counts of a real run"
check "dry run: says so" grep -q 'dry run' "$T/out"
pd customer show new1@example.com >/dev/null 2>&1
is "$?" 1 "dry run: nothing was written"

# files that cannot be parsed at all: 65, nothing written
printf 'name,phone\nAnn,1\n' >"$T/noemail.csv"
pd customer import "$T/noemail.csv" >/dev/null 2>"$T/err"
is "$?" 65 "no email column: exit 65"
check "... says so" grep -q 'no email column' "$T/err"
: >"$T/empty.csv"
pd customer import "$T/empty.csv" >/dev/null 2>&1
is "$?" 65 "an empty file: exit 65"
printf 'email,name\nq1@example.com,Q\nq2@example.com,"never closed\nq3@example.com,R\n' >"$T/quote.csv"
pd customer import "$T/quote.csv" >/dev/null 2>"$T/err"
is "$?" 65 "a quoted field never closed: exit 65"
check "... names the line it starts on" grep -q "quote.csv:3: a quoted field is never closed" "$T/err"
pd customer show q1@example.com >/dev/null 2>&1
is "$?" 1 "... and nothing of that file was written"
pd customer import "$T/does-not-exist.csv" >/dev/null 2>&1
is "$?" 66 "a missing file: exit 66 (EX_NOINPUT)"
pd customer import >/dev/null 2>&1
is "$?" 64 "no file: usage, exit 64"

# a store that cannot be written: 75
chmod 400 "$T/data/data.mdb"
pd customer import "$T/dry.csv" >/dev/null 2>"$T/err"
is "$?" 75 "a read-only data file: exit 75"
chmod 600 "$T/data/data.mdb"

# with a terminal on stderr: a progress bar
if command -v script >/dev/null; then
	script -qec "'$PD' -c '$T/postdesk.conf' customer import '$CSV'" /dev/null >"$T/tty" 2>&1
	check "with a terminal: the progress bar after each 1,000 rows" grep -q "imported 1000/$N \[####  *\] 20%" "$T/tty"
	check "... up to 100%" grep -q "imported $N/$N \[#*\] 100%" "$T/tty"
else
	ok 0 "# SKIP script(1) is not installed: no terminal to test the bar"
fi

done_testing
