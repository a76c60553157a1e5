"""A Hugging Face hub on loopback for the model manager's tests: the hub's file layout and headers, Range
requests, gated repositories, redirects of large files to a "CDN" host, and connections that break off.

``/<repo>/resolve/<revision>/<path>``: a small file is answered directly (ETag = its git blob id); a large
("LFS") file is answered with a 302 to ``http://localhost:<port>/cdn/<sha256>`` carrying X-Linked-Etag and
X-Linked-Size, as the real hub does. The CDN URL is on another host name than the hub (``localhost`` vs
``127.0.0.1``), so a client that forwarded the access token there would be caught.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

COMMIT = "0123456789abcdef0123456789abcdef01234567"
LFS_THRESHOLD = 10_000  # bytes; larger files go through the CDN redirect


@dataclass
class Gate:
    token: str
    accepted: bool = True  # False: a valid token whose owner has not accepted the licence (403)


@dataclass
class FakeHub:
    files: dict[tuple[str, str, str], bytes] = field(default_factory=dict)  # (repo, revision, path)
    gates: dict[str, Gate] = field(default_factory=dict)
    drop_after: dict[str, int] = field(default_factory=dict)  # path -> bytes sent before a break (once)
    bytes_per_second: float = 0.0  # 0: as fast as possible
    # Bytes of a file body sent before the server waits for `release` (set it to go on): a download that
    # is certainly under way when a test interrupts it, however slow the machine.
    hold_at: int | None = None
    release: threading.Event = field(default_factory=threading.Event)
    small_files_via_cache: bool = False  # answer small files with a relative redirect, as the hub now does
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_folder(
        self, repo: str, folder: Path, names: dict[str, str] | None = None, revision: str = "main"
    ) -> None:
        """Serve every file of ``folder``; ``names`` maps a local name to its name in the repository."""
        for path in sorted(folder.iterdir()):
            if path.is_file():
                remote = (names or {}).get(path.name, path.name)
                self.files[(repo, revision, remote)] = path.read_bytes()

    def blob(self, sha256: str) -> tuple[str, bytes] | None:
        """(file name, content) of the file with this SHA-256."""
        found = (
            (key[2], data) for key, data in self.files.items() if hashlib.sha256(data).hexdigest() == sha256
        )
        return next(found, None)

    def gets(self, path_part: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "GET" and path_part in r["path"]]


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()


class HubHandler(BaseHTTPRequestHandler):
    hub: FakeHub

    def log_message(self, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, send_body: bool) -> None:
        path = unquote(self.path)
        self.hub.requests.append(
            {
                "method": self.command,
                "path": path,
                "range": self.headers.get("Range"),
                "authorization": self.headers.get("Authorization"),
                "host": self.headers.get("Host"),
            }
        )
        if path.startswith("/cdn/"):
            found = self.hub.blob(path.removeprefix("/cdn/"))
            if found is None:
                return self._error(404, "EntryNotFound")
            name, data = found
            return self._serve(data, name, send_body, {"ETag": f'"{hashlib.sha256(data).hexdigest()}"'})
        if path.startswith("/api/resolve-cache/models/"):
            org, name, _commit, file = path.removeprefix("/api/resolve-cache/models/").split("/", 3)
            data = next(
                (d for k, d in self.hub.files.items() if k[0] == f"{org}/{name}" and k[2] == file), None
            )
            if data is None:
                return self._error(404, "EntryNotFound")
            headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{git_blob_id(data)}"'}
            return self._serve(data, file, send_body, headers)
        parts = path.lstrip("/").split("/", 4)
        if len(parts) < 5 or parts[2] != "resolve":
            return self._error(404, "")
        repo, revision, file = f"{parts[0]}/{parts[1]}", parts[3], parts[4]
        if not any(key[0] == repo for key in self.hub.files):
            return self._error(401, "RepoNotFound")
        if repo in self.hub.gates and not self._allowed(self.hub.gates[repo]):
            return None
        if not any(key[:2] == (repo, revision) for key in self.hub.files):
            return self._error(404, "RevisionNotFound")
        data = self.hub.files.get((repo, revision, file))
        if data is None:
            return self._error(404, "EntryNotFound")
        headers = {"X-Repo-Commit": COMMIT}
        if len(data) > LFS_THRESHOLD:
            sha256 = hashlib.sha256(data).hexdigest()
            headers |= {
                "X-Linked-Etag": f'"{sha256}"',
                "X-Linked-Size": str(len(data)),
                "ETag": f'"{git_blob_id(data)[:32]}-lfs-pointer"',
                "Location": f"http://localhost:{self.hub.port}/cdn/{sha256}",
                "Content-Length": "0",
            }
            self.send_response(302)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return None
        if self.hub.small_files_via_cache:
            self.send_response(307)
            self.send_header("Location", f"/api/resolve-cache/models/{repo}/{COMMIT}/{file}")
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self._serve(data, file, send_body, headers | {"ETag": f'"{git_blob_id(data)}"'})

    def _allowed(self, gate: Gate) -> bool:
        given = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        if not given:
            self._error(401, "GatedRepo")
            return False
        if given != gate.token:
            self._error(401, "")  # invalid credentials
            return False
        if not gate.accepted:
            self._error(403, "GatedRepo")
            return False
        return True

    def _error(self, status: int, hub_code: str) -> None:
        body = b'{"error": "no"}'
        self.send_response(status)
        if hub_code:
            self.send_header("X-Error-Code", hub_code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _serve(self, data: bytes, name: str, send_body: bool, headers: dict[str, str]) -> None:
        start, status = 0, 200
        wanted = self.headers.get("Range")
        if wanted:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        body = data[start:]
        self.send_response(status)
        for header, value in headers.items():
            self.send_header(header, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if send_body:
            self._send_body(body, self.hub.drop_after.pop(name, None))

    def _send_body(self, body: bytes, drop_at: int | None) -> None:
        step = 64 * 1024
        for offset in range(0, len(body), step):
            chunk = body[offset : offset + step]
            if self.hub.hold_at is not None and offset >= self.hub.hold_at:
                self.hub.release.wait(60)
            if drop_at is not None and offset + len(chunk) > drop_at:
                self.wfile.write(chunk[: max(0, drop_at - offset)])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)  # the connection breaks off mid-file
                self.close_connection = True
                return
            try:
                self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return
            if self.hub.bytes_per_second:
                time.sleep(len(chunk) / self.hub.bytes_per_second)


def start_hub(hub: FakeHub) -> ThreadingHTTPServer:
    handler = type("BoundHubHandler", (HubHandler,), {"hub": hub})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    hub.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
