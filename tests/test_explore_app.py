"""`cerules explore`: the draft explorer served by Voilà, driven in a real browser as a person would use it.

The server runs as the command a person types (`cerules explore --no-browser`), on the example cohort.
Kernels start slowly on shared machines, so every wait is generous (minutes, not seconds); nothing here
measures speed.
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from cerules.cli.main import main as cli
from cerules.ui.app.server import free_port
from cerules.ui.layout import CONTROLS
from cerules.whatif.draft import Draft

from .conftest import EXAMPLES

pytest.importorskip("ipywidgets")
pytest.importorskip("voila")

STARTUP = 300.0
"""Seconds the server may take to print its address (it waits until Voilà answers)."""
RENDER_MS = 300_000
"""Milliseconds a page may take to show the explorer (a kernel starts and runs the notebook)."""
UPDATE_MS = 120_000


class Server:
    """`cerules explore` running in a child process: its address, what it printed, how to stop it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.lines: queue.Queue[str] = queue.Queue()
        self.printed: list[str] = []
        env = {**os.environ, "CERULES_LOAD_PLUGINS": ""}
        command = [sys.executable, "-m", "cerules.cli.main", "explore", "--no-browser", "--no-plugins", "--port", str(self.port)]
        command += ["--persons", str(EXAMPLES / "persons.csv"), "--records", str(EXAMPLES / "records.csv")]
        self.process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._address()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def _address(self) -> str:
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.process.poll() is None, f"cerules explore stopped: {''.join(self.printed)}"
                continue
            self.printed.append(line)
            found = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", line)
            if found:
                return found.group(0)
        raise AssertionError(f"no address within {STARTUP:.0f} s: {''.join(self.printed)}")

    def get(self, path: str) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("GET", path)
        return connection.getresponse()

    def stop(self) -> int:
        """What a person's Ctrl+C (or a SIGTERM) does: the command stops Voilà and removes its folder."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = Server(tmp_path_factory.mktemp("explore"))
    try:
        yield started
    finally:
        started.stop()


def open_explorer(page: Any, server: Server) -> None:  # noqa: F811
    page.goto(server.url, timeout=RENDER_MS)
    page.locator(".cerules-side [data-figure=compliant]").wait_for(timeout=RENDER_MS)
    page.locator(".cerules-control-public-required_hours .widget-readout").wait_for(timeout=RENDER_MS)


def compliant_figure(page: Any) -> tuple[int, int]:  # noqa: F811
    """The headline's `before → after`."""
    text = page.locator(".cerules-side [data-figure=compliant]").inner_text()
    before, after = re.match(r"\s*(\d+)\s*→\s*(\d+)", text).groups()
    return int(before), int(after)


LABELS = """() => [...document.querySelectorAll(
    '.cerules-explorer .widget-label, .cerules-explorer .widget-label-basic, .cerules-explorer .cerules-label,'
    + ' .cerules-explorer .cerules-label .widget-html-content, .cerules-explorer .widget-readout')]
  .filter(element => element.offsetParent !== null && element.textContent.trim())
  .map(element => [element.textContent.trim(), element.scrollWidth, element.clientWidth])"""
"""Every visible label, description and slider readout: its text, the width it needs, the width it has."""

HEADER_LINES = """() => Object.fromEntries([...document.querySelectorAll('.cerules-person-under')][0]
  .querySelectorAll('details th').values().filter(th => ['学时', '认定'].includes(th.textContent)).map(th => {
    const range = document.createRange();
    range.selectNodeContents(th);
    return [th.textContent, range.getClientRects().length];
  }))"""
"""How many lines the record table's `学时` and `认定` headers take."""

CUT_CHOICES = """() => [...document.querySelectorAll('.cerules-explorer select:not([multiple])')].flatMap(select => {
  const context = document.createElement('canvas').getContext('2d');
  context.font = getComputedStyle(select).font;
  const room = select.clientWidth - 24;  // the arrow and the padding
  return [...select.options].filter(option => context.measureText(option.text).width > room).map(option => option.text);
})"""


def test_a_request_without_the_token_is_refused(server):
    for path in ("/", "/?token=wrong", "/api/kernels"):
        response = server.get(path)
        assert response.status in (302, 403), (path, response.status)
        if response.status == 302:
            assert "/login" in response.getheader("Location", ""), path
    token = urlsplit(server.url).query
    assert server.get(f"/?{token}").status == 200


def test_the_app_shows_the_sliders_beside_the_headline_figures_with_every_label_whole(server, page):  # noqa: F811
    open_explorer(page, server)
    sliders = page.locator(".cerules-explorer .widget-slider")
    assert sliders.count() == 5
    side = page.locator(".cerules-side").bounding_box()
    first_slider = sliders.first.bounding_box()
    assert side["x"] > first_slider["x"] + first_slider["width"]  # to the right of the sliders
    assert side["y"] < 900 and first_slider["y"] < 900  # both on the first screen
    for figure in ("compliant", "flips", "cities"):
        assert page.locator(f".cerules-side [data-figure={figure}]").is_visible()
    assert compliant_figure(page) == (29, 29)  # the example cohort: 13 of 42 fail under the provincial rules
    labels = page.evaluate(LABELS)
    assert len(labels) >= 2 * len(CONTROLS)  # each control's label, the readouts, the check boxes' descriptions
    assert [(text, needed, has) for text, needed, has in labels if needed > has] == []
    assert page.evaluate(CUT_CHOICES) == []
    for label in ("Professional hours", "Focus-topic hours (0: none)", "Declared hours need approval"):
        assert page.get_by_text(label).is_visible()
    page.screenshot(path="/tmp/explore.png")
    page.locator(".cerules-controls .widget-tab").scroll_into_view_if_needed()
    assert page.locator(".cerules-side [data-figure=compliant]").is_visible()  # it stays in view as the page scrolls
    assert page.console.errors == []


def test_a_slider_moves_the_headline_the_export_says_where_and_a_person_card_reads_well(server, page):  # noqa: F811
    open_explorer(page, server)
    before, after = compliant_figure(page)
    readout = page.locator(".cerules-control-public-required_hours .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("60")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => !/→\\s*29\\b/.test(document.querySelector('.cerules-side [data-figure=compliant]').textContent)", timeout=UPDATE_MS
    )
    moved_before, moved_after = compliant_figure(page)
    assert moved_before == before and moved_after < after
    flips = page.locator(".cerules-side [data-figure=flips]").inner_text()
    assert f"pass→fail {after - moved_after}" in flips
    page.get_by_role("button", name="导出 Export").click()
    target = server.folder / "draft.toml"
    status = page.locator(".cerules-explorer code", has_text=str(target))
    status.wait_for(timeout=UPDATE_MS)  # the absolute path, in the folder the command was started in
    assert Draft.from_toml(target).values() == {"public.required_hours": 60}
    page.get_by_text("人员 Person", exact=True).click()
    person = page.evaluate("() => document.querySelector('.cerules-explorer datalist option').value")  # one who flips
    page.get_by_placeholder("人员编号 person id").fill(person)
    card = page.locator(".cerules-person-under").first
    card.wait_for(timeout=UPDATE_MS)
    card.get_by_text("学习记录").click()
    assert page.evaluate(HEADER_LINES) == {"学时": 1, "认定": 1}  # never one character a line
    assert page.console.errors == []


def test_stopping_the_command_stops_the_server(tmp_path):
    temporary = Path(tempfile.gettempdir())
    before = set(temporary.glob("cerules-explore-*"))
    started = Server(tmp_path)
    assert set(temporary.glob("cerules-explore-*")) - before  # the notebook's copy, while it serves
    assert started.stop() == 0
    with pytest.raises(OSError):
        started.get("/")  # nobody answers any more
    assert set(temporary.glob("cerules-explore-*")) - before == set()  # and the copy is gone


def test_without_voila_the_command_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "voila", None)
    code = cli(["explore", "--persons", str(EXAMPLES / "persons.csv"), "--records", str(EXAMPLES / "records.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "pip install 'cerules[app]'" in err


def test_a_bad_input_file_is_one_line_before_anything_is_served(tmp_path, capsys):
    missing = tmp_path / "nobody.csv"
    code = cli(["explore", "--persons", str(missing), "--records", str(EXAMPLES / "records.csv"), "--no-browser"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "nobody.csv" in err


def test_a_port_in_use_is_refused_in_one_line(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = cli(["explore", "--persons", str(EXAMPLES / "persons.csv"), "--records", str(EXAMPLES / "records.csv"), "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and f"{port}" in err and "--port" in err
