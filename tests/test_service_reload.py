"""The rules a service holds: loaded once, swapped whole on reload (over HTTP with the token, or on SIGHUP),
kept when the new ones cannot be used, and never changed under a request already running."""

from __future__ import annotations

import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from cerules.service import (  # noqa: E402
    ServiceSettings,
    cohort_routes,  # noqa: E402
    create_app,
)
from cerules.service.examples import EXAMPLE_PERSON, EXAMPLE_RECORDS  # noqa: E402
from cerules.service.rules_store import RulesStore  # noqa: E402

from .live_server import ROOT, live_server  # noqa: E402

SHANDONG = ROOT / "cerules" / "rules" / "data" / "shandong"
PUBLIC_30 = 'required_hours = { value = 30, citation = "SD-2023 §2(1)" }'


def pack_copy(folder: Path) -> Path:
    target = folder / "pack"
    shutil.copytree(SHANDONG, target)
    return target


def set_public_hours(pack: Path, hours: int | str) -> None:
    layer = pack / "sd-2023.toml"
    text = layer.read_text(encoding="utf-8")
    lines = [
        f'required_hours = {{ value = {hours}, citation = "SD-2023 §2(1)" }}'
        if line.startswith("required_hours = { value =") and "§2(1)" in line
        else line
        for line in text.splitlines()
    ]
    layer.write_text("\n".join(lines) + "\n", encoding="utf-8")


def public_required(answer: Any) -> Any:
    return next(r["required"] for r in answer.json()["result"]["requirements"] if r["id"] == "public")


EXPLAIN = {"year": 2023, "person": EXAMPLE_PERSON, "records": EXAMPLE_RECORDS}


def test_a_reload_swaps_the_rules_keeps_them_when_the_new_cannot_be_used_and_sighup_does_the_same(tmp_path: Path) -> None:
    pack = pack_copy(tmp_path)
    assert PUBLIC_30 in (pack / "sd-2023.toml").read_text(encoding="utf-8")
    (tmp_path / "token").write_text("t0k3n", encoding="utf-8")
    with live_server(tmp_path, "--rules-dir", str(pack), "--no-plugins", "--token-file", str(tmp_path / "token")) as server:
        with server.client(headers={"Authorization": "Bearer t0k3n"}) as client:
            first = client.get("/v1/rules").json()
            assert first["generation"] == 1
            assert public_required(client.post("/v1/explain", json=EXPLAIN)) == 30

            set_public_hours(pack, 40)
            reloaded = client.post("/v1/admin/reload")
            assert reloaded.status_code == 200, reloaded.text
            assert reloaded.json()["generation"] == 2 and reloaded.json()["sha256"] != first["sha256"]
            assert public_required(client.post("/v1/explain", json=EXPLAIN)) == 40

            set_public_hours(pack, '"thirty"')
            refused = client.post("/v1/admin/reload")
            assert refused.status_code == 409 and refused.json()["error"]["code"] == "rules_not_loaded"
            assert "sd-2023.toml" in refused.json()["error"]["message_en"]
            assert client.get("/v1/rules").json()["generation"] == 2
            assert public_required(client.post("/v1/explain", json=EXPLAIN)) == 40

            set_public_hours(pack, 30)
            server.signal(signal.SIGHUP)
            deadline = time.monotonic() + 60
            while client.get("/v1/rules").json()["generation"] != 3:
                assert time.monotonic() < deadline, server.log_text()
                time.sleep(0.2)
            assert client.get("/v1/rules").json()["sha256"] == first["sha256"]
            assert public_required(client.post("/v1/explain", json=EXPLAIN)) == 30
        assert "rules reloaded on SIGHUP" in server.log_text()


def test_without_a_token_there_is_no_reload_over_http() -> None:
    with TestClient(create_app(ServiceSettings(plugins=False))) as client:
        answer = client.post("/v1/admin/reload")
    assert answer.status_code == 403
    assert "SIGHUP" in answer.json()["error"]["message_en"]


def test_a_request_already_running_finishes_on_the_rules_it_began_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = pack_copy(tmp_path)
    started, release = threading.Event(), threading.Event()
    original = cohort_routes.evaluation_bytes
    calls: list[int] = []

    def held(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        if len(calls) == 1:  # the first request waits, mid-evaluation, until the rules have changed
            started.set()
            assert release.wait(60)
        return original(*args, **kwargs)

    monkeypatch.setattr(cohort_routes, "evaluation_bytes", held)
    body = {"year": 2023, "persons": [EXAMPLE_PERSON], "records": EXAMPLE_RECORDS}
    answers: dict[str, Any] = {}
    with TestClient(create_app(ServiceSettings(pack=str(pack), plugins=False, token="t"))) as client:
        headers = {"Authorization": "Bearer t"}
        before = client.get("/v1/rules", headers=headers).json()["sha256"]["2023"]
        running = threading.Thread(target=lambda: answers.update(old=client.post("/v1/evaluate", json=body, headers=headers)))
        running.start()
        assert started.wait(60)
        set_public_hours(pack, 45)
        assert client.post("/v1/admin/reload", headers=headers).status_code == 200
        after = client.post("/v1/evaluate", json=body, headers=headers)
        release.set()
        running.join(60)
    old = answers["old"]
    assert old.status_code == 200 and after.status_code == 200
    assert old.headers["x-rules-sha256"] == old.json()["rules"]["sha256"] == before
    assert after.json()["rules"]["sha256"] != before
    required = {name: answer.json()["people"][0]["requirements"][0]["required"] for name, answer in (("old", old), ("new", after))}
    assert required == {"old": 30, "new": 45}


def test_a_failed_reload_leaves_the_snapshot_in_service_untouched(tmp_path: Path) -> None:
    pack = pack_copy(tmp_path)
    store = RulesStore(ServiceSettings(pack=str(pack), plugins=False))
    first = store.reload()
    set_public_hours(pack, '"x"')
    with pytest.raises(Exception, match="sd-2023.toml"):
        store.reload()
    assert store.current is first and first.ruleset(2023).sha256 == first.digests()["2023"]


def test_an_evaluation_past_the_time_limit_is_given_up_with_504() -> None:
    body = {"year": 2023, "persons": [EXAMPLE_PERSON], "records": EXAMPLE_RECORDS}
    with TestClient(create_app(ServiceSettings(plugins=False, timeout_seconds=1e-9))) as client:
        answer = client.post("/v1/evaluate", json=body)
    assert answer.status_code == 504
    assert answer.json()["error"]["code"] == "timeout"


def test_several_worker_processes_answer_alike(tmp_path: Path) -> None:
    body = {"year": 2023, "persons": [EXAMPLE_PERSON], "records": EXAMPLE_RECORDS}
    with live_server(tmp_path, "--workers", "2", "--no-plugins") as server, server.client() as client:
        answers = {client.post("/v1/evaluate", json=body).content for _ in range(6)}
    assert len(answers) == 1
