-- discard.lua - milter_action = discard: stored mail goes nowhere else
--
-- miltertest -D DIR=... -D SOCK=... -s discard.lua. Only our recipients:
-- the message is discarded. Mixed: only ours are removed (smfi_delrcpt),
-- the others get it as usual.
dofile(DIR .. "/lib.lua")

run(function()
	local conn = connect(SOCK)
	envelope(conn, { qid = "MTDIS1", from = "fred@example.net",
	    rcpt = { "support@example.com" } })
	local r = message(conn, {
		{ "From", "fred@example.net" },
		{ "Subject", "Discard after storing" },
		{ "Message-ID", "<mt-dis-1@example.net>" },
	}, "Only for the helpdesk.\n")
	if not check(r == SMFIR_DISCARD, "discard: only ours: discarded") then
		note("got " .. reply_name(r))
	end
	mt.disconnect(conn)

	conn = connect(SOCK)
	envelope(conn, { qid = "MTDIS2", from = "fred@example.net",
	    rcpt = { "support@example.com", "boss@example.org" } })
	r = message(conn, {
		{ "From", "fred@example.net" },
		{ "To", "support@example.com" },
		{ "Cc", "boss@example.org" },
		{ "Subject", "Copy to my boss" },
		{ "Message-ID", "<mt-dis-2@example.net>" },
	}, "The boss reads along.\n")
	if not check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
	    "discard: mixed: accepted for the others") then
		note("got " .. reply_name(r))
	end
	check(mt.eom_check(conn, MT_RCPTDELETE, "<support@example.com>"),
	    "discard: mixed: our recipient removed")
	check(not mt.eom_check(conn, MT_RCPTDELETE, "<boss@example.org>"),
	    "discard: mixed: the other recipient stays")
	mt.disconnect(conn)
end)
