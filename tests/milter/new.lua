-- new.lua - a new ticket, a reply, a duplicate, and mail not for us
--
-- miltertest -D DIR=tests/milter -D SOCK=unix:/path -s new.lua
-- Against a milter with milter_action = accept for support@example.com.
-- The shell then checks the store: one ticket with two messages.
dofile(DIR .. "/lib.lua")

run(function()
	local first = {
		{ "From", "Alice Example <alice@example.net>" },
		{ "To", "Support <support@example.com>" },
		{ "Subject", "Printer on fire" },
		{ "Message-ID", "<mt-new-1@example.net>" },
		{ "Date", "Mon, 03 Jun 2024 09:00:00 +0000" },
	}
	local text = "Hello,\n\nthe printer on floor 3 is on fire.\n\nAlice\n"

	-- 1. a new ticket: accepted, nothing added or removed
	local conn = connect(SOCK)
	local r = envelope(conn, { qid = "MTNEW1", from = "alice@example.net",
	    rcpt = { "support@example.com" } })
	check(r[1] == SMFIR_CONTINUE, "new: RCPT support@example.com continues")
	r = message(conn, first, text)
	check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
	    "new: accepted at end of message (" .. reply_name(r) .. ")")
	check(not mt.eom_check(conn, MT_HDRADD), "new: no header added")
	check(not mt.eom_check(conn, MT_RCPTDELETE, "<support@example.com>"),
	    "new: the recipient is not removed")

	-- 2. the same message again on the same connection: a duplicate,
	-- answered like a stored one
	r = envelope(conn, { qid = "MTNEW2", from = "alice@example.net",
	    rcpt = { "support@example.com" } })
	r = message(conn, first, text)
	check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
	    "duplicate: accepted (" .. reply_name(r) .. ")")
	mt.disconnect(conn)

	-- 3. a reply naming the first message: joins its ticket
	conn = connect(SOCK)
	envelope(conn, { qid = "MTNEW3", from = "alice@example.net",
	    rcpt = { "support@example.com" } })
	r = message(conn, {
		{ "From", "Alice Example <alice@example.net>" },
		{ "To", "support@example.com" },
		{ "Subject", "Re: Printer on fire" },
		{ "Message-ID", "<mt-new-2@example.net>" },
		{ "In-Reply-To", "<mt-new-1@example.net>" },
		{ "References", "<mt-new-1@example.net>" },
	}, "It is out now. The smoke remains.\n")
	check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
	    "reply: accepted (" .. reply_name(r) .. ")")
	mt.disconnect(conn)

	-- 4. not for the helpdesk: accepted untouched before the headers
	conn = connect(SOCK)
	r = envelope(conn, { qid = "MTNEW4", from = "alice@example.net",
	    rcpt = { "bob@example.org", "carol@Example.NET" } })
	check(r[1] == SMFIR_CONTINUE and r[2] == SMFIR_CONTINUE,
	    "not ours: RCPT continues")
	mt.data(conn)
	is_reply(conn, SMFIR_ACCEPT,
	    "not ours: accepted untouched at DATA, before any header")
	mt.disconnect(conn)

	-- 5. our domain in another case is ours
	conn = connect(SOCK)
	envelope(conn, { qid = "MTNEW5", from = "dave@example.net",
	    rcpt = { "Support@EXAMPLE.com" } })
	r = message(conn, {
		{ "From", "dave@example.net" },
		{ "Subject", "Upper case domain" },
		{ "Message-ID", "<mt-new-3@example.net>" },
	}, "Shouting domain.\n")
	check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
	    "upper-case domain: accepted (" .. reply_name(r) .. ")")
	mt.disconnect(conn)
end)
