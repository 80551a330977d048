Subject: [#<<ticket_id>>] Interne Notiz: <<subject>>

<<reply_marker>>
Antworten Sie auf diese Mail, um dem Kunden zu antworten, oder beginnen
Sie Ihre Antwort mit #note für eine weitere interne Notiz. Der Kunde sieht
Notizen nie.

<<agent_name>> hat Ticket #<<ticket_id>> eine interne Notiz hinzugefügt:

<<message_text>>

--
Kunde:   <<customer_name>> (<<customer_email>>)
Betreff: <<subject>>
Status:  <<status_label>>
Ticket:  <<ticket_url>>
