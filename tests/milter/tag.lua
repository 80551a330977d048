-- tag.lua - milter_action = tag: the stored message gets X-Postdesk-Ticket
--
-- miltertest -D DIR=... -D SOCK=... -D WANT=N -s tag.lua, N being the
-- number the next new ticket will get. A message to two of our addresses
-- is two deliveries, as in pipe mode: two tickets, one header each.
dofile(DIR .. "/lib.lua")

-- tags - the values of the X-Postdesk-Ticket headers added, sorted
local function tags(conn)
	local v, i = {}, 0
	while true do
		local h = mt.getheader(conn, "X-Postdesk-Ticket", i)
		if h == nil then
			break
		end
		v[#v + 1] = tonumber(h:match("^ ?(%d+)$") or "-1")
		i = i + 1
	end
	table.sort(v)
	return table.concat(v, ",")
end

run(function()
	local want = tonumber(WANT)
	local conn = connect(SOCK)
	envelope(conn, { qid = "MTTAG1", from = "erin@example.net",
	    rcpt = { "support@example.com" } })
	local r = message(conn, {
		{ "From", "Erin <erin@example.net>" },
		{ "To", "support@example.com" },
		{ "Subject", "Tag me" },
		{ "Message-ID", "<mt-tag-1@example.net>" },
	}, "Please tag this.\n")
	check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
	    "tag: accepted (" .. reply_name(r) .. ")")
	check(mt.eom_check(conn, MT_HDRADD, "X-Postdesk-Ticket"),
	    "tag: X-Postdesk-Ticket added")
	local got = tags(conn)
	if not check(got == tostring(want),
	    "tag: one header, the new ticket's number " .. want) then
		note("got '" .. got .. "'")
	end
	check(not mt.eom_check(conn, MT_RCPTDELETE, "<support@example.com>"),
	    "tag: the recipient stays")

	-- the same connection, the next message: two of our addresses
	envelope(conn, { qid = "MTTAG2", from = "erin@example.net",
	    rcpt = { "support@example.com", "help@example.com" } })
	r = message(conn, {
		{ "From", "Erin <erin@example.net>" },
		{ "To", "support@example.com, help@example.com" },
		{ "Subject", "Tag me twice" },
		{ "Message-ID", "<mt-tag-2@example.net>" },
	}, "Two of your addresses.\n")
	check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
	    "tag: two recipients: accepted (" .. reply_name(r) .. ")")
	got = tags(conn)
	if not check(got == (want + 1) .. "," .. (want + 2),
	    "tag: two recipients: one header per ticket") then
		note("got '" .. got .. "'")
	end
	mt.disconnect(conn)
end)
