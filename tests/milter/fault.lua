-- fault.lua - the store cannot be written: 451 4.3.0, the client retries
--
-- miltertest -D DIR=... -D SOCK=... -D FREE='shell command' -D WHY=text
-- -s fault.lua, against a milter whose data directory is on a full file
-- system; WHY is the text the reply must carry. FREE makes room; then the
-- same message is stored.
dofile(DIR .. "/lib.lua")

local function attempt(qid)
	local conn = connect(SOCK)
	envelope(conn, { qid = qid, from = "hank@example.net",
	    rcpt = { "support@example.com" } })
	local r = message(conn, {
		{ "From", "Hank <hank@example.net>" },
		{ "Subject", "Disk full?" },
		{ "Message-ID", "<mt-fault-1@example.net>" },
	}, string.rep("All work and no play makes Hank a dull boy.\n", 4000))
	return conn, r
end

run(function()
	local conn, r = attempt("MTFAULT1")
	if not check(r == SMFIR_REPLYCODE,
	    "fault: store full: a temporary failure") then
		note("got " .. reply_name(r))
	end
	check(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.3.0", WHY),
	    "fault: ... answered 451 4.3.0 " .. WHY)
	mt.disconnect(conn)

	os.execute(FREE)
	conn, r = attempt("MTFAULT2")
	if not check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
	    "fault: after the fault the retry is accepted") then
		note("got " .. reply_name(r))
	end
	mt.disconnect(conn)
end)
