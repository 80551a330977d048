Subject: [#<<ticket_id>>] <<subject>>

<<reply_marker>>

<<message_text>>

--
<<agent_name>>
<<site_name>>

To answer, simply reply to this email; your message is added to
ticket #<<ticket_id>>. The whole conversation is also online:

  <<ticket_url>>

Status: <<status_label>>
