Subject: [#<<ticket_id>>] Was Ihre Mail bewirkt hat: <<subject>>

<<reply_marker>>
<<message_text>>

--
Ticket #<<ticket_id>>: <<subject>>
Status: <<status_label>>
Ticket: <<ticket_url>>
Antworten Sie auf diese Mail, um erneut zu handeln; #help listet die Befehle.
