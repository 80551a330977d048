Subject: [#<<ticket_id>>] Internal note: <<subject>>

<<reply_marker>>
Reply to this mail to answer the customer, or start your reply with
#note to add another internal note. The customer never sees notes.

<<agent_name>> added an internal note to ticket #<<ticket_id>>:

<<message_text>>

--
Customer: <<customer_name>> (<<customer_email>>)
Subject:  <<subject>>
Status:   <<status_label>>
Ticket:   <<ticket_url>>
