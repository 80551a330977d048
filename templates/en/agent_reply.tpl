Subject: [#<<ticket_id>>] Customer reply: <<subject>>

<<reply_marker>>
Reply to this mail to answer the customer.
Lines at the top such as #status pending, #assign me, #note (internal note) act on the ticket.
Please do not forward this mail: whoever replies to it acts in your name.

<<customer_name>> (<<customer_email>>) replied to ticket #<<ticket_id>>:

<<message_text>>

--
Subject:  <<subject>>
Status:   <<status_label>>
Ticket:   <<ticket_url>>
