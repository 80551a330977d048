Subject: [#<<ticket_id>>] Unzustellbar: <<subject>>

<<reply_marker>>
Eine Mail, die postdesk für Ticket #<<ticket_id>> verschickt hat, konnte
nicht zugestellt werden:

<<message_text>>

An eine Adresse, die endgültig abgewiesen wurde, schreibt postdesk erst
wieder, wenn von ihr eine neue Nachricht kommt. Antworten Sie auf diese
Mail, um am Ticket weiterzuarbeiten.

--
Kunde:  <<customer_name>> (<<customer_email>>)
Status: <<status_label>>
Ticket: <<ticket_url>>
