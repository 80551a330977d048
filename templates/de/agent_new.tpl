Subject: [#<<ticket_id>>] Neues Ticket: <<subject>>

<<reply_marker>>
Antworten Sie auf diese Mail, um dem Kunden zu antworten.
Zeilen ganz oben wie #status pending, #assign me, #note (interne Notiz) wirken auf das Ticket.
Bitte leiten Sie diese Mail nicht weiter: Wer auf sie antwortet, handelt in Ihrem Namen.

Neues Ticket #<<ticket_id>> bei <<site_name>>

Kunde:    <<customer_name>>
E-Mail:   <<customer_email>>
Betreff:  <<subject>>
Status:   <<status_label>>
Ticket:   <<ticket_url>>

Der Kunde schreibt:

<<message_text>>
