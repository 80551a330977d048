-- feed.lua - send a list of message files through the milter
--
-- miltertest -D DIR=... -D SOCK=... -D LIST=file [-D OUT=dir] -s feed.lua
-- Each line of LIST is "PATH SENDER RECIPIENT [SASL-USER]"; each file goes
-- through its own connection, split into header fields and body as an MTA
-- would (lib.lua split), with queue id F<line number>. With OUT, the copy
-- pipe mode would get of the same message is written to OUT/<n>.eml.
-- Prints "not ok" for each message not accepted, then one summary line;
-- a file miltertest cannot send (lib.lua send_file) is left out, with a
-- note, and gets no copy.
dofile(DIR .. "/lib.lua")

run(function()
	local n, bad, skipped = 0, 0, 0
	for line in io.lines(LIST) do
		local path, from, rcpt, auth =
		    line:match("^(%S+)%s+(%S+)%s+(%S+)%s*(%S*)$")
		if path ~= nil then
			n = n + 1
			if from == "MAILER-DAEMON" then
				from = ""
			end
			local r, why = send_file(SOCK, path, { qid = "F" .. n,
			    from = from, rcpt = { rcpt }, auth = auth },
			    OUT and (OUT .. "/" .. n .. ".eml"))
			if r == nil then
				skipped = skipped + 1
				note("left out " .. path .. ": " .. why)
			elseif r ~= SMFIR_CONTINUE and r ~= SMFIR_ACCEPT then
				bad = bad + 1
				check(false, path .. ": " .. reply_name(r))
			end
		end
	end
	check(n > 0 and bad == 0, "feed: " .. (n - bad - skipped) .. " of " ..
	    (n - skipped) .. " messages accepted (" .. skipped ..
	    " left out)")
end)
