-- size.lua - message_size_limit (64k in the test configuration)
--
-- miltertest -D DIR=... -D SOCK=... -s size.lua. A declared SIZE= over
-- the limit is refused at RCPT for our recipients only; a body passing it
-- is refused with 552 as soon as it does, not at the end.
dofile(DIR .. "/lib.lua")

-- filler - n bytes of text in lines of 64
local function filler(n)
	local line = string.rep("x", 63) .. "\n"
	return string.rep(line, n // 64)
end

run(function()
	-- 1. SIZE=1000000 declared: ours refused at RCPT, others not
	local conn = connect(SOCK)
	local r = envelope(conn, { qid = "MTSIZE1", from = "gina@example.net",
	    esmtp = { "SIZE=1000000", "BODY=8BITMIME" },
	    rcpt = { "support@example.com", "other@example.org" } })
	if not check(r[1] == SMFIR_REPLYCODE,
	    "size: declared SIZE over the limit: our RCPT refused") then
		note("got " .. reply_name(r[1]))
	end
	check(r[2] == SMFIR_CONTINUE,
	    "size: declared SIZE over the limit: other RCPT continues")
	mt.data(conn)
	is_reply(conn, SMFIR_ACCEPT,
	    "size: no recipient of ours left: accepted untouched")
	mt.disconnect(conn)

	-- 2. a body passing the limit: refused at that chunk
	conn = connect(SOCK)
	envelope(conn, { qid = "MTSIZE2", from = "gina@example.net",
	    esmtp = { "SIZE=100" }, rcpt = { "support@example.com" } })
	for _, h in ipairs({ { "From", "gina@example.net" },
	    { "Subject", "Big screenshot" },
	    { "Message-ID", "<mt-size-2@example.net>" } }) do
		mt.header(conn, h[1], hv(conn, h[2]))
	end
	mt.eoh(conn)
	local n
	r, n = body(conn, filler(160 * 1024), 16 * 1024)
	if not check(r == SMFIR_REPLYCODE,
	    "size: a body over the limit is refused (552)") then
		note("got " .. reply_name(r))
	end
	-- 16 KB chunks of CRLF text are 16132 bytes once made LF: the
	-- 5th passes 64 KB
	if not check(n == 5, "size: ... at the chunk that passes 64 KB, " ..
	    "not at the end") then
		note("refused after chunk " .. n .. " of 10")
	end
	mt.disconnect(conn)

	-- 3. just under the limit: stored
	conn = connect(SOCK)
	envelope(conn, { qid = "MTSIZE3", from = "gina@example.net",
	    rcpt = { "support@example.com" } })
	r = message(conn, { { "From", "gina@example.net" },
	    { "Subject", "Small screenshot" },
	    { "Message-ID", "<mt-size-3@example.net>" } }, filler(60 * 1024))
	if not check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
	    "size: 60 KB is accepted") then
		note("got " .. reply_name(r))
	end
	mt.disconnect(conn)
end)
