"""Finding torch's wheels on the PyTorch wheel index, and downloading them so that an interrupted download
goes on where it stopped.

uv keeps every wheel it finished downloading in its cache, so a second run fetches only what is missing;
but a wheel cut off halfway is fetched again from its first byte. Windows' CUDA build of torch is one file
of about 3 GB, so the bootstrap downloads the index's wheels itself, with HTTP range requests into a
``.part`` file, checks them against the index's SHA-256, and hands the finished files to uv.
"""

from __future__ import annotations

import hashlib
import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

CHUNK = 1024 * 1024
ATTEMPTS = 8  # connection drops survived per file, each resuming where the last one stopped
TIMEOUT_SECONDS = 60
REPORT_SECONDS = 5.0

Say = Callable[[str], None]


@dataclass(frozen=True)
class WheelLink:
    filename: str
    url: str
    sha256: str | None


class DownloadError(Exception):
    """A download that could not be finished, said in one sentence."""


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def wheel_platform_matches(platform_tag: str, os_name: str) -> bool:
    if os_name == "windows":
        return platform_tag == "win_amd64"
    # Linux: manylinux wheels for x86-64 (compound tags such as manylinux_2_28_x86_64 included)
    return "linux" in platform_tag and platform_tag.endswith("x86_64")


def pick_wheel(
    hrefs: list[str], page_url: str, project: str, version: str, python_tag: str, os_name: str
) -> WheelLink | None:
    """The wheel of ``project`` ``version`` for ``python_tag`` (``cp311``) and this OS among an index page's
    links, or None."""
    for href in hrefs:
        url, _, fragment = urllib.parse.urljoin(page_url, href).partition("#")
        filename = urllib.parse.unquote(url.rsplit("/", 1)[-1])
        if not filename.endswith(".whl"):
            continue
        parts = filename[: -len(".whl")].split("-")
        if len(parts) not in (5, 6):
            continue
        name, wheel_version, python, abi, platform_tag = parts[0], parts[1], parts[-3], parts[-2], parts[-1]
        if (
            name.lower().replace("_", "-") == project
            and wheel_version == version
            and python == python_tag
            and abi == python_tag
            and any(wheel_platform_matches(tag, os_name) for tag in platform_tag.split("."))
        ):
            sha256 = fragment.removeprefix("sha256=") if fragment.startswith("sha256=") else None
            return WheelLink(filename, url, sha256)
    return None


def find_wheel(index_url: str, project: str, version: str, python_tag: str, os_name: str) -> WheelLink:
    page_url = f"{index_url.rstrip('/')}/{project}/"
    try:
        with _open(urllib.request.Request(page_url)) as response:  # noqa: S310 - _open checks the scheme
            page = response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise DownloadError(f"Could not read the wheel index {page_url} ({_reason(error)}).") from error
    parser = _Anchors()
    parser.feed(page)
    link = pick_wheel(parser.hrefs, page_url, project, version, python_tag, os_name)
    if link is None:
        raise DownloadError(
            f"The index {page_url} has no {project} {version} wheel for {python_tag} on {os_name}."
        )
    return link


def download(link: WheelLink, folder: Path, say: Say) -> Path:
    """``link`` saved as ``folder/<filename>``: resumed from a ``.part`` file left by an earlier try,
    checked against its SHA-256, then renamed into place. A file already there and whole is kept."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / link.filename
    if target.exists() and _hash_matches(target, link.sha256):
        say(f"{link.filename} was downloaded before")
        return target
    part = folder / f"{link.filename}.part"
    for attempt in range(1, ATTEMPTS + 1):
        try:
            _fetch(link, part, say)
            break
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            if isinstance(error, urllib.error.HTTPError) and error.code < 500 and error.code != 416:
                raise DownloadError(f"The server refused {link.url} ({_reason(error)}).") from error
            if attempt == ATTEMPTS:
                raise DownloadError(
                    f"The download of {link.filename} kept failing ({_reason(error)}). Run the set-up again "
                    "later: it goes on from where it stopped."
                ) from error
            wait = min(60, 5 * attempt)
            say(
                f"the connection was lost ({_reason(error)}); going on in {wait} s "
                f"(try {attempt + 1} of {ATTEMPTS})"
            )
            time.sleep(wait)
    if not _hash_matches(part, link.sha256):
        part.unlink()
        raise DownloadError(
            f"{link.filename} arrived damaged (its SHA-256 does not match); run the set-up again."
        )
    part.replace(target)
    return target


def _fetch(link: WheelLink, part: Path, say: Say) -> None:
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        response = _open(urllib.request.Request(link.url, headers=headers))  # noqa: S310 - as above
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # nothing after what we have: the file is complete
            return
        raise
    with response:
        if have and response.status != 206:
            have = 0  # the server ignored the range: start over
        remaining = int(response.headers.get("Content-Length") or 0)
        total = have + remaining if remaining else 0
        if have:
            say(f"going on with {link.filename} from {_size(have)}")
        progress = _Progress(link.filename, total, have, say)
        with part.open("ab" if have else "wb") as out:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                progress.add(len(chunk))
        progress.finish()
        if total and part.stat().st_size < total:
            raise OSError(f"the connection closed after {_size(part.stat().st_size)} of {_size(total)}")


class _Progress:
    """Progress lines every few seconds (one line each, so the installer's page can show them)."""

    def __init__(self, filename: str, total: int, have: int, say: Say) -> None:
        self.filename, self.total, self.have, self.say = filename, total, have, say
        self.started = self.last = time.monotonic()
        self.fetched = 0

    def add(self, count: int) -> None:
        self.have += count
        self.fetched += count
        now = time.monotonic()
        if now - self.last >= REPORT_SECONDS:
            self.last = now
            self.say(self._line(now))

    def finish(self) -> None:
        self.say(self._line(time.monotonic()))

    def _line(self, now: float) -> str:
        rate = self.fetched / max(now - self.started, 1e-6)
        if not self.total:
            return f"downloading {self.filename}: {_size(self.have)}, {_size(rate)}/s"
        left = (self.total - self.have) / rate if rate > 0 else 0
        return (
            f"downloading {self.filename}: {_size(self.have)} of {_size(self.total)} "
            f"({100 * self.have / self.total:.0f}%), {_size(rate)}/s, about {_duration(left)} left"
        )


def _open(request: urllib.request.Request) -> urllib.request.addinfourl:
    if urllib.parse.urlsplit(request.full_url).scheme not in ("https", "http"):
        raise urllib.error.URLError(f"not a web address: {request.full_url}")
    request.add_header("User-Agent", "LocalClip-bootstrap")
    return urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS)  # noqa: S310 - scheme checked above


def _hash_matches(path: Path, sha256: str | None) -> bool:
    if sha256 is None:
        return True  # the index gave no hash; the size check during download is all there is
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest() == sha256.lower()


def _reason(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    return str(error) or type(error).__name__


def _size(count: float) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.2f} {unit}" if unit == "GB" else f"{count / scale:.1f} {unit}"
    return f"{count:.0f} B"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"
