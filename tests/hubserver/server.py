"""A Hub-protocol server on 127.0.0.1 that serves repositories from a folder, with switchable faults.

It answers what huggingface_hub 2.4 and transformers 5.23 ask of huggingface.co (read from their file_download.py,
hf_api.py and utils/_http.py): model info, the tree listing, HEAD/GET on resolve URLs with the headers the client
reads (X-Repo-Commit, ETag, X-Linked-Etag/-Size for LFS files, Content-Length, ranges), 404 with X-Error-Code
EntryNotFound for a missing file, 401 with RepoNotFound for a missing repository, and 307 redirects from a renamed
repository's old id. Faults: "stall" (the API answers, file requests hang), "forbidden" (a proxy's 403), "login"
(a captive portal's 200 login page), "other" (an ordinary web server's 404 page), "json" (some other JSON API).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

FAULTS = ("stall", "forbidden", "login", "other", "json")
LFS_SUFFIXES = (".safetensors", ".bin", ".spm", ".model", ".h5", ".msgpack")
DATE = "2024-01-01T00:00:00.000Z"
LOGIN_PAGE = b"""<!DOCTYPE html><html><head><title>Network login</title></head><body>
<h1>Welcome to the school network</h1><form method="post" action="/login">User <input name="user">
Password <input name="password" type="password"><button>Sign in</button></form></body></html>"""
PROXY_403 = (b"<html><head><title>403 Forbidden</title></head>"
             b"<body><h1>Access denied</h1>The proxy blocked this site.</body></html>")
NGINX_404 = (b"<html><head><title>404 Not Found</title></head>"
             b"<body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>")


@dataclass(frozen=True)
class HubFile:
    path: str
    data: bytes

    @property
    def oid(self) -> str:  # the git blob id, which the Hub reports for every file
        return hashlib.sha1(b"blob %d\0" % len(self.data) + self.data).hexdigest()

    @property
    def lfs(self) -> bool:
        return self.path.endswith(LFS_SUFFIXES)

    @property
    def etag(self) -> str:  # LFS files are tagged with their sha256, git files with their blob id
        return hashlib.sha256(self.data).hexdigest() if self.lfs else self.oid

    def tree_entry(self) -> dict:
        entry = {"type": "file", "oid": self.oid, "size": len(self.data), "path": self.path}
        if self.lfs:
            entry["lfs"] = {"oid": self.etag, "size": len(self.data), "pointerSize": 134}
        return entry


class Repo:
    def __init__(self, repo_id: str, folder: Path, meta: dict):
        self.id = repo_id
        self.meta = meta
        self.files = {p.relative_to(folder).as_posix(): HubFile(p.relative_to(folder).as_posix(), p.read_bytes())
                      for p in sorted(folder.rglob("*")) if p.is_file()}
        listing = "".join(f"{path}\0{f.oid}\n" for path, f in self.files.items())
        self.sha = hashlib.sha1(f"{repo_id}\n{listing}".encode()).hexdigest()

    def info(self, blobs: bool) -> dict:
        config = json.loads(self.files["config.json"].data) if "config.json" in self.files else {}
        siblings = []
        for f in self.files.values():
            sibling = {"rfilename": f.path}
            if blobs:
                sibling.update(size=len(f.data), blobId=f.oid)
                if f.lfs:
                    sibling["lfs"] = {"sha256": f.etag, "size": len(f.data), "pointerSize": 134}
            siblings.append(sibling)
        return {"_id": self.sha[:24], "id": self.id, "modelId": self.id, "author": self.id.split("/")[0],
                "sha": self.sha, "lastModified": DATE, "createdAt": DATE, "private": False, "disabled": False,
                "gated": False, "downloads": 0, "likes": 0, "library_name": "transformers",
                "pipeline_tag": self.meta.get("pipeline_tag"), "tags": ["transformers", *self.meta.get("tags", [])],
                "config": {k: config[k] for k in ("architectures", "model_type") if k in config},
                "siblings": siblings, "usedStorage": sum(len(f.data) for f in self.files.values())}

    def path_info(self, path: str) -> list[dict]:
        path = path.strip("/")
        if path in self.files:
            return [self.files[path].tree_entry()]
        if any(name.startswith(path + "/") for name in self.files):
            return [{"type": "directory", "oid": hashlib.sha1(path.encode()).hexdigest(), "size": 0, "path": path}]
        return []

    def tree(self, prefix: str, recursive: bool) -> list[dict] | None:
        """The Hub's tree listing under `prefix` ('' for the root); None when no such folder exists."""
        prefix = prefix.strip("/")
        base = prefix + "/" if prefix else ""
        inside = [f for path, f in self.files.items() if path.startswith(base)]
        if prefix and not inside:
            return None
        entries, folders = [], {}
        for f in inside:
            rest = f.path[len(base):]
            if "/" not in rest or recursive:
                entries.append(f.tree_entry())
            parts = rest.split("/")[:-1]
            for depth in range(1, len(parts) + 1 if recursive else min(1, len(parts)) + 1):
                folder = base + "/".join(parts[:depth])
                folders[folder] = {"type": "directory", "oid": hashlib.sha1(folder.encode()).hexdigest(),
                                   "size": 0, "path": folder}
        return sorted(folders.values(), key=lambda e: e["path"]) + entries


def load_repos(root: Path) -> tuple[dict[str, Repo], dict[str, str]]:
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    repos = {repo_id: Repo(repo_id, root / repo_id, meta) for repo_id, meta in index["repos"].items()}
    return repos, index.get("aliases", {})


class HubServer:
    """Serves `root` (built by hubserver.builder) on 127.0.0.1:<free port>; `fault` and `hidden` switch at will."""

    def __init__(self, root: Path):
        self.repos, self.aliases = load_repos(root)
        self.fault: str | None = None
        self.hidden: set[str] = set()  # repositories this "mirror" lacks
        self.requests: list[tuple[str, str]] = []
        self.stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._httpd.hub = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def start(self) -> "HubServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # releases stalled requests
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "HubServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def split_repo(self, rest: str) -> tuple[str, str]:
        """'org/name/tree/main/x' -> ('org/name', 'tree/main/x'), for known ids, old ids and unknown ones alike."""
        for repo_id in sorted([*self.repos, *self.aliases], key=len, reverse=True):
            if rest == repo_id or rest.startswith(repo_id + "/"):
                return repo_id, rest[len(repo_id) + 1:]
        for marker in ("/revision/", "/tree/", "/paths-info/"):
            if marker in rest:
                head, _, tail = rest.partition(marker)
                return head, marker.strip("/") + "/" + tail
        return rest, ""

    def lookup(self, repo_id: str) -> Repo | None:
        return None if repo_id in self.hidden else self.repos.get(repo_id)


class _Handler(BaseHTTPRequestHandler):
    server_version = "hubserver"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        self._dispatch(head=False, form=parse_qs(body))

    def _dispatch(self, head: bool, form: dict | None = None) -> None:
        hub: HubServer = self.server.hub
        hub.requests.append((self.command, self.path))
        canned = {"forbidden": (403, PROXY_403, "text/html"), "login": (200, LOGIN_PAGE, "text/html"),
                  "other": (404, NGINX_404, "text/html"), "json": (200, b"[]", "application/json")}
        if hub.fault in canned:
            return self._send(*canned[hub.fault], head=head)
        url = urlsplit(self.path)
        path, query = unquote(url.path), parse_qs(url.query)
        if path.startswith("/api/models/"):
            return self._api(hub, path[len("/api/models/"):], {**query, **(form or {})}, url.query, head)
        if path == "/api/models":
            return self._json(200, [{"id": r.id, "modelId": r.id} for r in hub.repos.values()], head=head)
        if "/resolve/" in path:
            return self._resolve(hub, path, head)
        self._json(404, {"error": "Sorry, we can't find the page you are looking for."}, head=head)

    def _api(self, hub: HubServer, rest: str, query: dict, raw_query: str, head: bool) -> None:
        repo_id, tail = hub.split_repo(rest)
        if repo_id in hub.aliases:
            return self._redirect(f"/api/models/{hub.aliases[repo_id]}" + (f"/{tail}" if tail else ""), raw_query)
        repo = hub.lookup(repo_id)
        if repo is None:
            return self._repo_not_found(head)
        kind, _, rest = tail.partition("/")
        revision, _, sub = rest.partition("/")
        if kind and not self._revision_ok(repo, revision, head):
            return None
        if kind in ("", "revision"):
            return self._json(200, repo.info(blobs=query.get("blobs", [""])[0].lower() == "true"), head=head)
        if kind == "paths-info":  # what huggingface_hub's get_paths_info (and olah) POST: the entries that exist
            return self._json(200, [entry for p in query.get("paths", []) for entry in repo.path_info(p)], head=head)
        if kind == "tree":
            entries = repo.tree(sub, recursive=query.get("recursive", [""])[0].lower() == "true")
            if entries is None:
                return self._error(404, "EntryNotFound", f"{sub} does not exist on \"{revision}\"", repo, head)
            return self._json(200, entries, head=head)
        self._json(404, {"error": "Not Found"}, head=head)

    def _resolve(self, hub: HubServer, path: str, head: bool) -> None:
        repo_id, _, rest = path.lstrip("/").partition("/resolve/")
        if repo_id in hub.aliases:
            return self._redirect(f"/{hub.aliases[repo_id]}/resolve/{quote(rest)}", "")
        if hub.fault == "stall":
            hub.stopping.wait()  # answer nothing until the server stops
            return None
        repo = hub.lookup(repo_id)
        if repo is None:
            return self._repo_not_found(head)
        revision, _, filename = rest.partition("/")
        if not self._revision_ok(repo, revision, head):
            return None
        hub_file = repo.files.get(filename)
        if hub_file is None:
            return self._error(404, "EntryNotFound", "Entry not found", repo, head)
        self._send_file(repo, hub_file, head)

    def _send_file(self, repo: Repo, hub_file: HubFile, head: bool) -> None:
        data, status = hub_file.data, 200
        start, end = 0, len(hub_file.data) - 1
        wanted = self.headers.get("Range", "")
        if wanted.startswith("bytes="):
            first, _, last = wanted[len("bytes="):].partition("-")
            start, end = int(first or 0), min(int(last) if last else end, end)
            data, status = hub_file.data[start:end + 1], 206
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream" if hub_file.lfs else "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{hub_file.etag}"')
        self.send_header("X-Repo-Commit", repo.sha)
        if hub_file.lfs:
            self.send_header("X-Linked-Etag", f'"{hub_file.etag}"')
            self.send_header("X-Linked-Size", str(len(hub_file.data)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(hub_file.data)}")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _revision_ok(self, repo: Repo, revision: str, head: bool) -> bool:
        if revision in ("main", repo.sha):
            return True
        self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", repo, head)
        return False

    def _repo_not_found(self, head: bool) -> None:
        # What huggingface.co answers an anonymous client for a repository that does not exist (or is private).
        self._error(401, "RepoNotFound", "Repository not found", None, head)

    def _error(self, status: int, code: str, message: str, repo: Repo | None, head: bool) -> None:
        headers = {"X-Error-Code": code, "X-Error-Message": message}
        if repo is not None:
            headers["X-Repo-Commit"] = repo.sha
        self._json(status, {"error": message}, headers=headers, head=head)

    def _redirect(self, path: str, raw_query: str) -> None:
        self.send_response(307)
        self.send_header("Location", path + (f"?{raw_query}" if raw_query else ""))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _json(self, status: int, payload, headers: dict | None = None, head: bool = False) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8", headers, head=head)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None, *, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)
