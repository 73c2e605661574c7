"""The website: build it (executing every lesson offline), then open it in headless chromium like a reader would."""

import base64
import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import nbformat
import pytest

from chromium import chromium
from course_utils import CourseError
from course_utils import book as builder
from course_utils.checks import MIME as CHECK_MIME
from course_utils.launch import configured, repository
from course_utils.release import BEGIN, END, student_notebook

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "book"
HTML = BOOK / "_build" / "html"
ARTIFACTS = REPO / "artifacts" / "book"
# The site is built as `make book REPO_URL=...` builds it: with launch links, to the repository the lessons install the
# course from, or to an example one while pyproject.toml names none.
LAUNCH = configured(REPO) or repository("https://github.com/example-org/transformers-course", where="test")

def _master_and_student(folder: Path):
    master = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Lesson 99"),
        nbformat.v4.new_code_cell("from course_utils import lesson_setup\nmodels = lesson_setup()"),
        nbformat.v4.new_code_cell(f"def f(x):\n    {BEGIN}\n    return x * 2\n    {END}"),
        nbformat.v4.new_markdown_cell(f"Why?\n{BEGIN}\nBecause doubling.\n{END}"),
        nbformat.v4.new_code_cell("check(f)"),
    ])
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(master, folder / "99_demo.ipynb")
    return master, nbformat.reads(student_notebook(folder / "99_demo.ipynb"), as_version=4)


def test_a_page_shows_the_learners_code_then_a_hidden_solution_that_runs(tmp_path):
    master, student = _master_and_student(tmp_path)
    page = builder.lesson_page(student, master, "offline", "COURSE_MODE=offline")
    sources = [c.source for c in page.cells]
    assert "built in **offline** mode" in page.cells[1].source, "the mode note comes before the first code cell"
    starter = page.cells[3]
    assert "# YOUR CODE HERE" in starter.source and "skip-execution" in starter.metadata["tags"]
    solution = page.cells[4]
    assert solution.source == "def f(x):\n    return x * 2"
    assert "hide-cell" in solution.metadata["tags"] and "skip-execution" not in solution.metadata["tags"]
    assert "Show a solution" in solution.metadata["mystnb"]["code_prompt_show"]
    assert "*Write your answer here.*" in sources[5] and ":class: dropdown" in sources[6]
    assert "Because doubling." in sources[6] and BEGIN not in "".join(sources)
    assert sources[-1] == "check(f)"
    assert len({c.id for c in page.cells}) == len(page.cells)


def test_a_lesson_out_of_step_with_its_master_stops_the_build_with_advice(tmp_path):
    (tmp_path / "lessons").mkdir()
    master, _ = _master_and_student(tmp_path / "solutions")
    nbformat.write(master, tmp_path / "lessons" / "99_demo.ipynb")
    nbformat.write(master, tmp_path / "lessons" / "98_orphan.ipynb")
    with pytest.raises(CourseError) as problem:
        builder.generate(tmp_path / "solutions", tmp_path / "lessons", tmp_path / "out")
    assert "98_orphan.ipynb (no master in solutions/)" in str(problem.value)
    assert "99_demo.ipynb" in str(problem.value) and "course release" in str(problem.value)


def test_a_picture_attached_to_a_lesson_cell_reaches_its_page_as_a_file(tmp_path):
    """MyST-NB does not read cell attachments; the page must point at a file that holds the picture."""
    picture = base64.b64encode(b"\x89PNG\r\n\x1a\n not really a picture").decode()
    cell = nbformat.v4.new_markdown_cell("![the figure](attachment:figure.png)")
    cell.attachments = {"figure.png": {"image/png": picture}}
    master = tmp_path / "solutions" / "99_demo.ipynb"
    master.parent.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Lesson 99"), cell]), master)
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "99_demo.ipynb").write_text(student_notebook(master), encoding="utf-8")
    (page,) = builder.generate(tmp_path / "solutions", tmp_path / "lessons", tmp_path / "out")
    shown = nbformat.read(page, as_version=4).cells[-1]
    assert shown.source == "![the figure](99_demo-figure.png)" and "attachments" not in shown
    assert (tmp_path / "out" / "99_demo-figure.png").read_bytes() == base64.b64decode(picture)


def test_the_appendix_is_stored_without_outputs():
    for path in BOOK.rglob("*.ipynb"):
        if "_build" in path.parts or "_generated" in path.parts:
            continue
        for cell in nbformat.read(path, as_version=4).cells:
            assert not (cell.cell_type == "code" and (cell.outputs or cell.execution_count)), path


# --- the built site, in a browser -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site():
    """Build the book; a cell that raises anywhere makes the build, and so this fixture, fail."""
    done = subprocess.run([sys.executable, "-m", "course_utils.cli", "book", "--repository", LAUNCH.url,
                           "--branch", LAUNCH.branch], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, f"book build failed:\n{done.stdout[-6000:]}\n{done.stderr[-6000:]}"
    return HTML


def test_every_solution_passes_its_own_checks(site):
    """The book runs each master's solutions; every exercise check on every page must then say pass."""
    executed = BOOK / "_build" / "jupyter_execute" / "_generated" / "lessons"
    for lesson in _lesson_pages():
        nb = nbformat.read(executed / f"{lesson}.ipynb", as_version=4)
        verdicts = [o.data[CHECK_MIME] for c in nb.cells for o in c.get("outputs", [])
                    if CHECK_MIME in o.get("data", {})]
        assert len(verdicts) >= 2, f"{lesson}: fewer than two exercise checks ran"
        failing = [f"{v['exercise']} {v['status']}" for v in verdicts if v["status"] != "pass"]
        assert not failing, f"{lesson}: the solutions do not pass their checks: {failing}"


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile"), width=1280, height=1000) as context:
        yield context


class Visit:
    """One page load, with every console error, page error and failed or off-site request it caused."""

    def __init__(self, context, url):
        self.problems = []
        self.page = context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        origin = urlparse(url).netloc

        def offline_only(route):
            # The site must work with no internet: anything fetched from elsewhere is a fault, not a feature.
            if urlparse(route.request.url).netloc in (origin, "") or route.request.url.startswith("data:"):
                route.continue_()
            else:
                self.problems.append(f"off-site request: {route.request.url}")
                route.abort()

        self.page.route("**/*", offline_only)
        self.response = self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def close(self):
        self.page.close()


def _toc_links(page, base):
    hrefs = page.eval_on_selector_all("nav.bd-docs-nav a.reference.internal", "els => els.map(e => e.href)")
    assert hrefs, "the landing page has no table of contents"
    return sorted({urljoin(base, h.split("#")[0]) for h in hrefs})


def _lesson_pages():
    return sorted(p.stem for p in (REPO / "lessons").glob("*.ipynb"))


def test_landing_page_and_every_toc_page_load_cleanly(server, browser):
    landing = Visit(browser, server)
    assert landing.response.status == 200
    assert landing.problems == []
    assert "built in offline mode" in landing.page.inner_text("main").replace("*", "")
    links = _toc_links(landing.page, server)
    landing.close()

    lessons = [f"{server}_generated/lessons/{name}.html" for name in _lesson_pages()]
    assert set(lessons) <= set(links), "every notebook in lessons/ has a page in the table of contents"
    for url in (f"{server}appendix/v4_to_v5.html", f"{server}glossary.html", f"{server}run-it-yourself.html",
                f"{server}teachers-guide.html"):
        assert url in links

    for url in links:
        visit = Visit(browser, url)
        assert visit.response.status == 200, url
        assert visit.problems == [], (url, visit.problems)
        for href in visit.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = urlparse(href)
            if href.startswith(server) and target.path.endswith((".html", "/")):
                local = HTML / target.path.lstrip("/")
                assert (local / "index.html" if target.path.endswith("/") else local).is_file(), (url, href)
        text = visit.page.inner_text("main")
        if url in lessons:
            _check_launch_links(visit.page, url)
        if url in lessons or url.endswith("v4_to_v5.html"):
            # Each executed page says which mode built it and which models answered.
            assert "Mode: offline" in text, url
            assert "stand-in for " in text or "packaged" in text, url
        visit.close()


def _check_launch_links(page, url):
    """A lesson page opens its own student notebook, a file in this checkout, on Colab and on Binder."""
    lesson = f"lessons/{Path(urlparse(url).path).stem}.ipynb"
    hrefs = "els => els.map(e => e.href)"
    colab = page.eval_on_selector_all("main a[href^='https://colab.research.google.com/']", hrefs)
    binder = page.eval_on_selector_all("main a[href^='https://mybinder.org/']", hrefs)
    assert colab == [LAUNCH.colab_link(lesson)] and binder == [LAUNCH.binder_link(lesson)], (url, colab, binder)
    assert (REPO / lesson).is_file(), url


def test_a_plot_and_a_solution_toggle_work(server, browser):
    plots, toggled = [], []
    for name in _lesson_pages():
        visit = Visit(browser, f"{server}_generated/lessons/{name}.html")
        images = visit.page.locator("div.cell_output img")
        loaded = [i for i in range(images.count())
                  if images.nth(i).evaluate("img => img.complete && img.naturalWidth > 100")]
        if loaded and not plots:
            plots.append(name)
            # The plot with the code that drew it, below the page's header bar.
            images.nth(loaded[0]).evaluate("img => img.closest('.cell').scrollIntoView({block: 'start'})")
            visit.page.evaluate("window.scrollBy(0, -70)")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            visit.page.screenshot(path=str(ARTIFACTS / "lesson-with-plot.png"))
        toggles = visit.page.locator("details.hide:has(summary:has-text('Show a solution'))")
        if toggles.count():
            toggle = toggles.first
            toggle.scroll_into_view_if_needed()
            code = toggle.locator("div.cell_input")
            assert toggle.get_attribute("open") is None and not code.is_visible(), "the solution starts hidden"
            toggle.locator("summary").click()
            assert code.is_visible() and "### BEGIN" not in code.inner_text(), "a click shows the solution"
            assert "Hide the solution" in toggle.locator("summary").inner_text()
            toggle.locator("summary").click()
            assert not code.is_visible()
            toggled.append(name)
        visit.close()
        if plots and toggled:
            break
    assert plots, "no lesson page shows a plot"
    assert toggled, "no lesson page has a solution toggle"
    assert (ARTIFACTS / "lesson-with-plot.png").stat().st_size > 10_000
