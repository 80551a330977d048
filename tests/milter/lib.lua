-- lib.lua - helpers for the miltertest scripts of tests/e2e/milter.sh
--
-- Loaded with dofile(DIR .. "/lib.lua") by each script. The scripts get
-- their parameters as miltertest -D NAME=VALUE globals (SOCK, DIR, ...)
-- and report TAP-like lines on stdout, "ok - label" or "not ok - label",
-- which tests/e2e/milter.sh numbers and counts. A Lua error would make
-- miltertest exit 1 without saying why, so run() catches it and reports
-- it as a failed check.

-- check - one result line
function check(cond, label)
	if cond then
		mt.echo("ok - " .. label)
	else
		mt.echo("not ok - " .. label)
	end
	return cond
end

-- note - a diagnostic line
function note(text)
	mt.echo("# " .. text)
end

-- run - call fn, turning a Lua error into a failed check
function run(fn)
	local ok, why = pcall(fn)
	if not ok then
		check(false, "script error: " .. tostring(why))
	end
end

-- reply_name - a milter reply code as text, for diagnostics
function reply_name(r)
	local names = {
		[SMFIR_CONTINUE] = "continue", [SMFIR_ACCEPT] = "accept",
		[SMFIR_REJECT] = "reject", [SMFIR_TEMPFAIL] = "tempfail",
		[SMFIR_DISCARD] = "discard", [SMFIR_REPLYCODE] = "replycode",
	}
	if r == nil then
		return "nil"
	end
	return names[r] or ("'" .. string.char(r) .. "'")
end

-- is_reply - the last reply is want; one check line
function is_reply(conn, want, label)
	local got = mt.getreply(conn)
	if not check(got == want, label) then
		note("got " .. reply_name(got) .. ", want " .. reply_name(want))
	end
	return got == want
end

-- connect - a new connection with connection information and macros
function connect(sock, client)
	local conn = mt.connect(sock, 50, 0.1)
	if conn == nil then
		error("cannot connect to " .. sock)
	end
	client = client or "192.0.2.7"
	mt.macro(conn, SMFIC_CONNECT, "{client_addr}", client)
	local err = mt.conninfo(conn, "client.example.net", client)
	if err ~= nil then
		error("conninfo: " .. err)
	end
	return conn
end

-- hv - a header value to pass to mt.header(); with SMFIP_HDR_LEADSPC
-- negotiated miltertest itself puts the one space after the colon back
function hv(conn, value)
	return value
end

-- envelope - MAIL FROM (with macros) and RCPT TO; returns the RCPT replies
function envelope(conn, e)
	mt.macro(conn, SMFIC_MAIL, "i", e.qid or "TESTQID",
	    "{auth_authen}", e.auth or "")
	local err = mt.mailfrom(conn, "<" .. (e.from or "") .. ">",
	    table.unpack(e.esmtp or {}))
	if err ~= nil then
		error("mailfrom: " .. err)
	end
	local replies = {}
	for i, r in ipairs(e.rcpt) do
		err = mt.rcptto(conn, "<" .. r .. ">")
		if err ~= nil then
			error("rcptto: " .. err)
		end
		replies[i] = mt.getreply(conn)
	end
	return replies
end

-- crlf - LF line ends as CRLF (what the MTA sends to milters)
function crlf(s)
	return (s:gsub("\r?\n", "\r\n"))
end

-- body - send s (LF or CRLF ends) in chunks of at most size bytes;
-- returns the reply to the last chunk sent and how many were sent, and
-- stops early at the first reply other than continue
function body(conn, s, size)
	local data = crlf(s)
	size = size or 65535
	local pos, n, r = 1, 0, SMFIR_CONTINUE
	if #data == 0 then
		data = "\r\n"	-- libmilter refuses an empty chunk
	end
	while pos <= #data do
		local err = mt.bodystring(conn, data:sub(pos, pos + size - 1))
		if err ~= nil then
			error("bodystring: " .. err)
		end
		n = n + 1
		pos = pos + size
		r = mt.getreply(conn)
		if r ~= SMFIR_CONTINUE then
			break
		end
	end
	return r, n
end

-- message - headers (a list of {name, value}), end of headers, body, eom;
-- returns the reply at end of message (or the earlier refusal)
function message(conn, headers, text)
	for _, h in ipairs(headers) do
		local err = mt.header(conn, h[1], hv(conn, h[2]))
		if err ~= nil then
			error("header: " .. err)
		end
	end
	mt.eoh(conn)
	local r = mt.getreply(conn)
	if r ~= SMFIR_CONTINUE then
		return r
	end
	r = body(conn, text)
	if r ~= SMFIR_CONTINUE then
		return r
	end
	local err = mt.eom(conn)
	if err ~= nil then
		error("eom: " .. err)
	end
	return mt.getreply(conn)
end

-- split - a file's bytes into header fields and body, the way an MTA
-- reads them: CRLF ends are LF; a field is NAME: value with its
-- continuation lines; the header ends at the first empty line (which is
-- not part of the body) or at the first line that is not a field
function split(data)
	data = data:gsub("\r\n", "\n")
	local fields, pos = {}, 1
	while pos <= #data do
		local nl = data:find("\n", pos, true)
		local line = data:sub(pos, (nl or (#data + 1)) - 1)
		local next = nl and nl + 1 or #data + 1
		if line == "" then
			return fields, data:sub(next)
		end
		local name, value = line:match("^([!-9;-~]+):(.*)$")
		if name ~= nil then
			fields[#fields + 1] = { name, value }
		elseif line:match("^[ \t]") and #fields > 0 then
			local f = fields[#fields]
			f[2] = f[2] .. "\n" .. line
		else
			return fields, data:sub(pos)
		end
		pos = next
	end
	return fields, ""
end

-- FIELD_MAX - miltertest copies a header field into a 1024-byte buffer
FIELD_MAX = 1000

-- send_file - one message file through a new connection; returns the
-- reply at end of message (or the earlier refusal), or nil and a reason
-- for a file miltertest cannot send (a field over FIELD_MAX; then copy
-- .. ".skip" is created). With copy set, also
-- writes there the message as pipe(8) flags=R would hand the same SMTP
-- message to pipe mode: Return-Path, each field as "Name: value" (one
-- space: see below), an empty line, the body with LF line ends.
function send_file(sock, path, e, copy)
	local f = assert(io.open(path, "rb"))
	local data = f:read("a")
	f:close()
	local fields, text = split(data)
	for _, h in ipairs(fields) do
		if #h[1] + #h[2] + 2 > FIELD_MAX then
			if copy ~= nil then
				io.open(copy .. ".skip", "w"):close()
			end
			return nil, "a " .. (#h[1] + #h[2]) .. "-byte " .. h[1] ..
			    " field (miltertest's limit is " .. FIELD_MAX .. ")"
		end
	end
	-- miltertest sends a made-up From: when there is no field at all
	-- (an MTA would add one too): send our own
	if #fields == 0 then
		fields[1] = { "From", " <" .. (e.from or "") .. ">" }
	end
	-- libmilter drops the connection on an empty body chunk, and
	-- miltertest sends a made-up body when there is none: an empty body
	-- goes as one empty line
	if text == "" then
		text = "\n"
	end
	local out = {}
	out[1] = "Return-Path: <" .. (e.from or "") .. ">\n"
	local conn = connect(sock)
	local replies = envelope(conn, e)
	for _, r in ipairs(replies) do
		if r ~= SMFIR_CONTINUE then
			mt.disconnect(conn)
			return r
		end
	end
	for _, h in ipairs(fields) do
		-- one space after the colon: the MTA drops it, or with
		-- SMFIP_HDR_LEADSPC miltertest adds it back (so "Name:value"
		-- without a space arrives as "Name: value")
		local v = h[2]:gsub("^ ", "", 1)
		out[#out + 1] = h[1] .. ": " .. v .. "\n"
		local err = mt.header(conn, h[1], v)
		if err ~= nil then
			error("header: " .. err)
		end
	end
	out[#out + 1] = "\n" .. text
	if copy ~= nil then
		-- complete before it appears: a reader may be waiting for it
		local w = assert(io.open(copy .. ".tmp", "wb"))
		w:write(table.concat(out))
		w:close()
		assert(os.rename(copy .. ".tmp", copy))
	end
	mt.eoh(conn)
	local r = mt.getreply(conn)
	if r == SMFIR_CONTINUE then
		r = body(conn, text)
	end
	if r == SMFIR_CONTINUE then
		local err = mt.eom(conn)
		if err ~= nil then
			error("eom: " .. err)
		end
		r = mt.getreply(conn)
	end
	mt.disconnect(conn)
	return r
end
