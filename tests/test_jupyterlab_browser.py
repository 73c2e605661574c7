"""Real JupyterLab in headless chromium, as a learner sees it: a crashing answer's check names the learner's own line,
the first cell's banner fits a 1280 px window, and lesson 01, run, saved and reopened, shows no widget errors."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
import pytest

from chromium import chromium
from hub_client import call, wait_until

REPO = Path(__file__).resolve().parents[1]
LOCAL = "127.0.0.1"
LESSON = "01_pipeline.ipynb"
# A learner's answer to exercise 1.1 that crashes on its own third line, not inside the course or a library.
CRASHING_ANSWER = ('def label_all(texts):\n'
                   '    results = classifier(texts)\n'
                   '    return [results[i]["label"] for i in range(len(texts) + 1)]\n')
CRASH_LINE = 'return [results[i]["label"] for i in range(len(texts) + 1)]'
CRASH_AT = f"in label_all (line {[line.strip() for line in CRASHING_ANSWER.splitlines()].index(CRASH_LINE) + 1})"
KERNEL_SECONDS = 240  # a whole lesson on a busy two-core machine
WIDGET_ERRORS = ("error displaying widget", "model not found", "failed to load model class")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # what a saved widget output holds
# Every cell stays in the page (JupyterLab otherwise leaves cells far off screen out of it), so outputs can be read.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": '{"windowingMode": "none"}',
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": '{"fetchNews": "false", "checkForUpdates": false}',
}
# The toolbar's indicator says idle even before a kernel is there; the status bar names the kernel and its state.
KERNEL_IDLE = """(document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'
    && [...document.querySelectorAll('#jp-main-statusbar .jp-StatusBar-TextItem')]
        .some(item => item.textContent.endsWith('| Idle') && !item.textContent.startsWith('No Kernel')))"""
CELLS = ".jp-NotebookPanel .jp-Notebook .jp-Cell"
OUTPUTS = "[...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea')].map(o => o.textContent)"
PROMPTS = "[...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent)"

pytestmark = pytest.mark.slow


@dataclass
class Lab:
    url: str
    token: str
    root: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}lab/tree/{name}?token={self.token}"

    def api(self, method: str, path: str):
        return call(method, f"{self.url}api/{path}", self.token)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOCAL, 0))
        return probe.getsockname()[1]


def _cell_index(nb, text: str = "") -> int:
    """The first code cell holding `text`."""
    return next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and text in cell.source)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Lesson 01's student copy in a fresh workspace, with a crashing answer to exercise 1.1 in its exercise cell."""
    root = tmp_path_factory.mktemp("workspace")
    nb = nbformat.read(REPO / "lessons" / LESSON, as_version=4)
    nb.cells[_cell_index(nb, "def label_all(")].source = CRASHING_ANSWER
    nbformat.write(nb, root / LESSON)
    return root


def _lab_environment(home: Path) -> dict[str, str]:
    from course_utils.modes import offline_environment

    env = {k: v for k, v in os.environ.items() if k != "COURSE_CLAIMS"}  # a learner's kernel, not a strict test's
    settings = home / "settings"
    for name, text in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(text)
    env.update(offline_environment(), JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    return env


@pytest.fixture(scope="module")
def lab(workspace, tmp_path_factory):
    """JupyterLab serving the workspace on a free local port; stopped, with every kernel it started, afterwards."""
    from course_utils.shelf.store import shelf_root

    assert (shelf_root() / "sentiment" / "MANIFEST.json").exists(), f"no built shelf at {shelf_root()} (make test)"
    home = tmp_path_factory.mktemp("jupyter")
    port, token = free_port(), secrets.token_hex(16)
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.ip={LOCAL}", f"--ServerApp.port={port}",
         f"--ServerApp.token={token}", f"--ServerApp.root_dir={workspace}", "--allow-root"],
        env=_lab_environment(home), stdout=log, stderr=subprocess.STDOUT)
    started = Lab(f"http://{LOCAL}:{port}/", token, workspace)
    try:
        _wait_for_api(started, server, home / "lab.log")
        yield started
    finally:
        _stop(server)
        log.close()


def _wait_for_api(lab: Lab, server: subprocess.Popen, log: Path):
    def answers():
        assert server.poll() is None, f"JupyterLab exited:\n{log.read_text()[-3000:]}"
        try:
            return lab.api("GET", "status")[0] == 200
        except OSError:
            return False

    wait_until(answers, 120, "JupyterLab's API answering", every=0.5)


def _stop(server: subprocess.Popen):
    """The server, then any kernel of its that outlived it (kernels run in sessions of their own)."""
    try:
        children = psutil.Process(server.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    for child in children:
        try:
            child.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(children, timeout=15)
    for child in alive:
        child.kill()


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile"), width=1280, height=800) as context:
        yield context.pages[0] if context.pages else context.new_page()


def _open(page, lab: Lab, name: str):
    """Open a notebook and wait until its kernel is ready."""
    page.goto(lab.notebook_url(name), wait_until="load")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=120_000)
    page.wait_for_function(f"() => {KERNEL_IDLE}", timeout=KERNEL_SECONDS * 1000, polling=500)


def _menu(page, menu: str, command: str):
    page.locator(".lm-MenuBar-item", has_text=menu).click()
    page.locator(f".lm-Menu-item[data-command='{command}']").click()



def _run_all(page):
    """Run > Run All Cells, then wait until no cell is queued or running and the kernel is idle."""
    _menu(page, "Run", "runmenu:run-all")
    page.wait_for_function(f"() => {PROMPTS}.some(t => t.includes('*') || /\\d/.test(t))", timeout=30_000)
    page.wait_for_function(f"() => !{PROMPTS}.some(t => t.includes('*')) && {KERNEL_IDLE}",
                           timeout=KERNEL_SECONDS * 1000, polling=1000)


def _cells(page):
    return page.locator(CELLS)


def _output_text(page, index: int) -> str:
    return _cells(page).nth(index).locator(".jp-OutputArea").inner_text()


@pytest.fixture(scope="module")
def ran(page, lab):
    """Lesson 01 open in JupyterLab with every cell run, as Run All Cells leaves it."""
    _open(page, lab, LESSON)
    nb = nbformat.read(lab.root / LESSON, as_version=4)
    page.wait_for_function(f"() => document.querySelectorAll('{CELLS}').length === {len(nb.cells)}", timeout=60_000)
    started = time.monotonic()
    _run_all(page)
    print(f"\nlesson 01 ran in JupyterLab in {time.monotonic() - started:.0f} s")
    prompts = page.evaluate(f"() => {PROMPTS}")
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    # A cell whose input is collapsed (the lesson's claims) shows no prompt.
    unrun = [i for i, prompt in zip(code, prompts) if not any(c.isdigit() for c in prompt)
             and not nb.cells[i].metadata.get("jupyter", {}).get("source_hidden")]
    if unrun:
        last = code[max(code.index(unrun[0]) - 1, 0)]
        pytest.fail(f"Run All stopped after cell {last}, which shows:\n{_output_text(page, last)}")
    return nb


def test_a_crash_in_an_exercise_check_names_the_learners_own_line(page, ran):
    shown = _output_text(page, _cell_index(ran, "check_label_all("))
    assert "Exercise 1.1" in shown and ": fail" in shown, shown
    assert "IndexError" in shown and CRASH_AT in shown and CRASH_LINE in shown, shown
    for internal in ("Traceback", 'File "', "course_utils", "site-packages"):
        assert internal not in shown, f"the check shows course internals ({internal!r}):\n{shown}"


def test_the_first_cells_banner_fits_a_1280_px_window(page, ran):
    assert page.evaluate("() => window.innerWidth") == 1280
    area = _cells(page).nth(_cell_index(ran)).locator(".jp-OutputArea")
    assert "Mode: offline" in area.inner_text() and "sentiment" in area.inner_text(), "the banner is the first output"
    # JupyterLab wraps long output lines instead of scrolling them, which breaks a table as surely as a scrollbar:
    # each block of text is also measured unwrapped.
    measured = area.evaluate("""area => {
        const boxes = [area, ...area.querySelectorAll('.jp-OutputArea-output, pre')];
        const scrolling = boxes.filter(b => b.scrollWidth > b.clientWidth).map(b => [b.className, b.scrollWidth, b.clientWidth]);
        const wrapped = [];
        for (const pre of area.querySelectorAll('pre')) {
            const before = pre.style.whiteSpace;
            pre.style.whiteSpace = 'pre';
            if (pre.scrollWidth > pre.clientWidth) wrapped.push([pre.scrollWidth, pre.clientWidth]);
            pre.style.whiteSpace = before;
        }
        return {scrolling, wrapped};
    }""")
    assert measured["scrolling"] == [], f"the banner scrolls sideways: {measured['scrolling']}"
    assert measured["wrapped"] == [], f"banner lines are wider than the output area (px): {measured['wrapped']}"


def test_the_lesson_run_saved_and_reopened_shows_no_widget_errors(page, lab, ran):
    _menu(page, "File", "docmanager:save")
    page.locator(".lm-TabBar-tab.jp-mod-dirty").wait_for(state="detached", timeout=60_000)
    saved = nbformat.read(lab.root / LESSON, as_version=4)
    assert saved.cells[_cell_index(saved)].outputs, "the notebook was saved with its outputs"
    _menu(page, "File", "application:close")
    page.locator(".jp-NotebookPanel").wait_for(state="detached", timeout=30_000)
    _shut_down_kernels(lab)  # as when the learner comes back another day: nothing left in a kernel to redraw from

    _open(page, lab, LESSON)
    _wait_for_widget_views(page)
    text = page.evaluate("() => document.body.innerText").lower()
    widgets = [i for i, c in enumerate(saved.cells) for o in c.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]
    for error in WIDGET_ERRORS:
        assert error not in text, f"the reopened lesson shows {error!r}; cells saved with widget views: {widgets}"
    with_outputs = sum(1 for c in saved.cells if c.cell_type == "code" and c.outputs)
    shown = page.locator(".jp-NotebookPanel .jp-CodeCell:has(.jp-OutputArea-child)").count()
    assert with_outputs > 10 and shown == with_outputs, f"{shown} cells show outputs after reopening, of {with_outputs}"


def _shut_down_kernels(lab: Lab):
    for session in lab.api("GET", "sessions")[1]:
        assert lab.api("DELETE", f"sessions/{session['id']}")[0] == 204
    wait_until(lambda: lab.api("GET", "kernels")[1] == [], 60, "every kernel shut down", every=0.5)


def _wait_for_widget_views(page):
    """Each saved widget view has drawn itself, or the message saying why it cannot."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f"() => !{OUTPUTS}.some(text => text.includes('Loading widget...'))",
                               timeout=60_000, polling=500)
    except PlaywrightTimeout:
        pytest.fail("the reopened lesson still shows 'Loading widget...' after a minute")
