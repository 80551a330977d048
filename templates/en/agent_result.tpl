Subject: [#<<ticket_id>>] What your mail did: <<subject>>

<<reply_marker>>
<<message_text>>

--
Ticket #<<ticket_id>>: <<subject>>
Status: <<status_label>>
Ticket: <<ticket_url>>
Reply to this mail to act on the ticket again; #help lists the commands.
