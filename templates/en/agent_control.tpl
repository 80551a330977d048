Subject: [<<site_name>>] Your commands

<<reply_marker>>
<<message_text>>

--
Reply to this mail with more commands; #help lists them.
