Subject: [#<<ticket_id>>] <<subject>>

<<reply_marker>>

Guten Tag,

Ihre Anfrage #<<ticket_id>> ("<<subject>>") hat jetzt den Status
"<<status_label>>". Wir hoffen, dass wir Ihnen helfen konnten.

Ist noch etwas offen oder haben Sie eine weitere Frage dazu, antworten
Sie einfach auf diese E-Mail; unser Team kümmert sich darum. Den ganzen
Verlauf können Sie online nachlesen:

  <<ticket_url>>

Vielen Dank, dass Sie sich an <<site_name>> gewandt haben.

Mit freundlichen Grüßen
Ihr Support-Team von <<site_name>>
