Subject: [#<<ticket_id>>] <<subject>>

<<reply_marker>>

Guten Tag,

vielen Dank für Ihre Nachricht an <<site_name>>. Unser Team ist gerade
nicht erreichbar; wir haben für Sie das Ticket #<<ticket_id>> angelegt.

Sie können uns beliebig viele Nachrichten senden: Antworten Sie einfach
auf diese E-Mail, alles landet im selben Ticket. Wenn Sie fertig sind,
senden Sie eine Nachricht, die nur

  //end

enthält, dann geben wir alles auf einmal an unser Team weiter. Ohne //end
geschieht das einige Minuten nach Ihrer letzten Nachricht.

Ihr Anliegen online:

  <<ticket_url>>

Mit freundlichen Grüßen
<<site_name>>
