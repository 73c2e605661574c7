"""What a browser does against a JupyterHub and a learner's server, for the class test: the hub's REST API (with an
admin service token, or a learner's own token) and a notebook's kernel through the server's REST and websocket API."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

# Every server these tests reach is on 127.0.0.1: a proxy from the machine's environment must never be asked.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(method: str, url: str, token: str, body: dict | None = None, timeout: float = 60) -> tuple[int, object]:
    """One REST call with an API token; the status and the decoded JSON answer (None when empty)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    try:
        with _DIRECT.open(request, timeout=timeout) as answer:
            text = answer.read().decode()
            return answer.status, json.loads(text) if text.strip() else None
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, text


def wait_until(predicate, seconds: float, what: str, every: float = 1.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what} did not happen within {seconds:.0f} s")


@dataclass
class CellRun:
    index: int
    status: str  # "ok" or "error"
    error: str = ""
    text: str = ""


@dataclass
class NotebookRun:
    path: str
    seconds: float = 0.0
    cells: list[CellRun] = field(default_factory=list)

    @property
    def failures(self) -> list[CellRun]:
        return [c for c in self.cells if c.status != "ok"]


def _message(session: str, msg_type: str, content: dict, channel: str = "shell") -> dict:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "",
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}


async def _execute(socket, session: str, code: str, seconds: float) -> CellRun:
    """Send one cell; wait for its reply and for the kernel to go idle; collect its text and errors."""
    request = _message(session, "execute_request", {"code": code, "silent": False, "store_history": True,
                                                     "user_expressions": {}, "allow_stdin": False,
                                                     "stop_on_error": True})
    await socket.write_message(json.dumps(request))
    run, replied, idle = CellRun(-1, "ok"), False, False
    deadline = time.monotonic() + seconds
    while not (replied and idle):
        raw = await asyncio.wait_for(socket.read_message(), max(1.0, deadline - time.monotonic()))
        if raw is None:
            return CellRun(-1, "error", "the websocket closed")
        message = json.loads(raw)
        if message.get("parent_header", {}).get("msg_id") != request["header"]["msg_id"]:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            run.text += content.get("text", "")
        elif kind == "error":
            run.status, run.error = "error", f"{content.get('ename')}: {content.get('evalue')}"
        elif kind == "execute_reply":
            replied = True
            if content.get("status") != "ok":
                run.status = "error"
                run.error = run.error or f"{content.get('ename')}: {content.get('evalue')}"
        elif kind == "status" and content.get("execution_state") == "idle":
            idle = True
    return run


async def _run_cells(ws_url: str, token: str, sources: list[str], seconds: float) -> list[CellRun]:
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    session = uuid.uuid4().hex
    request = HTTPRequest(f"{ws_url}?session_id={session}", headers={"Authorization": f"token {token}"},
                          connect_timeout=30, request_timeout=60)
    for attempt in range(4):
        # As JupyterLab does, connect again when the server gives up (a kernel slow to start on a busy machine, or
        # restarted by its server).
        try:
            socket = await websocket_connect(request)
            break
        except (HTTPClientError, OSError):
            if attempt == 3:
                raise
            await asyncio.sleep(2)
    try:
        runs = []
        for index, source in enumerate(sources):
            run = await _execute(socket, session, source, seconds)
            run.index = index
            runs.append(run)
        return runs
    finally:
        socket.close()


def run_notebook(server: str, token: str, path: str, extra_cells: tuple[str, ...] = (),
                 seconds_per_cell: float = 300) -> NotebookRun:
    """Open a notebook of the learner's server as JupyterLab does (contents, then a session with a kernel), run every
    code cell in its kernel over the websocket, then close the session (which shuts the kernel down)."""
    started = time.monotonic()
    status, model = call("GET", f"{server}api/contents/{path}?content=1", token)
    assert status == 200, f"{path}: {status} {model}"
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
               for c in model["content"]["cells"] if c["cell_type"] == "code"]
    status, session = call("POST", f"{server}api/sessions", token,
                           {"path": path, "type": "notebook", "name": path, "kernel": {"name": "python3"}})
    assert status == 201, f"{path}: could not start a kernel: {status} {session}"
    kernel = session["kernel"]["id"]
    ws_url = server.replace("http://", "ws://", 1) + f"api/kernels/{kernel}/channels"
    try:
        cells = asyncio.run(_run_cells(ws_url, token, [*sources, *extra_cells], seconds_per_cell))
    finally:
        call("DELETE", f"{server}api/sessions/{session['id']}", token)
    return NotebookRun(path, round(time.monotonic() - started, 1), cells)
