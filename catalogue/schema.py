"""The catalogue schema: controlled vocabularies and the required front-matter fields and sections."""

KINDS = ("practice", "rule", "sector")
STATUSES = ("draft", "published")

KIND_LABELS = {"practice": "Goed voorbeeld", "rule": "Regel", "sector": "Sector"}

SECTORS = {
    "gemeenten": "Gemeenten",
    "provincies": "Provincies",
    "waterschappen": "Waterschappen",
    "rijk": "Rijk",
    "defensie": "Defensie",
    "politie": "Politie",
    "umc": "Umc's",
    "primair-onderwijs": "Primair onderwijs",
    "voortgezet-onderwijs": "Voortgezet onderwijs",
    "mbo": "Mbo",
    "hbo": "Hbo",
    "wo": "Wo (universiteiten)",
    "onderzoeksinstellingen": "Onderzoeksinstellingen",
    "markt": "Markt (bedrijven)",
    "alle": "Alle werkgevers",
}

# The 12 action types of the 2023 research report (De Beleidsonderzoekers, §2.2.1), exactly as named there.
ACTION_TYPES = {
    "bestuurlijk-commitment": "Bestuurlijk commitment",
    "ambassadeurschap-persoonlijke-motivatie": "Ambassadeurschap/persoonlijke motivatie",
    "samenwerken-met-partners": ("Samenwerken met partners die ondersteunen en ontzorgen (intermediairs, sw-bedrijf)"),
    "talenttrajecten-hoogopgeleiden": "Talenttrajecten voor hoogopgeleide mensen met een arbeidsbeperking",
    "meet-and-greets": "Meet and greets voor managers, leidinggevenden en kandidaten",
    "functies-passend-maken": ("Functies passend maken voor competenties, mogelijkheden en beperkingen van kandidaten"),
    "proefplaatsingen-stages": (
        "Proefplaatsingen, stages en werkervaringsplekken en andere manieren om kandidaten te leren kennen"
    ),
    "bemiddelaars-en-uitzendbureaus": "Bemiddelaars en uitzendbureaus",
    "training-voor-begeleiders": "Training voor begeleiders",
    "inkoop-en-sroi": "Inkoop en SROI",
    "delen-van-goede-voorbeelden": "Delen van goede voorbeelden",
    "centralisatie-aansturing-financiering": "Centralisatie van aansturing/financiering",
}

REQUIRED_FIELDS = ("id", "title", "kind", "summary", "sectors", "sources", "review_by", "last_reviewed", "status")
PRACTICE_FIELDS = ("action_types", "organisation", "contact")
RULE_FIELDS = ("valid_from", "valid_until")  # keys must be present; values may be empty (open-ended)
SOURCE_FIELDS = ("title", "publisher", "date", "locator")
# Optional: questions employers ask, per section anchor. Not shown as text; the indexer uses them as extra search
# keys for their section, so a question worded like an employer's finds the section that answers it.
OPTIONAL_FIELDS = ("questions",)
MAX_QUESTIONS_PER_SECTION = 12
MAX_QUESTION_CHARS = 200
KNOWN_FIELDS = set(REQUIRED_FIELDS) | set(PRACTICE_FIELDS) | set(RULE_FIELDS) | set(OPTIONAL_FIELDS)

REQUIRED_SECTIONS = {
    "practice": ("Wat is het?", "Hoe werkt het?", "Resultaten", "Wat heb je nodig?", "Contact en meer weten"),
    "rule": ("Wat houdt het in?", "Voor wie?", "Bedragen en getallen", "Waar aanvragen?", "Let op"),
    "sector": ("Resultaten 2022", "Aanpak", "Let op"),
}

# A citation inside the body points at the entry's sources list: "[bron 2]" is the second source.
SOURCE_MARKER = r"\[bron (\d+)\]"
