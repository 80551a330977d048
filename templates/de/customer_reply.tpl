Subject: [#<<ticket_id>>] <<subject>>

<<reply_marker>>

<<message_text>>

--
<<agent_name>>
Support-Team von <<site_name>>

Sie können einfach auf diese E-Mail antworten; Ihre Nachricht wird dem
Ticket #<<ticket_id>> hinzugefügt. Den ganzen Verlauf finden Sie auch
online:

  <<ticket_url>>

Status: <<status_label>>
