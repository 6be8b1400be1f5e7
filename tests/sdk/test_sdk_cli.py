"""The ``ddt`` command: ``sign`` reproduces the doc, ``verify-webhook``, ``request``."""

from __future__ import annotations

import shlex

import httpx
import pytest

from sdk.cli import main
from sdk.signing import HEADER_SIGNATURE, verify_request

KEY_ID = "ddtk_lygexamplekeyid234567abc"
SECRET = "ddts_-5_92uWloYrzhP2TqHhDYWv4SooFOdXtQ0FV7kzLEyM"
WEBHOOK_SECRET = "ddtwh_Rgd7xiyxTnIo_-GFIMdYQAFGhqEGmXp74-fPsQhfpis"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DDT_BASE_URL", "DDT_KEY_ID", "DDT_KEY_SECRET", "DDT_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)


def _doc_command(signing_doc) -> tuple[dict[str, str], list[str]]:
    env: dict[str, str] = {}
    argv: list[str] = []
    for line in signing_doc.block("worked-example-cli-command").splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value
        else:
            words = shlex.split(line)
            assert words[0] == "ddt"
            argv = words[1:]
    return env, argv


def test_sign_output_matches_the_doc(signing_doc, tmp_path, monkeypatch, capsys) -> None:
    env, argv = _doc_command(signing_doc)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "order.json").write_text(signing_doc.block("worked-example-body"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 0
    assert capsys.readouterr().out == signing_doc.block("worked-example-cli-output") + "\n"


def test_sign_with_separate_query_flag_and_literal_body(capsys) -> None:
    argv = ["sign", "--method", "post", "--path", "/v1/x", "--query", "b=2&a=1", "--body", "{}",
            "--timestamp", "1718000000", "--nonce", "4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99",
            "--key-id", KEY_ID, "--secret", SECRET]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "  |POST\n  |/v1/x\n  |a=1&b=2\n" in out


def test_sign_refuses_query_in_both_places(capsys) -> None:
    argv = [
        "sign",
        "--method",
        "GET",
        "--path",
        "/v1/x?a=1",
        "--query",
        "b=2",
        "--key-id",
        KEY_ID,
        "--secret",
        SECRET,
    ]
    assert main(argv) == 2
    assert "not both" in capsys.readouterr().err


def test_sign_without_credentials_is_a_usage_error(capsys) -> None:
    assert main(["sign", "--method", "GET", "--path", "/"]) == 2
    assert "DDT_KEY_ID" in capsys.readouterr().err


def test_verify_webhook_documented_example(signing_doc, tmp_path, capsys) -> None:
    body = tmp_path / "event.json"
    body.write_text(signing_doc.block("webhook-example-body"), encoding="utf-8")
    header = signing_doc.block("webhook-example-header")
    argv = [
        "verify-webhook",
        "--secret",
        WEBHOOK_SECRET,
        "--header",
        header,
        "--body",
        f"@{body}",
        "--now",
        "1718000100",
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out == "valid: signed at t=1718000000\n"


def test_verify_webhook_refuses_stale_and_reads_secret_from_env(
    signing_doc, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("DDT_WEBHOOK_SECRET", WEBHOOK_SECRET)
    body = tmp_path / "event.json"
    body.write_text(signing_doc.block("webhook-example-body"), encoding="utf-8")
    header = signing_doc.block("webhook-example-header")
    assert main(["verify-webhook", "--header", header, "--body", f"@{body}", "--now", "1718009999"]) == 1
    assert capsys.readouterr().err.startswith("invalid: stale_timestamp")


def test_request_signs_and_prints_the_body(tmp_path, monkeypatch, capsys) -> None:
    seen: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path, _, query = request.url.raw_path.decode().partition("?")
        verify_request(headers=dict(request.headers), method=request.method, path=path, query=query,
                       body=request.content, secret=SECRET)  # fmt: skip
        return httpx.Response(201, json={"id": "ord-1"})

    monkeypatch.setenv("DDT_BASE_URL", "https://gw.example")
    monkeypatch.setenv("DDT_KEY_ID", KEY_ID)
    monkeypatch.setenv("DDT_KEY_SECRET", SECRET)
    xml = tmp_path / "CEB311Message.xml"
    xml.write_bytes(b"<ceb:CEB311Message/>")
    argv = ["request", "POST", "/v1/customs/messages?dry_run=1", "--data", f"@{xml}",
            "--idempotency-key", "k-1", "--header", "X-Trace: abc"]  # fmt: skip
    code = main(argv, transport=httpx.MockTransport(gateway))
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out == '{"id":"ord-1"}\n' and captured.err == "201 Created\n"
    sent = seen[0]
    assert sent.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert sent.headers["Idempotency-Key"] == "k-1" and sent.headers["X-Trace"] == "abc"
    assert HEADER_SIGNATURE in sent.headers


def test_request_api_error_exit_code(monkeypatch, capsys) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"status": 401, "title": "Unauthorized", "code": "auth.unknown_key"})

    argv = [
        "request",
        "GET",
        "/v1/x",
        "--base-url",
        "https://gw.example",
        "--key-id",
        KEY_ID,
        "--secret",
        SECRET,
    ]
    assert main(argv, transport=httpx.MockTransport(gateway)) == 1
    captured = capsys.readouterr()
    assert "auth.unknown_key" in captured.err and '"code":"auth.unknown_key"' in captured.out


def test_request_unreachable_exit_code(capsys) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    argv = ["request", "GET", "/v1/x", "--base-url", "https://gw.example", "--key-id", KEY_ID,
            "--secret", SECRET, "--max-retries", "0"]  # fmt: skip
    assert main(argv, transport=httpx.MockTransport(down)) == 3
    assert "cannot reach" in capsys.readouterr().err


def test_json_literal_data_gets_json_content_type(monkeypatch) -> None:
    seen: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    argv = ["request", "PATCH", "/v1/x", "--data", '{"a": 1}', "--base-url", "https://gw.example",
            "--key-id", KEY_ID, "--secret", SECRET]  # fmt: skip
    assert main(argv, transport=httpx.MockTransport(gateway)) == 0
    assert seen[0].headers["Content-Type"] == "application/json" and seen[0].content == b'{"a": 1}'
    assert "Idempotency-Key" in seen[0].headers


def test_usage_errors_return_2(capsys) -> None:
    assert main([]) == 2
    assert main(["request"]) == 2
    assert main(["--help"]) == 0


def test_request_output_writes_the_exact_bytes_of_a_binary_export(tmp_path, capsys) -> None:
    payload = b"PK\x03\x04" + bytes(range(256)) * 20  # not UTF-8: decoding would corrupt it

    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=payload,
            headers={"content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        )

    target = tmp_path / "export.xlsx"
    argv = ["request", "GET", "/v1/stats/export", "--output", str(target), "--base-url", "https://gw.example",
            "--key-id", KEY_ID, "--secret", SECRET]  # fmt: skip
    assert main(argv, transport=httpx.MockTransport(gateway)) == 0
    assert target.read_bytes() == payload
    assert f"{len(payload)} bytes written" in capsys.readouterr().err
