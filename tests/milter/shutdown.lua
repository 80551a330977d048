-- shutdown.lua - SIGTERM: the message being stored is finished, then exit
--
-- miltertest -D DIR=... -D SOCK=... -s shutdown.lua, while the shell holds
-- the store's write lock and sends the milter SIGTERM: the end of message
-- below waits for the lock, libmilter stops listening (within about 5 s),
-- the lock is released, and the message must still be stored and
-- answered. A second connection has a message half sent: it is not
-- answered (the MTA retries it), and new connections are refused.
dofile(DIR .. "/lib.lua")

run(function()
	mt.set_timeout(30)
	local half = connect(SOCK)
	envelope(half, { qid = "MTSTOP2", from = "jack@example.net",
	    rcpt = { "support@example.com" } })
	mt.header(half, "Subject", hv(half, "Half sent at shutdown"))

	local busy = connect(SOCK)
	envelope(busy, { qid = "MTSTOP1", from = "ivy@example.net",
	    rcpt = { "support@example.com" } })
	-- libmilter may close the connection at SIGTERM before the answer
	-- reaches the MTA; then the MTA applies milter_default_action
	-- (tempfail) and retries, and the retry is a duplicate: the shell
	-- checks that the message is stored exactly once either way
	local okm, r = pcall(message, busy, {
		{ "From", "ivy@example.net" },
		{ "Subject", "In flight during shutdown" },
		{ "Message-ID", "<mt-stop-1@example.net>" },
	}, "Finish me, please.\n")
	if not okm then
		-- no check here: "stored exactly once" (milter.sh) decides
		note("the answer did not arrive (" .. tostring(r) .. "): the MTA "
		    .. "would retry")
	elseif not check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
	    "shutdown: the message being stored is finished and accepted") then
		note("got " .. reply_name(r))
	end
	local ok = pcall(mt.connect, SOCK)
	check(not ok, "shutdown: a new connection is refused")
	pcall(mt.disconnect, busy, false)
	pcall(mt.disconnect, half, false)
end)
