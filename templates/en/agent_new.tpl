Subject: [#<<ticket_id>>] New ticket: <<subject>>

<<reply_marker>>
Reply to this mail to answer the customer.
Lines at the top such as #status pending, #assign me, #note (internal note) act on the ticket.
Please do not forward this mail: whoever replies to it acts in your name.

New ticket #<<ticket_id>> at <<site_name>>

Customer: <<customer_name>>
Email:    <<customer_email>>
Subject:  <<subject>>
Status:   <<status_label>>
Ticket:   <<ticket_url>>

The customer wrote:

<<message_text>>
