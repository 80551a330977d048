Subject: [#<<ticket_id>>] <<subject>>

<<reply_marker>>

Guten Tag,

vielen Dank für Ihre Nachricht an <<site_name>>. Wir haben sie erhalten
und unter der Ticketnummer #<<ticket_id>> erfasst.

Wie es weitergeht: Ein Mitglied unseres Teams liest Ihr Anliegen und
antwortet Ihnen so bald wie möglich per E-Mail. Bis dahin müssen Sie
nichts weiter tun.

Möchten Sie etwas ergänzen, antworten Sie einfach auf diese E-Mail (bitte
lassen Sie "[#<<ticket_id>>]" im Betreff stehen). Den Stand Ihrer Anfrage
können Sie jederzeit auch online verfolgen:

  <<ticket_url>>

Mit freundlichen Grüßen
Ihr Support-Team von <<site_name>>

--
Ticket #<<ticket_id>>: <<subject>>
Status: <<status_label>>
