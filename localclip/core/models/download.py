"""Downloading a catalog model from a Hugging Face hub into a plain folder, resumable (no Qt).

Why not ``huggingface_hub``: LocalClip needs (1) a pause that stops inside a multi-gigabyte file and keeps
what arrived, which ``hf_hub_download`` offers no hook for; (2) hub files renamed to the layout LocalClip
checks (the ResNet221 repository names its files ``voxceleb_resnet221_LM.*``); (3) nothing but the model
files in the folder, no symlinks and no ``.cache`` tree; and (4) one transfer path that the tests drive
against a loopback server, where ``huggingface_hub`` may hand large files to its Xet client instead. The
hub's plain HTTP interface covers all of it: ``<endpoint>/<repo>/resolve/<revision>/<path>`` answers HEAD
with the file's size and checksum (``X-Linked-Size``/``X-Linked-Etag`` for LFS files, ``ETag`` = the git
blob id for small ones) and GET with the bytes, honouring ``Range``. urllib is used (not http.client) for
the proxy settings it reads from the environment and, on Windows, the registry.

Each file is written to ``<name>.part`` (with ``<name>.part.json`` saying which content it holds), then
checked and renamed into place, so a folder never holds a half-written model file under its real name. A
later run continues a ``.part`` with a Range request. The access token is sent to the hub's own host only
(never to the CDN a large file redirects to) and never appears in a message.
"""

from __future__ import annotations

import errno
import http.client
import json
import os
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from localclip import __version__
from localclip.core.models.catalog import (
    PART_SUFFIX,
    CatalogModel,
    Checksum,
    DownloadManifest,
    FileRecord,
    ModelFile,
    check_folder,
    hub_endpoint,
    path_problem,
    read_manifest,
    write_manifest,
)
from localclip.core.models.folders import ModelDirError
from localclip.core.units import format_bytes

CHUNK = 1 << 20
REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 10
DISK_MARGIN = 16 * 1000 * 1000  # bytes kept free beyond what the files need
RETRY_DELAYS = (1.0, 3.0, 10.0)  # waits before each retry of a transfer that broke off
DISK_FULL_WINERRORS = (39, 112)  # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL


class DownloadError(Exception):
    """A download that cannot go on, with a message a person can act on and a code for programs:
    gated, unauthorized, not_found, network, server, disk_full, folder, checksum, invalid_model."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def resumable(self) -> bool:
        return self.code in ("network", "server", "disk_full")


class DownloadPaused(Exception):
    """Stopped on request; the ``.part`` files stay and the next run continues them."""


@dataclass(frozen=True)
class RemoteFile:
    file: ModelFile
    url: str
    size: int | None
    checksum: Checksum | None
    commit: str


@dataclass(frozen=True)
class DownloadProgress:
    model_id: str
    file: str  # local name
    file_done: int
    file_total: int | None
    done: int  # bytes of the whole model in place (files before this one, and this one so far)
    total: int | None


@dataclass
class DownloadResult:
    folder: Path
    commit: str
    downloaded: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)  # files that differed, renamed *.previous[-N]


# --- talking to the hub -------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by HubClient itself: the token must not follow a redirect to another host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HubClient:
    def __init__(self, endpoint: str | None = None, token: str | None = None, timeout: float = 30.0) -> None:
        self.endpoint = hub_endpoint(endpoint)
        if urlsplit(self.endpoint).scheme not in ("http", "https"):
            raise DownloadError(
                "server", f"The hub address must start with http:// or https://: {self.endpoint}"
            )
        self.token = (token or os.environ.get("HF_TOKEN") or "").strip() or None
        self.timeout = timeout
        self._hub_host = urlsplit(self.endpoint).netloc
        self._opener = urllib.request.build_opener(_NoRedirect)

    def file_url(self, repo: str, revision: str, path: str) -> str:
        return f"{self.endpoint}/{repo}/resolve/{quote(revision, safe='')}/{quote(path)}"

    def describe(self, model: CatalogModel, file: ModelFile) -> RemoteFile | None:
        """The file's size, checksum and commit as the hub reports them; None for a missing optional file."""
        url = self.file_url(model.repo, model.revision, file.remote)
        try:
            response, commit = self._request("HEAD", url, {}, follow=_same_host)
        except urllib.error.HTTPError as error:
            if error.code == 404 and file.optional:
                return None
            raise http_error(error, model, file, self) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise network_error(error, self.endpoint) from None
        with response:
            headers = response.headers
            checksum = Checksum.from_etag(headers.get("X-Linked-Etag") or headers.get("ETag"))
            size_text = headers.get("X-Linked-Size") or (
                headers.get("Content-Length") if response.status < 300 else None
            )
        if file.sha256:
            checksum = Checksum("sha256", file.sha256)
        size = file.size if file.size is not None else _int_or_none(size_text)
        return RemoteFile(file, url, size, checksum, commit)

    def open(self, url: str, start: int) -> Any:
        """GET from byte ``start`` on; redirects followed (to any host, without the token)."""
        headers = {"Range": f"bytes={start}-"} if start else {}
        response, _ = self._request("GET", url, headers, follow=lambda *_: True)
        return response

    def _request(
        self, method: str, url: str, headers: dict[str, str], follow: Callable[[str, str, Any], bool]
    ) -> tuple[Any, str]:
        commit = ""
        for _ in range(MAX_REDIRECTS):
            # http(s) only: the endpoint's scheme is checked in __init__, redirects are checked here
            if urlsplit(url).scheme not in ("http", "https"):
                raise DownloadError("server", f"The hub redirected to an unsupported address: {url}")
            request = urllib.request.Request(url, method=method, headers=self._headers(url, headers))  # noqa: S310
            try:
                response = self._opener.open(request, timeout=self.timeout)
                return response, commit or response.headers.get("X-Repo-Commit", "")
            except urllib.error.HTTPError as error:
                commit = commit or error.headers.get("X-Repo-Commit", "")
                location = error.headers.get("Location")
                if error.code not in REDIRECTS or not location or not follow(url, location, error.headers):
                    if error.code in REDIRECTS:
                        return error, commit  # the redirect's own headers are the answer (HEAD of LFS)
                    raise
                error.close()
                url = urljoin(url, location)
        raise DownloadError("server", f"Too many redirects from {self.endpoint}")

    def _headers(self, url: str, extra: dict[str, str]) -> dict[str, str]:
        headers = {"User-Agent": f"LocalClip/{__version__}", "Accept-Encoding": "identity", **extra}
        if self.token and urlsplit(url).netloc == self._hub_host:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers


def _same_host(url: str, location: str, headers: Any) -> bool:
    """HEAD follows only redirects within the hub (a renamed repository, a cached small file); at a
    redirect to the CDN the hub's headers already say what the file is."""
    return urlsplit(urljoin(url, location)).netloc == urlsplit(url).netloc and not headers.get(
        "X-Linked-Etag"
    )


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


# --- errors in words ----------------------------------------------------------------------------------


def gated_message(model: CatalogModel, token_given: bool) -> str:
    if token_given:
        return (
            f"The hub refused the access token for {model.display_name}: accept the licence at "
            f"{model.page_url} and give a valid access token (huggingface.co: Settings, Access Tokens)."
        )
    return (
        f"{model.display_name} is gated: accept the licence at {model.page_url} and give your access token "
        "(huggingface.co: Settings, Access Tokens)."
    )


def http_error(
    error: urllib.error.HTTPError, model: CatalogModel, file: ModelFile, client: HubClient
) -> DownloadError:
    hub_code = error.headers.get("X-Error-Code", "") if error.headers else ""
    where = f"{model.repo} at revision {model.revision}"
    if error.code == 401 and hub_code == "RepoNotFound" and not model.gated:
        return DownloadError("not_found", f"{model.repo} was not found on {client.endpoint}.")
    if error.code == 401:
        code = "gated" if model.gated or hub_code == "GatedRepo" else "unauthorized"
        return DownloadError(code, gated_message(model, client.token is not None))
    if error.code == 403:
        return DownloadError(
            "gated",
            f"Your Hugging Face account has no access to {model.display_name} yet: accept the licence at "
            f"{model.page_url} and give your access token (one that may read gated repositories).",
        )
    if error.code == 404:
        if hub_code == "RevisionNotFound":
            return DownloadError("not_found", f"Revision {model.revision} is not in {model.repo}.")
        return DownloadError("not_found", f"{file.remote} was not found in {where} ({client.endpoint}).")
    if error.code == 429:
        return DownloadError("server", "The hub is limiting requests (429). Wait a minute, then run again.")
    return DownloadError(
        "server", f"The hub answered {error.code} {error.reason} for {file.remote}. Try again later."
    )


def network_error(error: BaseException, endpoint: str) -> DownloadError:
    reason = getattr(error, "reason", None) or error
    host = urlsplit(endpoint).netloc or endpoint
    return DownloadError(
        "network",
        f"Cannot reach {host} ({reason}). Check the network connection (and proxy settings), then run "
        "again: the download resumes where it stopped.",
    )


def disk_error(error: OSError, path: Path) -> DownloadError:
    if error.errno == errno.ENOSPC or getattr(error, "winerror", None) in DISK_FULL_WINERRORS:
        return DownloadError(
            "disk_full",
            f"The disk holding {path.parent} is full. Free some space (or choose another folder), then "
            "run again: the download resumes where it stopped.",
        )
    return DownloadError("folder", f"Cannot write {path}: {error.strerror or error}")


# --- the download -------------------------------------------------------------------------------------


class ModelDownloader:
    """Downloads ``model`` into ``folder``. ``progress`` is called for every chunk (from the calling
    thread); ``should_stop`` is asked between chunks and pauses the download when it says yes."""

    def __init__(
        self,
        model: CatalogModel,
        folder: Path,
        client: HubClient | None = None,
        progress: Callable[[DownloadProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        retries: int = len(RETRY_DELAYS),
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self.model = model
        self.folder = folder
        self.client = client or HubClient()
        self.progress = progress or (lambda _: None)
        self.should_stop = should_stop or (lambda: False)
        self.retries = retries
        self.retry_delays = retry_delays
        self._done = 0
        self._total: int | None = None

    def run(self) -> DownloadResult:
        if problem := path_problem(self.model.kind, self.folder):
            raise DownloadError("folder", problem)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise disk_error(error, self.folder / self.model.id) from None
        remotes = [r for f in self.model.files if (r := self.client.describe(self.model, f)) is not None]
        commit = next((r.commit for r in remotes if r.commit), self.model.revision)
        result = DownloadResult(self.folder, commit)
        manifest = DownloadManifest(self.model.id, self.model.repo, self.model.revision, commit)
        pending = [r for r in remotes if not self._already_there(r, result, manifest)]
        sizes = [r.size for r in remotes]
        self._total = sum(s for s in sizes if s is not None) if None not in sizes else None
        self._done = sum(manifest.files[r.file.local].size for r in remotes if r not in pending)
        self._check_space(pending)
        for remote in pending:
            self._fetch_with_retries(remote)
            result.downloaded.append(remote.file.local)
            manifest.files[remote.file.local] = self._record(remote)
        try:
            check_folder(self.model.kind, self.folder)
        except ModelDirError as error:
            message = f"The downloaded files do not make a usable model: {error}"
            raise DownloadError("invalid_model", message) from None
        write_manifest(self.folder, manifest)
        return result

    # files already in place

    def _already_there(self, remote: RemoteFile, result: DownloadResult, manifest: DownloadManifest) -> bool:
        """True when the folder already holds this exact file (then it is recorded, not fetched). A file
        that differs is renamed ``*.previous``, never overwritten silently."""
        path = self.folder / remote.file.local
        if not path.is_file():
            return False
        stat = path.stat()
        recorded = (read_manifest(self.folder) or DownloadManifest("", "", "", "")).files.get(
            remote.file.local
        )
        same_record = (
            recorded is not None
            and recorded.size == stat.st_size
            and recorded.mtime_ns == stat.st_mtime_ns
            and recorded.checksum == remote.checksum
        )
        size_ok = remote.size is None or remote.size == stat.st_size
        if size_ok and (
            same_record or (remote.checksum and remote.checksum.of_file(path) == remote.checksum.value)
        ):
            manifest.files[remote.file.local] = FileRecord(
                remote.file.remote, stat.st_size, remote.checksum, stat.st_mtime_ns
            )
            result.already_there.append(remote.file.local)
            return True
        aside = _free_name(path.with_name(path.name + ".previous"))
        path.replace(aside)
        result.set_aside.append(aside.name)
        return False

    def _check_space(self, pending: list[RemoteFile]) -> None:
        needed = sum(max(0, (r.size or 0) - _size(self._part(r))) for r in pending)
        free = shutil.disk_usage(self.folder).free
        if needed + DISK_MARGIN > free:
            raise DownloadError(
                "disk_full",
                f"Not enough free space in {self.folder}: the download needs {format_bytes(needed)} more, "
                f"the disk has {format_bytes(free)} free. Free some space or choose another folder.",
            )

    # one file

    def _fetch_with_retries(self, remote: RemoteFile) -> None:
        for attempt in range(self.retries + 1):
            try:
                self._fetch(remote)
                return
            except DownloadError as error:
                if error.code not in ("network", "server") or attempt >= self.retries:
                    raise
                self._wait(self.retry_delays[min(attempt, len(self.retry_delays) - 1)])

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.should_stop():
                raise DownloadPaused()
            time.sleep(0.05)

    def _part(self, remote: RemoteFile) -> Path:
        return self.folder / (remote.file.local + PART_SUFFIX)

    def _fetch(self, remote: RemoteFile) -> None:
        part = self._part(remote)
        sidecar = part.with_name(part.name + ".json")
        start = self._resume_point(remote, part, sidecar)
        hasher = (
            remote.checksum.new_hasher(remote.size) if remote.checksum and remote.size is not None else None
        )
        if hasher is not None and start:
            _hash_prefix(part, hasher)
        if remote.size is None or start < remote.size:
            start, hasher = self._transfer(remote, part, start, hasher)
        self._finish(remote, part, sidecar, start, hasher)

    def _resume_point(self, remote: RemoteFile, part: Path, sidecar: Path) -> int:
        """How many bytes of ``part`` can be kept: all of them when the sidecar says they belong to the
        same content (checksum and size) the hub offers now."""
        identity = {"checksum": remote.checksum.value if remote.checksum else None, "size": remote.size}
        try:
            kept = json.loads(sidecar.read_text(encoding="utf-8")) == identity and part.is_file()
        except (OSError, ValueError):
            kept = False
        start = _size(part) if kept else 0
        if remote.size is not None and start > remote.size:
            start = 0
        if not start:
            try:
                part.write_bytes(b"")
                sidecar.write_text(json.dumps(identity), encoding="utf-8")
            except OSError as error:
                raise disk_error(error, part) from None
        return start

    def _transfer(self, remote: RemoteFile, part: Path, start: int, hasher: Any) -> tuple[int, Any]:
        response = self._open(remote, start)
        with response:
            if start and response.status == 200:  # the server ignored Range: start over
                start = 0
                hasher = remote.checksum.new_hasher(remote.size) if hasher is not None else None
            elif start and response.status == 206 and not _range_starts_at(response, start):
                raise DownloadError(
                    "server", f"The hub answered another range than asked for {remote.file.remote}"
                )
            self._report(remote, start)
            try:
                with part.open("r+b" if start else "wb") as output:
                    output.seek(start)
                    output.truncate()
                    position = self._copy(remote, response, output, start, hasher)
                    output.flush()
                    os.fsync(output.fileno())
            except OSError as error:  # reading errors are turned into network errors in _copy
                raise disk_error(error, part) from None
        if remote.size is not None and position < remote.size:
            raise DownloadError(
                "network",
                f"The connection closed after {format_bytes(position)} of {format_bytes(remote.size)} of "
                f"{remote.file.remote}. Run again: the download resumes where it stopped.",
            )
        return position, hasher

    def _open(self, remote: RemoteFile, start: int) -> Any:
        try:
            return self.client.open(remote.url, start)
        except urllib.error.HTTPError as error:
            if error.code == 416 and start:  # the partial file is not a prefix we can continue
                self._part(remote).write_bytes(b"")
                return self._open(remote, 0)
            raise http_error(error, self.model, remote.file, self.client) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise network_error(error, self.client.endpoint) from None

    def _report(self, remote: RemoteFile, position: int) -> None:
        done = self._done + position
        self.progress(
            DownloadProgress(self.model.id, remote.file.local, position, remote.size, done, self._total)
        )

    def _copy(self, remote: RemoteFile, response: Any, output: Any, position: int, hasher: Any) -> int:
        while True:
            if self.should_stop():
                raise DownloadPaused()
            try:
                chunk = response.read(CHUNK)
            except (OSError, http.client.HTTPException) as error:
                raise network_error(error, self.client.endpoint) from None
            if not chunk:
                return position
            output.write(chunk)
            if hasher is not None:
                hasher.update(chunk)
            position += len(chunk)
            self._report(remote, position)

    def _finish(self, remote: RemoteFile, part: Path, sidecar: Path, size: int, hasher: Any) -> None:
        if remote.size is not None and size != remote.size:
            raise DownloadError("network", f"{remote.file.remote} arrived incomplete; run again to resume.")
        if hasher is not None and remote.checksum and hasher.hexdigest() != remote.checksum.value:
            part.unlink(missing_ok=True)
            sidecar.unlink(missing_ok=True)
            raise DownloadError(
                "checksum",
                f"{remote.file.remote} arrived damaged (its {remote.checksum.algorithm} checksum does not "
                "match the hub's) and was deleted. Run again to download it afresh.",
            )
        final = self.folder / remote.file.local
        try:
            part.replace(final)
        except OSError as error:
            raise disk_error(error, final) from None
        sidecar.unlink(missing_ok=True)
        self._done += size

    def _record(self, remote: RemoteFile) -> FileRecord:
        stat = (self.folder / remote.file.local).stat()
        return FileRecord(remote.file.remote, stat.st_size, remote.checksum, stat.st_mtime_ns)


def _free_name(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``…: the first name not taken (nothing set aside is overwritten)."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}-{number}")
    return candidate


def _hash_prefix(path: Path, hasher: Any) -> None:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            hasher.update(chunk)


def _range_starts_at(response: Any, start: int) -> bool:
    content_range = response.headers.get("Content-Range", "")  # "bytes 100-199/200"
    try:
        return int(content_range.split()[1].split("-")[0]) == start
    except (IndexError, ValueError):
        return False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
