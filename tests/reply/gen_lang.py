"""gen_lang.py - words, names and dates of seven languages for gen.py

Everything a generated reply is made of: the people (customers with the
names their parents gave them, agents, companies), what customers write
(greetings, paragraphs, closings), what agents wrote (the quoted mail),
questions and answers for inline replies, and how each language's mail
clients write a date. All text here was written for this test set.
"""

LANGS = ["en", "de", "fr", "es", "pt", "nl", "it"]

L = {}

L["en"] = dict(
    customers=["Jane Cooper", "Rahul Mehta", "Siobhán O'Neill", "Tom Baker",
               "Zoë Clarke", "Marcus Whitfield", "Priya Natarajan",
               "Éamon Doyle"],
    agents=["Anna Berger", "Chris Holloway", "Fatima Rahman", "Leo Brandt"],
    companies=[("Acme Support", "help.acme.example"),
               ("Brightline Helpdesk", "support.brightline.example"),
               ("Northwind Service", "service.northwind.example")],
    greet=["Hi {a},", "Hello {a},", "Hi,", "Hello,", "Dear {a},",
           "Hi {a}", "Morning {a},"],
    paras=[
        "thanks for getting back to me so quickly. I restarted the router\n"
        "as you suggested, but the connection still drops every few minutes.",
        "The invoice you sent (INV-20931) still shows the old address in\n"
        "Leeds. Could you correct it to 14 Harbour Street, Bristol BS1 4QA?",
        "On Monday the technician came by and replaced the power supply.\n"
        "Since then the printer works, so you can close the ticket.",
        "I tried the steps from your last mail. Step 3 fails with\n"
        "\"Error 0x80070005: access denied\" - screenshot attached.",
        "As you wrote: the update should fix it. It did not, unfortunately.\n"
        "The app still crashes as soon as I open the settings page.",
        "Yes, that works for me. Thursday between 9 and 12 would be best,\n"
        "my colleague Dave will be at the front desk to let you in.",
        "Could you also tell me when the refund will arrive? It has been\n"
        "two weeks now and I have not seen anything on my statement.",
        "We ordered 12 units but only 10 arrived. The packing slip says 12.\n"
        "Order number is 4471-AB.",
        "Please cancel my subscription at the end of this month. I no longer\n"
        "need the premium plan.",
        "Thank you, that solved it!",
        "Great, the new password works. I was able to log in from my laptop\n"
        "and from my phone.",
        "I'm afraid the link in your email has expired. Could you send a new\n"
        "one? The page just says \"token invalid\".",
    ],
    closings=["Thanks,\n{c}", "Best regards,\n{c}", "Cheers,\n{c}",
              "Kind regards\n{c}", "Thanks again\n{cf}", "{cf}",
              "Many thanks,\n{cf}"],
    agent_greet="Hello {cf},",
    agent_close=["Kind regards\n{a}\n{co}", "Best wishes,\n{a}",
                 "Thanks,\n{a} | {co}"],
    agent_msgs=[
        ["thank you for your message. I have checked your account and the\n"
         "router is registered correctly on our side.",
         "Could you restart it once more and tell me whether the red light\n"
         "on the front keeps blinking?"],
        ["we are sorry for the trouble with your order. I have asked our\n"
         "warehouse to look into the missing items.",
         "Could you send us a photo of the packing slip?"],
        ["I have reset your password. You can now log in with the temporary\n"
         "password we sent by text message.",
         "Please change it after your first login."],
        ["your refund was approved today. It usually takes 5-7 working days\n"
         "until the amount shows on your statement."],
        ["our technician can come by on Thursday or Friday morning. Which\n"
         "day suits you better?"],
    ],
    subjects=["Router keeps disconnecting", "Wrong address on invoice",
              "Printer not printing", "Refund for order 4471-AB",
              "Cannot log in", "Missing items in delivery"],
    qa=[("Which model is the printer? You find it on the label at the back.",
         "It's the LaserJet M404dn, bought in March 2023."),
        ("Does the problem happen on every computer or only on one?",
         "Only on the laptop in the meeting room. The others print fine."),
        ("When did you first notice the error?",
         "Last Tuesday, right after the Windows update."),
        ("Could you tell me the serial number as well?",
         "Sure: CNB8K12345."),
        ("Have you tried a different cable?",
         "Yes, same result with a new cable."),
        ("Would a visit on Thursday morning work for you?",
         "Thursday is fine, but please come after 10."),
        ("Is the red light blinking or steady?",
         "Blinking, about once per second."),
    ],
    notif=["Your request #{t} has been updated.",
           "{a} ({co}) replied:",
           "You can view your request at {url}",
           "This email is a service from {co}."],
    footers=["Sent from my iPhone", "Sent from my iPad",
             "Sent from my Android device", "Sent from my Galaxy",
             "Sent from my Samsung Galaxy smartphone.",
             "Get Outlook for iOS<https://aka.ms/o0ukef>",
             "Get Outlook for Android<https://aka.ms/ghei36>",
             "Sent from Yahoo Mail for iPhone",
             "Sent from my Huawei phone", "Sent from Mail for Windows"],
    sigs=[["Jane Cooper", "Operations Manager | Brightline Logistics",
           "+44 20 7946 0958", "www.brightline.example"],
          ["Tom Baker", "Baker & Sons Ltd", "Unit 4, Riverside Park",
           "Manchester M3 5FS"],
          ["Rahul", "Sent during my commute - please excuse typos"],
          ["Priya Natarajan", "IT Coordinator", "Greenfield Primary School",
           "", "This e-mail and any files transmitted with it are",
           "confidential and intended solely for the use of the",
           "individual to whom they are addressed. If you have received",
           "this e-mail in error please notify the sender."]],
    weekdays=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    weekdays_long=["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                   "Saturday", "Sunday"],
    months=["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
            "Oct", "Nov", "Dec"],
    months_long=["January", "February", "March", "April", "May", "June",
                 "July", "August", "September", "October", "November",
                 "December"],
    re="RE:",
)

L["de"] = dict(
    customers=["Jörg Müller", "Anna Schröder", "Günther Weiß",
               "Björn Köhler", "Lena Groß", "Jürgen Bäcker",
               "Dörte Fuchs", "Käthe von Bülow"],
    agents=["Sabine Krüger", "Matthias Hoffmann", "Elif Yılmaz",
            "Tobias Schäfer"],
    companies=[("Nordwind Kundenservice", "hilfe.nordwind.example"),
               ("Stadtwerke Süd Support", "support.stadtwerke-sued.example"),
               ("Bäckerei Schmitt Service", "service.baeckerei.example")],
    greet=["Hallo {a},", "Guten Tag {a},", "Hallo,", "Sehr geehrte Damen "
           "und Herren,", "Liebe {a},", "Moin {a},", "Hallo {a}"],
    paras=[
        "vielen Dank für die schnelle Antwort. Ich habe den Router wie\n"
        "empfohlen neu gestartet, aber die Verbindung bricht weiterhin ab.",
        "Die Rechnung (Nr. 2026-0815) enthält noch unsere alte Adresse.\n"
        "Bitte ändern Sie sie auf Hauptstraße 12, 80331 München.",
        "Am Montag war der Techniker da und hat das Netzteil getauscht.\n"
        "Seitdem funktioniert der Drucker wieder einwandfrei.",
        "Wie Sie schrieben: Das Update sollte das Problem beheben. Leider\n"
        "stürzt die App weiterhin ab, sobald ich die Einstellungen öffne.",
        "Donnerstag zwischen 9 und 12 Uhr passt mir gut. Mein Kollege\n"
        "Herr Özdemir ist am Empfang und lässt Sie herein.",
        "Wann kommt denn die Gutschrift? Es sind jetzt schon zwei Wochen\n"
        "vergangen und auf meinem Konto ist noch nichts eingegangen.",
        "Wir haben 12 Stück bestellt, geliefert wurden aber nur 10.\n"
        "Bestellnummer: 4471-AB.",
        "Bitte kündigen Sie mein Abo zum Monatsende.",
        "Danke, das hat funktioniert!",
        "Der Link in Ihrer E-Mail ist leider abgelaufen. Können Sie mir\n"
        "einen neuen schicken? Es erscheint nur \"Token ungültig\".",
        "Anbei das Foto vom Lieferschein. Die Lieferung kam am 14.11.\n"
        "gegen 15 Uhr, der Karton war beschädigt.",
    ],
    closings=["Viele Grüße\n{c}", "Mit freundlichen Grüßen\n{c}",
              "Beste Grüße\n{cf}", "Danke und Gruß\n{cf}", "LG {cf}",
              "Freundliche Grüße\n{c}"],
    agent_greet="Hallo {cf},",
    agent_close=["Viele Grüße\n{a}\n{co}", "Mit freundlichen Grüßen\n{a}",
                 "Beste Grüße\n{a} | {co}"],
    agent_msgs=[
        ["vielen Dank für Ihre Nachricht. Ich habe Ihr Kundenkonto geprüft,\n"
         "der Router ist bei uns korrekt registriert.",
         "Könnten Sie ihn bitte noch einmal neu starten und mir sagen, ob\n"
         "die rote Lampe weiterhin blinkt?"],
        ["es tut uns leid, dass bei Ihrer Bestellung etwas fehlt. Ich habe\n"
         "unser Lager gebeten, die Sendung zu prüfen.",
         "Könnten Sie uns ein Foto des Lieferscheins schicken?"],
        ["ich habe Ihr Passwort zurückgesetzt. Sie können sich jetzt mit\n"
         "dem Einmalpasswort aus der SMS anmelden."],
        ["Ihre Erstattung wurde heute freigegeben. Es dauert in der Regel\n"
         "5 bis 7 Werktage, bis der Betrag auf Ihrem Konto erscheint."],
        ["unser Techniker kann am Donnerstag oder Freitag vormittags\n"
         "vorbeikommen. Welcher Tag passt Ihnen besser?"],
    ],
    subjects=["Router trennt ständig die Verbindung", "Falsche Adresse auf "
              "der Rechnung", "Drucker druckt nicht", "Erstattung für "
              "Bestellung 4471-AB", "Anmeldung nicht möglich"],
    qa=[("Um welches Modell handelt es sich? Das steht auf dem Typenschild.",
         "Es ist ein Brother HL-L2350DW, gekauft im März 2023."),
        ("Tritt der Fehler an allen Rechnern auf oder nur an einem?",
         "Nur am Laptop im Besprechungsraum, die anderen drucken normal."),
        ("Seit wann besteht das Problem?",
         "Seit letztem Dienstag, direkt nach dem Windows-Update."),
        ("Können Sie mir noch die Seriennummer nennen?",
         "Gerne: E78123K9N456."),
        ("Haben Sie ein anderes Kabel ausprobiert?",
         "Ja, mit einem neuen Kabel ist es genauso."),
        ("Passt Ihnen ein Termin am Donnerstagvormittag?",
         "Donnerstag geht, aber bitte erst nach 10 Uhr."),
    ],
    notif=["Ihre Anfrage #{t} wurde aktualisiert.",
           "{a} ({co}) hat geantwortet:",
           "Sie können Ihre Anfrage hier ansehen: {url}",
           "Diese E-Mail ist ein Service von {co}."],
    footers=["Von meinem iPhone gesendet", "Von meinem iPad gesendet",
             "Gesendet von meinem iPhone",
             "Von meinem Samsung Galaxy Smartphone gesendet.",
             "Gesendet mit der WEB.DE Mail App",
             "Holen Sie sich Outlook für iOS<https://aka.ms/o0ukef>",
             "Gesendet von Outlook für Android"],
    sigs=[["Jörg Müller", "Müller & Söhne GmbH", "Hauptstraße 12, 80331 München",
           "Tel. +49 89 1234567", "", "Geschäftsführer: Jörg Müller",
           "Amtsgericht München HRB 123456"],
          ["Anna Schröder", "Buchhaltung", "Schröder Logistik KG"],
          ["Günther Weiß", "Dipl.-Ing. (FH)", "Mobil: 0171 2345678"]],
    weekdays=["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."],
    weekdays_long=["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag",
                   "Samstag", "Sonntag"],
    months=["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.",
            "Sept.", "Okt.", "Nov.", "Dez."],
    months_long=["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
                 "August", "September", "Oktober", "November", "Dezember"],
    re="AW:",
)

L["fr"] = dict(
    customers=["Hélène Dubois", "François Lefèvre", "Amélie Girard",
               "Jérôme Moreau", "Cécile Bérard", "Noël Faure",
               "Anaïs Rousseau"],
    agents=["Camille Laurent", "Mathieu Perrin", "Inès Benali",
            "Julien Mercier"],
    companies=[("Service client Boréal", "aide.boreal.example"),
               ("Assistance Lumière", "support.lumiere.example"),
               ("Boulangerie du Coin", "contact.ducoin.example")],
    greet=["Bonjour {a},", "Bonjour,", "Bonsoir {a},", "Madame, Monsieur,",
           "Bonjour {a}"],
    paras=[
        "merci pour votre réponse rapide. J'ai redémarré la box comme\n"
        "indiqué, mais la connexion se coupe toujours toutes les minutes.",
        "La facture n° F-2026-118 porte encore notre ancienne adresse.\n"
        "Pouvez-vous la corriger : 12 rue de la République, 69002 Lyon ?",
        "Le technicien est passé lundi et a remplacé l'alimentation.\n"
        "Depuis, l'imprimante fonctionne, vous pouvez clore la demande.",
        "Comme vous l'avez écrit : la mise à jour devait corriger le\n"
        "problème. Ce n'est malheureusement pas le cas.",
        "Jeudi entre 9 h et 12 h me convient. Mon collègue Étienne sera à\n"
        "l'accueil pour vous ouvrir.",
        "Quand le remboursement arrivera-t-il ? Cela fait deux semaines et\n"
        "je ne vois toujours rien sur mon relevé.",
        "Nous avons commandé 12 pièces mais seulement 10 sont arrivées.\n"
        "Numéro de commande : 4471-AB.",
        "Merci, cela a résolu le problème !",
        "Le lien de votre e-mail a expiré. Pourriez-vous m'en envoyer un\n"
        "nouveau ? La page affiche « jeton invalide ».",
    ],
    closings=["Cordialement,\n{c}", "Bien cordialement\n{c}",
              "Merci d'avance,\n{cf}", "Bonne journée,\n{cf}",
              "Salutations distinguées,\n{c}"],
    agent_greet="Bonjour {cf},",
    agent_close=["Cordialement,\n{a}\n{co}", "Bien à vous,\n{a}"],
    agent_msgs=[
        ["merci pour votre message. J'ai vérifié votre compte : la box est\n"
         "bien enregistrée chez nous.",
         "Pourriez-vous la redémarrer encore une fois et me dire si le\n"
         "voyant rouge clignote toujours ?"],
        ["nous sommes désolés pour votre commande incomplète. J'ai demandé\n"
         "à notre entrepôt de vérifier l'envoi."],
        ["j'ai réinitialisé votre mot de passe. Vous pouvez vous connecter\n"
         "avec le mot de passe temporaire reçu par SMS."],
        ["votre remboursement a été validé aujourd'hui. Il faut compter 5 à\n"
         "7 jours ouvrés avant qu'il n'apparaisse sur votre relevé."],
    ],
    subjects=["La connexion se coupe", "Adresse erronée sur la facture",
              "L'imprimante n'imprime plus", "Remboursement commande 4471-AB"],
    qa=[("De quel modèle s'agit-il ? Il figure sur l'étiquette au dos.",
         "C'est une Canon i-SENSYS LBP223dw, achetée en mars 2023."),
        ("Le problème se produit-il sur tous les postes ?",
         "Seulement sur le portable de la salle de réunion."),
        ("Depuis quand constatez-vous l'erreur ?",
         "Depuis mardi dernier, juste après la mise à jour de Windows."),
        ("Avez-vous essayé un autre câble ?",
         "Oui, même résultat avec un câble neuf."),
        ("Un passage jeudi matin vous conviendrait-il ?",
         "Jeudi me va, mais plutôt après 10 h."),
    ],
    notif=["Votre demande n° {t} a été mise à jour.",
           "{a} ({co}) a répondu :",
           "Vous pouvez consulter votre demande ici : {url}",
           "Cet e-mail vous est envoyé par {co}."],
    footers=["Envoyé de mon iPhone", "Envoyé de mon iPad",
             "Envoyé depuis mon smartphone Samsung Galaxy.",
             "Obtenir Outlook pour iOS<https://aka.ms/o0ukef>",
             "Envoyé de mon appareil Android"],
    sigs=[["Hélène Dubois", "Responsable administrative",
           "Dubois & Fils SARL", "Tél. : 04 72 00 00 00"],
          ["François Lefèvre", "Mairie de Saint-Étienne-de-Tinée"]],
    weekdays=["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
    weekdays_long=["lundi", "mardi", "mercredi", "jeudi", "vendredi",
                   "samedi", "dimanche"],
    months=["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
            "sept.", "oct.", "nov.", "déc."],
    months_long=["janvier", "février", "mars", "avril", "mai", "juin",
                 "juillet", "août", "septembre", "octobre", "novembre",
                 "décembre"],
    re="RE :",
)

L["es"] = dict(
    customers=["José Martínez", "Lucía Fernández", "Íñigo Núñez",
               "María José Peña", "Begoña Ibáñez", "Andrés Gutiérrez"],
    agents=["Carmen Ruiz", "Javier Morales", "Nuria Castillo"],
    companies=[("Atención al Cliente Solaria", "ayuda.solaria.example"),
               ("Soporte Técnico Marea", "soporte.marea.example")],
    greet=["Hola {a}:", "Hola,", "Buenos días, {a}:", "Estimada {a}:",
           "Buenas tardes,"],
    paras=[
        "gracias por la respuesta tan rápida. He reiniciado el router\n"
        "como me indicó, pero la conexión se sigue cortando.",
        "La factura n.º 2026/0815 todavía tiene nuestra dirección antigua.\n"
        "¿Pueden cambiarla a Calle Mayor 12, 28013 Madrid?",
        "El lunes vino el técnico y cambió la fuente de alimentación.\n"
        "Desde entonces la impresora funciona, pueden cerrar la incidencia.",
        "Como usted escribió: la actualización debía solucionarlo. Por\n"
        "desgracia la aplicación se sigue cerrando.",
        "El jueves entre las 9 y las 12 me viene bien. Mi compañero Raúl\n"
        "estará en recepción.",
        "¿Cuándo llegará el reembolso? Ya han pasado dos semanas y no veo\n"
        "nada en mi cuenta.",
        "Pedimos 12 unidades pero solo llegaron 10. Pedido n.º 4471-AB.",
        "¡Gracias, eso lo ha solucionado!",
    ],
    closings=["Saludos,\n{c}", "Un saludo,\n{cf}", "Atentamente,\n{c}",
              "Muchas gracias,\n{cf}"],
    agent_greet="Hola, {cf}:",
    agent_close=["Un saludo,\n{a}\n{co}", "Atentamente,\n{a}"],
    agent_msgs=[
        ["gracias por su mensaje. He revisado su cuenta y el router está\n"
         "registrado correctamente.",
         "¿Podría reiniciarlo otra vez y decirme si la luz roja sigue\n"
         "parpadeando?"],
        ["sentimos que falten artículos en su pedido. He pedido al almacén\n"
         "que revise el envío."],
        ["su reembolso se ha aprobado hoy. Suele tardar entre 5 y 7 días\n"
         "hábiles en aparecer en su cuenta."],
    ],
    subjects=["El router se desconecta", "Dirección incorrecta en la factura",
              "La impresora no imprime", "Reembolso del pedido 4471-AB"],
    qa=[("¿Qué modelo es la impresora? Lo encontrará en la etiqueta.",
         "Es una Epson WorkForce WF-2910, comprada en marzo de 2023."),
        ("¿El error ocurre en todos los ordenadores?",
         "Solo en el portátil de la sala de reuniones."),
        ("¿Desde cuándo ocurre?",
         "Desde el martes pasado, justo después de la actualización."),
        ("¿Le viene bien una visita el jueves por la mañana?",
         "El jueves sí, pero mejor después de las 10."),
    ],
    notif=["Su solicitud n.º {t} se ha actualizado.",
           "{a} ({co}) ha respondido:",
           "Puede ver su solicitud aquí: {url}",
           "Este correo es un servicio de {co}."],
    footers=["Enviado desde mi iPhone", "Enviado desde mi iPad",
             "Enviado desde mi smartphone Samsung Galaxy.",
             "Obtener Outlook para iOS<https://aka.ms/o0ukef>",
             "Enviado desde mi dispositivo Android"],
    sigs=[["José Martínez", "Jefe de Compras", "Martínez Hermanos S.L.",
           "Tel. 912 345 678"]],
    weekdays=["lun", "mar", "mié", "jue", "vie", "sáb", "dom"],
    weekdays_long=["lunes", "martes", "miércoles", "jueves", "viernes",
                   "sábado", "domingo"],
    months=["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept",
            "oct", "nov", "dic"],
    months_long=["enero", "febrero", "marzo", "abril", "mayo", "junio",
                 "julio", "agosto", "septiembre", "octubre", "noviembre",
                 "diciembre"],
    re="RE:",
)

L["pt"] = dict(
    customers=["João Gonçalves", "Inês Araújo", "Conceição Lima",
               "António Simões", "Luís Magalhães", "Sebastião Brandão"],
    agents=["Marta Ribeiro", "Tiago Sousa", "Beatriz Carvalho"],
    companies=[("Apoio ao Cliente Atlântico", "apoio.atlantico.example"),
               ("Suporte Farol", "suporte.farol.example")],
    greet=["Olá {a},", "Bom dia,", "Boa tarde, {a}.", "Olá,",
           "Prezada {a},"],
    paras=[
        "obrigado pela resposta rápida. Reiniciei o router como\n"
        "sugeriu, mas a ligação continua a cair.",
        "A fatura n.º FT 2026/815 ainda tem a nossa morada antiga.\n"
        "Podem alterá-la para Rua Augusta 12, 1100-053 Lisboa?",
        "Na segunda-feira o técnico veio e trocou a fonte de alimentação.\n"
        "Desde então a impressora funciona, podem fechar o pedido.",
        "Quando chega o reembolso? Já passaram duas semanas e ainda não\n"
        "vejo nada na conta.",
        "Encomendámos 12 unidades mas só chegaram 10. Encomenda 4471-AB.",
        "Obrigada, ficou resolvido!",
        "Quinta-feira entre as 9h e as 12h dá-me jeito. O meu colega\n"
        "Vítor estará na receção.",
    ],
    closings=["Cumprimentos,\n{c}", "Obrigado,\n{cf}",
              "Com os melhores cumprimentos,\n{c}", "Abraço,\n{cf}"],
    agent_greet="Olá {cf},",
    agent_close=["Com os melhores cumprimentos,\n{a}\n{co}",
                 "Cumprimentos,\n{a}"],
    agent_msgs=[
        ["obrigado pela sua mensagem. Verifiquei a sua conta e o router está\n"
         "registado corretamente.",
         "Pode reiniciá-lo mais uma vez e dizer-me se a luz vermelha\n"
         "continua a piscar?"],
        ["lamentamos que faltem artigos na sua encomenda. Pedi ao armazém\n"
         "para verificar o envio."],
        ["o seu reembolso foi aprovado hoje. Normalmente demora 5 a 7 dias\n"
         "úteis até aparecer na sua conta."],
    ],
    subjects=["O router desliga-se", "Morada errada na fatura",
              "A impressora não imprime", "Reembolso da encomenda 4471-AB"],
    qa=[("Qual é o modelo da impressora?",
         "É uma HP LaserJet M110we, comprada em março de 2023."),
        ("O erro acontece em todos os computadores?",
         "Só no portátil da sala de reuniões."),
        ("Desde quando acontece?",
         "Desde terça-feira passada, logo a seguir à atualização."),
    ],
    notif=["O seu pedido n.º {t} foi atualizado.",
           "{a} ({co}) respondeu:",
           "Pode ver o seu pedido aqui: {url}",
           "Este e-mail é um serviço de {co}."],
    footers=["Enviado do meu iPhone", "Enviado do meu iPad",
             "Enviado do meu smartphone Samsung Galaxy.",
             "Obter o Outlook para iOS<https://aka.ms/o0ukef>",
             "Enviado do meu Android"],
    sigs=[["João Gonçalves", "Diretor Financeiro", "Gonçalves & Filhos, Lda.",
           "Tel. +351 21 000 0000"]],
    weekdays=["seg.", "ter.", "qua.", "qui.", "sex.", "sáb.", "dom."],
    weekdays_long=["segunda-feira", "terça-feira", "quarta-feira",
                   "quinta-feira", "sexta-feira", "sábado", "domingo"],
    months=["jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.",
            "set.", "out.", "nov.", "dez."],
    months_long=["janeiro", "fevereiro", "março", "abril", "maio", "junho",
                 "julho", "agosto", "setembro", "outubro", "novembro",
                 "dezembro"],
    re="RE:",
)

L["nl"] = dict(
    customers=["Jan de Vries", "Sanne van den Berg", "Daan Jansen",
               "Anouk Visser", "Joëlle Bakker", "Sjoerd van der Meer",
               "Fleur ter Horst"],
    agents=["Eva Smit", "Bram Mulder", "Noor Hendriks"],
    companies=[("Klantenservice Polder", "hulp.polder.example"),
               ("Helpdesk Tulp", "support.tulp.example")],
    greet=["Hallo {a},", "Beste {a},", "Goedemorgen,", "Hoi {a},",
           "Geachte heer/mevrouw,"],
    paras=[
        "bedankt voor het snelle antwoord. Ik heb de router opnieuw\n"
        "opgestart, maar de verbinding valt nog steeds weg.",
        "Op de factuur (nr. 2026-0815) staat nog ons oude adres. Kunt u\n"
        "dat wijzigen in Keizersgracht 12, 1015 CS Amsterdam?",
        "Op maandag is de monteur geweest en heeft de voeding vervangen.\n"
        "Sindsdien werkt de printer weer, het ticket mag dicht.",
        "Wanneer komt de terugbetaling? Het is nu al twee weken geleden.",
        "We hebben 12 stuks besteld maar er zijn er maar 10 geleverd.\n"
        "Bestelnummer 4471-AB.",
        "Dank je, het werkt weer!",
        "Donderdag tussen 9 en 12 uur komt goed uit. Mijn collega Ruud\n"
        "zit bij de receptie.",
    ],
    closings=["Met vriendelijke groet,\n{c}", "Groetjes,\n{cf}",
              "Alvast bedankt,\n{cf}", "Groet,\n{c}"],
    agent_greet="Beste {cf},",
    agent_close=["Met vriendelijke groet,\n{a}\n{co}", "Groet,\n{a}"],
    agent_msgs=[
        ["bedankt voor uw bericht. Ik heb uw account gecontroleerd en de\n"
         "router staat bij ons goed geregistreerd.",
         "Kunt u hem nog een keer herstarten en laten weten of het rode\n"
         "lampje blijft knipperen?"],
        ["het spijt ons dat er artikelen ontbreken. Ik heb het magazijn\n"
         "gevraagd de zending na te kijken."],
        ["uw terugbetaling is vandaag goedgekeurd. Het duurt meestal 5 tot\n"
         "7 werkdagen voordat het bedrag op uw rekening staat."],
    ],
    subjects=["Router valt steeds weg", "Verkeerd adres op factuur",
              "Printer print niet", "Terugbetaling bestelling 4471-AB"],
    qa=[("Om welk model printer gaat het?",
         "Een Brother HL-L2350DW, gekocht in maart 2023."),
        ("Gebeurt het op alle computers?",
         "Alleen op de laptop in de vergaderruimte."),
        ("Sinds wanneer speelt het probleem?",
         "Sinds afgelopen dinsdag, direct na de Windows-update."),
    ],
    notif=["Uw aanvraag #{t} is bijgewerkt.",
           "{a} ({co}) heeft gereageerd:",
           "U kunt uw aanvraag hier bekijken: {url}",
           "Deze e-mail is een service van {co}."],
    footers=["Verzonden vanaf mijn iPhone", "Verstuurd vanaf mijn iPhone",
             "Verzonden vanaf mijn iPad",
             "Verzonden vanaf mijn Samsung Galaxy-smartphone.",
             "Outlook voor iOS downloaden<https://aka.ms/o0ukef>"],
    sigs=[["Jan de Vries", "Inkoop", "De Vries Installatietechniek B.V.",
           "T 020 123 4567"]],
    weekdays=["ma", "di", "wo", "do", "vr", "za", "zo"],
    weekdays_long=["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
                   "zaterdag", "zondag"],
    months=["jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.",
            "sep.", "okt.", "nov.", "dec."],
    months_long=["januari", "februari", "maart", "april", "mei", "juni",
                 "juli", "augustus", "september", "oktober", "november",
                 "december"],
    re="RE:",
)

L["it"] = dict(
    customers=["Giulia Bianchi", "Niccolò Esposito", "Francesca Romano",
               "Mattia Colombo", "Ilaria De Luca", "Pietro Caruso"],
    agents=["Chiara Ferri", "Lorenzo Galli", "Sara Conti"],
    companies=[("Assistenza Clienti Aurora", "assistenza.aurora.example"),
               ("Supporto Vesuvio", "supporto.vesuvio.example")],
    greet=["Buongiorno {a},", "Salve,", "Ciao {a},", "Gentile {a},",
           "Buonasera,"],
    paras=[
        "grazie per la risposta veloce. Ho riavviato il router come\n"
        "suggerito, ma la connessione continua a cadere.",
        "La fattura n. 2026/815 riporta ancora il vecchio indirizzo.\n"
        "Potete cambiarlo in Via Roma 12, 20121 Milano?",
        "Lunedì è passato il tecnico e ha sostituito l'alimentatore.\n"
        "Da allora la stampante funziona, potete chiudere la richiesta.",
        "Quando arriverà il rimborso? Sono già passate due settimane.",
        "Abbiamo ordinato 12 pezzi ma ne sono arrivati solo 10.\n"
        "Numero d'ordine 4471-AB.",
        "Grazie, ha funzionato!",
        "Giovedì tra le 9 e le 12 va benissimo. Il mio collega Davide\n"
        "sarà alla reception.",
    ],
    closings=["Cordiali saluti,\n{c}", "Grazie,\n{cf}", "Saluti\n{c}",
              "Un saluto,\n{cf}"],
    agent_greet="Gentile {cf},",
    agent_close=["Cordiali saluti,\n{a}\n{co}", "Un saluto,\n{a}"],
    agent_msgs=[
        ["grazie per il suo messaggio. Ho controllato il suo account e il\n"
         "router risulta registrato correttamente.",
         "Può riavviarlo ancora una volta e dirmi se la luce rossa continua\n"
         "a lampeggiare?"],
        ["ci dispiace che manchino degli articoli. Ho chiesto al magazzino\n"
         "di verificare la spedizione."],
        ["il suo rimborso è stato approvato oggi. Di solito servono da 5 a 7\n"
         "giorni lavorativi perché compaia sul conto."],
    ],
    subjects=["Il router si disconnette", "Indirizzo errato in fattura",
              "La stampante non stampa", "Rimborso ordine 4471-AB"],
    qa=[("Di che modello di stampante si tratta?",
         "È una Canon PIXMA G650, comprata a marzo 2023."),
        ("Il problema si verifica su tutti i computer?",
         "Solo sul portatile della sala riunioni."),
        ("Da quando si presenta l'errore?",
         "Da martedì scorso, subito dopo l'aggiornamento."),
    ],
    notif=["La sua richiesta n. {t} è stata aggiornata.",
           "{a} ({co}) ha risposto:",
           "Può vedere la sua richiesta qui: {url}",
           "Questa e-mail è un servizio di {co}."],
    footers=["Inviato da iPhone", "Inviato dal mio iPhone",
             "Inviato dal mio smartphone Samsung Galaxy.",
             "Scarica Outlook per iOS<https://aka.ms/o0ukef>",
             "Inviato da Libero Mail per Android"],
    sigs=[["Giulia Bianchi", "Ufficio Acquisti", "Bianchi & C. S.r.l.",
           "Tel. 02 1234 5678"]],
    weekdays=["lun", "mar", "mer", "gio", "ven", "sab", "dom"],
    weekdays_long=["lunedì", "martedì", "mercoledì", "giovedì", "venerdì",
                   "sabato", "domenica"],
    months=["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set",
            "ott", "nov", "dic"],
    months_long=["gennaio", "febbraio", "marzo", "aprile", "maggio",
                 "giugno", "luglio", "agosto", "settembre", "ottobre",
                 "novembre", "dicembre"],
    re="R:",
)

# Outlook's header labels: From, Sent, To, Cc, Subject, and the separator.
OUTLOOK = {
    "en": ("From:", "Sent:", "To:", "Cc:", "Subject:",
           "-----Original Message-----"),
    "de": ("Von:", "Gesendet:", "An:", "Cc:", "Betreff:",
           "-----Ursprüngliche Nachricht-----"),
    "fr": ("De :", "Envoyé :", "À :", "Cc :", "Objet :",
           "-----Message d'origine-----"),
    "es": ("De:", "Enviado el:", "Para:", "CC:", "Asunto:",
           "-----Mensaje original-----"),
    "pt": ("De:", "Enviada em:", "Para:", "Cc:", "Assunto:",
           "-----Mensagem original-----"),
    "nl": ("Van:", "Verzonden:", "Aan:", "CC:", "Onderwerp:",
           "-----Oorspronkelijk bericht-----"),
    "it": ("Da:", "Inviato:", "A:", "Cc:", "Oggetto:",
           "-----Messaggio originale-----"),
}

# Outlook on the web writes "Sent:" as "Enviado:" in Spanish and Portuguese.
OWA_SENT = {"es": "Enviado:", "pt": "Enviado:"}

# Thunderbird's forward and reply headers.
TB_FWD = {
    "en": ("-------- Forwarded Message --------", "Subject:", "Date:",
           "From:", "To:"),
    "de": ("-------- Weitergeleitete Nachricht --------", "Betreff:",
           "Datum:", "Von:", "An:"),
    "fr": ("-------- Message transféré --------", "Sujet :", "Date :",
           "De :", "Pour :"),
    "es": ("-------- Mensaje reenviado --------", "Asunto:", "Fecha:",
           "De:", "Para:"),
    "pt": ("-------- Mensagem encaminhada --------", "Assunto:", "Data:",
           "De:", "Para:"),
    "nl": ("-------- Doorgestuurd bericht --------", "Onderwerp:", "Datum:",
           "Van:", "Aan:"),
    "it": ("-------- Messaggio Inoltrato --------", "Oggetto:", "Data:",
           "Mittente:", "A:"),
}
TB_ORIG = {"en": "-------- Original Message --------",
           "de": "-------- Originalnachricht --------",
           "fr": "-------- Message original --------",
           "es": "-------- Mensaje original --------",
           "pt": "-------- Mensagem original --------",
           "nl": "-------- Origineel bericht --------",
           "it": "-------- Messaggio originale --------"}

# Custom markers an operator might configure, per language.
MARKERS = {
    "en": "-- Reply above this line --",
    "de": "### Bitte oberhalb dieser Zeile antworten ###",
    "fr": "## Répondez au-dessus de cette ligne ##",
    "es": "## Responda por encima de esta línea ##",
    "pt": "## Responda acima desta linha ##",
    "nl": "## Antwoord boven deze regel ##",
    "it": "## Rispondi sopra questa riga ##",
}
