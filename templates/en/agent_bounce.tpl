Subject: [#<<ticket_id>>] Undeliverable: <<subject>>

<<reply_marker>>
Mail that postdesk sent for ticket #<<ticket_id>> could not be delivered:

<<message_text>>

An address that bounced hard is not mailed again until it writes in
again. Reply to this mail to act on the ticket.

--
Customer: <<customer_name>> (<<customer_email>>)
Status:   <<status_label>>
Ticket:   <<ticket_url>>
