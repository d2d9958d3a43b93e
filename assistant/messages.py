"""Every Dutch text the assistant shows, in one place so it can be reviewed for B1."""

REFUSAL = (
    "Dat weet ik niet. Deze helpdesk beantwoordt alleen vragen over de banenafspraak: de doelgroep, het quotum, "
    "regelingen zoals loonkostensubsidie en no-riskpolis, en goede voorbeelden van werkgevers."
)
REFERRAL = (
    "Neem voor deze vraag contact op met het werkgeversservicepunt (WSP) in uw regio. Elke arbeidsmarktregio "
    "heeft een WSP van gemeenten en UWV dat werkgevers helpt."
)
PERSONAL_REFUSAL = (
    "Over een persoon met naam geef ik geen advies. Ik beantwoord alleen algemene vragen over de banenafspraak."
)
PII_REMOVED = (
    "Let op: u gaf persoonsgegevens ({kinds}). Die hebben wij verwijderd en niet bewaard. Ze zijn niet nodig "
    "voor uw vraag."
)
PII_KIND_LABELS = {"bsn": "BSN", "email": "e-mailadres", "phone": "telefoonnummer", "iban": "IBAN"}
ENGLISH_NOTICE = "This answer quotes the Dutch catalogue; the helpdesk answers in Dutch."
OUTDATED = "Let op: deze regel geldt niet meer op {date}."
NOT_YET_VALID = "Let op: deze regel geldt pas vanaf {start}; op {date} gold hij nog niet."
QUESTION_EMPTY = "Typ een vraag."
QUESTION_TOO_LONG = "Uw vraag is te lang. Gebruik maximaal {max} tekens."
QUESTION_NOT_TEXT = "Stuur de vraag als tekst."
CONVERSATION_UNKNOWN = "Dit gesprek bestaat niet (meer). Stel uw vraag opnieuw."
CALCULATED_INTRO = "Ik heb het voor u uitgerekend."
CALCULATOR_HINT = (
    "Wilt u het uitrekenen voor uw eigen organisatie? Noem dan in uw vraag het jaar, het aantal fte en de uren per "
    "week, of gebruik de quotumcalculator (Quotum berekenen)."
)
