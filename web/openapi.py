"""OpenAPI 3.1 description of the JSON API (served at /api/openapi.json)."""

ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "field": {"type": "string"}},
    "required": ["error"],
}
CITATION = {
    "type": "object",
    "properties": {
        k: {"type": t}
        for k, t in (
            ("n", "integer"),
            ("entry_id", "string"),
            ("title", "string"),
            ("section", "string"),
            ("anchor", "string"),
            ("url", "string"),
            ("passage", "string"),
            ("outdated", "boolean"),
        )
    }
    | {"sentences": {"type": "array", "items": {"type": "string"}}},
}
STEP = {
    "type": "object",
    "properties": {k: {"type": ["string", "number", "null"]} for k in ("label", "formula", "value", "source")},
}
QUOTA_RESULT = {
    "type": "object",
    "properties": {
        "year": {"type": "integer"},
        "sector": {"type": "string", "enum": ["overheid", "markt"]},
        "liable": {"type": ["boolean", "null"]},
        "liable_reason": {"type": "string"},
        "quota_percentage": {"type": ["number", "null"]},
        "required_jobs": {"type": ["number", "null"]},
        "realised_jobs": {"type": ["number", "null"]},
        "shortfall": {"type": ["number", "null"]},
        "levy_eur": {"type": ["number", "null"]},
        "levy_levied": {"type": "boolean"},
        "notes": {"type": "array", "items": {"type": "string"}},
        "steps": {"type": "array", "items": STEP},
        "sources": {"type": "array", "items": {"type": "object"}},
    },
}
ROW = {
    "type": "object",
    "properties": {
        "count": {"type": "number"},
        "hours_per_week": {"type": "number"},
        "relation": {"type": "string", "enum": ["own", "hired", "sroi"]},
    },
    "required": ["count", "hours_per_week"],
}
QUOTA_REQUEST = {
    "type": "object",
    "properties": {
        "year": {"type": "integer", "minimum": 2015, "maximum": 2030},
        "sector": {"type": "string", "enum": ["overheid", "markt"]},
        "fte": {"type": "number"},
        "employees": {"type": "integer"},
        "hours_per_week": {"type": "number"},
        "annual_hours": {"type": "number"},
        "target_group": {"type": "array", "items": ROW, "maxItems": 200},
        "target_group_annual_hours": {"type": "number"},
        "previous_year_annual_hours": {"type": "number"},
        "assumed_quota_percentage": {
            "type": "number",
            "description": "Eigen aanname voor een jaar zonder bekend percentage; het resultaat meldt dat het "
            "een aanname is.",
        },
    },
    "required": ["year", "sector"],
}


def _errors(*codes: int) -> dict:
    return {str(c): {"description": "Fout", "content": {"application/json": {"schema": ERROR}}} for c in codes}


def _ok(schema: dict) -> dict:
    return {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}


SPEC = {
    "openapi": "3.1.0",
    "info": {
        "title": "Banenafspraak helpdesk API",
        "version": "1.0",
        "description": "Geciteerde antwoorden, quotumcalculator en catalogus. Alle fouten zijn JSON.",
    },
    "paths": {
        "/api/ask": {
            "post": {
                "summary": "Stel een vraag; antwoord met citaten, berekening of weigering.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["question"],
                                "properties": {
                                    "question": {"type": "string", "minLength": 1, "maxLength": 1000},
                                    "conversation_id": {"type": "string", "maxLength": 64},
                                },
                            }
                        }
                    },
                },
                "responses": _ok(
                    {
                        "type": "object",
                        "properties": {
                            "status": {
                                "type": "string",
                                "enum": ["answered", "calculated", "needs_clarification", "no_answer"],
                            },
                            "answer": {"type": "string"},
                            "citations": {"type": "array", "items": CITATION},
                            "calculation": {"oneOf": [QUOTA_RESULT, {"type": "null"}]},
                            "conversation_id": {"type": "string"},
                            "notices": {"type": "array", "items": {"type": "string"}},
                            "answer_id": {
                                "type": "integer",
                                "description": "Kenmerk van dit antwoord, voor feedback via het formulier op /.",
                            },
                        },
                    }
                )
                | _errors(400, 413, 415, 429),
            }
        },
        "/api/quota": {
            "post": {
                "summary": "Reken het quotum uit.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": QUOTA_REQUEST}}},
                "responses": _ok(QUOTA_RESULT) | _errors(400, 413, 415, 429),
            }
        },
        "/api/search": {
            "get": {
                "summary": "Zoek passages in de catalogus.",
                "parameters": [
                    {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
                    {
                        "name": "mode",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["dense", "keyword", "keyword-stem", "hybrid"]},
                    },
                ],
                "responses": _ok({"type": "object"}) | _errors(400),
            }
        },
        "/api/entries": {
            "get": {
                "summary": "Onderwerpen in de catalogus.",
                "parameters": [
                    {"name": n, "in": "query", "schema": {"type": "string"}} for n in ("kind", "sector", "action_type")
                ],
                "responses": _ok({"type": "object"}) | _errors(400),
            }
        },
        "/api/entries/{entry_id}": {
            "get": {
                "summary": "Eén onderwerp.",
                "parameters": [{"name": "entry_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": _ok({"type": "object"}) | _errors(404),
            }
        },
        "/catalogus.json": {
            "get": {
                "summary": "De catalogus als lijst, met filters en aantallen (de JSON-versie van /catalogus).",
                "parameters": [
                    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
                    for name in ("kind", "sector", "action_type", "q")
                ],
                "responses": _ok({"type": "object"}),
            }
        },
        "/catalogus/{entry_id}.json": {
            "get": {
                "summary": "Eén onderwerp met geldigheid (de JSON-versie van /catalogus/<id>).",
                "parameters": [{"name": "entry_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": _ok({"type": "object"}) | _errors(404),
            }
        },
        "/healthz": {
            "get": {"summary": "Index en model geladen?", "responses": _ok({"type": "object"}) | _errors(503)}
        },
        "/api/openapi.json": {"get": {"summary": "Deze beschrijving.", "responses": _ok({"type": "object"})}},
    },
}
