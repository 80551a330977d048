Subject: [<<site_name>>] Ihre Befehle

<<reply_marker>>
<<message_text>>

--
Antworten Sie mit weiteren Befehlen; #help listet sie.
