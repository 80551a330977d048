Subject: [#<<ticket_id>>] Antwort des Kunden: <<subject>>

<<reply_marker>>
Antworten Sie auf diese Mail, um dem Kunden zu antworten.
Zeilen ganz oben wie #status pending, #assign me, #note (interne Notiz) wirken auf das Ticket.
Bitte leiten Sie diese Mail nicht weiter: Wer auf sie antwortet, handelt in Ihrem Namen.

<<customer_name>> (<<customer_email>>) hat auf Ticket #<<ticket_id>> geantwortet:

<<message_text>>

--
Betreff:  <<subject>>
Status:   <<status_label>>
Ticket:   <<ticket_url>>
