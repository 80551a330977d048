Subject: [#<<ticket_id>>] <<subject>>

<<reply_marker>>

Hello,

your request #<<ticket_id>> ("<<subject>>") is now <<status_label>>.
We hope we were able to help you.

If something is still open or you have a new question about it, simply
reply to this email and our team will take a look. You can read the
whole conversation online:

  <<ticket_url>>

Thank you for contacting <<site_name>>.

Kind regards,
<<site_name>>
