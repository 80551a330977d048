Subject: [#<<ticket_id>>] <<subject>>

<<reply_marker>>

Hello,

thank you for contacting <<site_name>>. We have received your message and
opened ticket #<<ticket_id>> for it.

What happens next: a member of our team will read your request and reply
to you by email as soon as possible. There is nothing else you need to do
in the meantime.

If you would like to add something, simply reply to this email (please
keep "[#<<ticket_id>>]" in the subject line). You can also follow your
request online at any time:

  <<ticket_url>>

Kind regards,
<<site_name>>

--
Ticket #<<ticket_id>>: <<subject>>
Status: <<status_label>>
