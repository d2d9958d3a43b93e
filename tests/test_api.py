"""The JSON API through the Flask test client: answers, calculator, catalogue, and every kind of bad input."""

import json

import pytest

from web.app import create_app


@pytest.fixture(scope="module")
def app(shipped_index):
    return create_app(
        {
            "HELPDESK_DB": str(shipped_index["db_path"]),
            "HELPDESK_INDEX_DIR": str(shipped_index["index_dir"]),
            "HELPDESK_RATE_LIMIT": 0,
            "TESTING": True,
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


def post_json(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_ask_answers_with_citations_and_keeps_the_conversation(client):
    first = post_json(client, "/api/ask", {"question": "Wat was de realisatie van gemeenten in 2022?"}).get_json()
    assert first["status"] == "answered" and first["calculation"] is None
    assert {"n", "entry_id", "title", "section", "url", "passage"} <= set(first["citations"][0])
    follow = post_json(
        client, "/api/ask", {"question": "en voor provincies?", "conversation_id": first["conversation_id"]}
    ).get_json()
    assert follow["conversation_id"] == first["conversation_id"]
    assert "sector-provincies" in {c["entry_id"] for c in follow["citations"]}


def test_ask_calculation_equals_the_quota_endpoint(client):
    asked = post_json(
        client,
        "/api/ask",
        {
            "question": "Provincie in 2024 met 320 fte van 38 uur en 10 mensen uit "
            "de doelgroep van 25,5 uur: hoeveel banen moeten we hebben?"
        },
    )
    data = asked.get_json()
    assert data["status"] == "calculated"
    direct = post_json(
        client,
        "/api/quota",
        {
            "year": 2024,
            "sector": "overheid",
            "fte": 320,
            "hours_per_week": 38,
            "target_group": [{"count": 10, "hours_per_week": 25.5}],
        },
    ).get_json()
    assert data["calculation"] == direct
    assert (direct["required_jobs"], direct["realised_jobs"], direct["shortfall"], direct["levy_eur"]) == (
        13.16,
        10.0,
        3.1,
        15500,
    )
    assert direct["levy_levied"] is False and direct["quota_percentage"] == 2.76
    assert direct["steps"] and all({"label", "formula", "value", "source"} <= set(s) for s in direct["steps"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": 2024, "sector": "overheid", "fte": "veel", "hours_per_week": 38}, "fte"),
        ({"year": 2024, "sector": "overheid", "fte": -5, "hours_per_week": 38}, "fte"),
        ({"year": 1850, "sector": "overheid", "fte": 10, "hours_per_week": 38}, "year"),
        ({"year": 2024, "sector": "bakkers", "fte": 10, "hours_per_week": 38}, "sector"),
        ({"year": 2024, "sector": "overheid", "fte": 1e12, "hours_per_week": 38}, "fte"),
        ({"year": 2024, "sector": "overheid", "fte": 10, "hours_per_week": {"a": [1, 2]}}, "hours_per_week"),
        (
            {
                "year": 2024,
                "sector": "overheid",
                "fte": 10,
                "hours_per_week": 38,
                "target_group": [{"count": 1, "hours_per_week": 20}] * 201,
            },
            "target_group",
        ),
        ({"year": True, "sector": "overheid", "fte": 10, "hours_per_week": 38}, "year"),
    ],
)
def test_quota_bad_fields_are_400_with_the_field(client, body, field):
    response = post_json(client, "/api/quota", body)
    assert response.status_code == 400
    data = response.get_json()
    assert data["field"].startswith(field) and data["error"]


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b'{"question": ""}', "application/json", 400),
        (b'{"question": 12}', "application/json", 400),
        (b'{"question": "' + b"x" * 1200 + b'"}', "application/json", 400),
        (b'{"question": ["a", {"b": null}]}', "application/json", 400),
        (b"question=hallo", "application/x-www-form-urlencoded", 415),
        (b'{"question": "\xff\xfe"}', "application/json", 400),
        (b"{not json", "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b"[" * 5000 + b"]" * 5000, "application/json", 400),
        (b'{"question": "' + b"a" * 20000 + b'"}', "application/json", 413),
        (b'{"question": "hoi", "conversation_id": ["x"]}', "application/json", 400),
    ],
)
def test_ask_bad_input_is_a_json_4xx_never_500(client, data, content_type, status):
    response = client.post("/api/ask", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.is_json and "error" in response.get_json()
    assert b"Traceback" not in response.data


def test_search_entries_and_health(client):
    found = client.get("/api/search?q=quotumheffing&k=3&mode=keyword").get_json()
    assert len(found["results"]) == 3 and found["results"][0]["entry_id"]
    assert client.get("/api/search?q=&k=3").status_code == 400
    assert client.get("/api/search?q=x&k=veel").get_json()["field"] == "k"
    assert client.get("/api/search?q=x&mode=magic").status_code == 400
    practices = client.get("/api/entries?kind=practice&sector=rijk").get_json()["entries"]
    assert practices and all(e["kind"] == "practice" for e in practices)
    assert client.get("/api/entries?sector=bakkers").status_code == 400
    entry = client.get("/api/entries/quotumheffing").get_json()
    assert entry["sources"] and entry["sections"] and "path" not in entry
    assert client.get("/api/entries/bestaat-niet").status_code == 404
    assert client.get("/api/entries/" + "x" * 500).status_code == 404
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["passages"] > 300


def test_openapi_describes_every_json_endpoint(client, app):
    spec = client.get("/api/openapi.json").get_json()
    documented = set(spec["paths"])
    routes = {
        r.rule.replace("<entry_id>", "{entry_id}")
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("api.") or r.rule.endswith(".json")
    }
    assert len(routes) >= 9 and routes <= documented


def test_unknown_api_path_and_method_are_json(client):
    assert client.get("/api/nope").get_json()["error"]
    assert client.get("/api/ask").status_code == 405 and client.get("/api/ask").is_json


def test_rate_limit_gives_429(shipped_index):
    app = create_app(
        {
            "HELPDESK_DB": str(shipped_index["db_path"]),
            "HELPDESK_INDEX_DIR": str(shipped_index["index_dir"]),
            "HELPDESK_RATE_LIMIT": 3,
        }
    )
    client = app.test_client()
    codes = [
        post_json(client, "/api/quota", {"year": 2024, "sector": "markt", "fte": 10, "hours_per_week": 36}).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert "Wacht een minuut" in post_json(client, "/api/quota", {}).get_json()["error"]
