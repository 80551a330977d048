-- agent.lua - an agent's reply with {auth_authen}, and a forged one
--
-- miltertest -D DIR=... -D SOCK=... -s agent.lua. Sends agent-1.eml (a
-- customer's new ticket), agent-2.eml (the agent's reply, SMTP AUTH name
-- "bob" in {auth_authen}) and agent-3.eml (the same From, no AUTH). The
-- shell delivers the same files in pipe mode (--sasl-user=bob for the
-- second) into another store and compares the tickets; the log must name
-- the AUTH user.
dofile(DIR .. "/lib.lua")

run(function()
	local sends = {
		{ "agent-1.eml", "carol@customer.example", "" },
		{ "agent-2.eml", "bob@example.com", "bob" },
		{ "agent-3.eml", "bob@example.com", "" },
	}
	for i, s in ipairs(sends) do
		local r = send_file(SOCK, DIR .. "/" .. s[1], { qid = "MTAGENT" .. i,
		    from = s[2], rcpt = { "support@example.com" }, auth = s[3] })
		if not check(r == SMFIR_CONTINUE or r == SMFIR_ACCEPT,
		    "agent: " .. s[1] .. (s[3] ~= "" and " with {auth_authen}="
		    .. s[3] or " without AUTH") .. " accepted") then
			note("got " .. reply_name(r))
		end
	end
end)
