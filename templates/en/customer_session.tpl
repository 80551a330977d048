Subject: [#<<ticket_id>>] <<subject>>

<<reply_marker>>

Hello,

thank you for contacting <<site_name>>. Our team is not available at the
moment, so we have opened ticket #<<ticket_id>> for you.

You may send us as many messages as you like: simply reply to this email,
and everything you send is added to the same ticket. When you have told us
everything, send a message that contains only

  //end

and we will pass it all to our team at once. If you do not send //end,
we do so a few minutes after your last message.

You can follow your request online:

  <<ticket_url>>

Kind regards,
<<site_name>>
