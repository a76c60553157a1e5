"""TLS for the cluster: the studio's certificate authority, and each machine's certificate and key.

One certificate and key per machine serve it in every role (scheduler, worker, client); every peer must
present a certificate signed by the studio's authority, so a machine without one can neither join nor
submit work. Without TLS, traffic is plain TCP: keep the cluster on a trusted network (README.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PORT = 8786
DASHBOARD_PORT = 8787


class ClusterSetupError(ValueError):
    """The cluster cannot be used as given (address, certificates): a message for a person."""


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    cert: Path
    key: Path

    @classmethod
    def from_options(cls, ca: str | None, cert: str | None, key: str | None) -> TlsFiles | None:
        """All three or none. Raises ClusterSetupError."""
        given = [value for value in (ca, cert, key) if value]
        if not given:
            return None
        if len(given) != 3:
            raise ClusterSetupError(
                "TLS needs all three files: the studio's certificate authority, this machine's certificate "
                "and its key (--tls-ca, --tls-cert, --tls-key)"
            )
        files = cls(Path(ca or ""), Path(cert or ""), Path(key or ""))
        for path in (files.ca, files.cert, files.key):
            if not path.is_file():
                raise ClusterSetupError(f"TLS file not found: {path}")
        return files

    def security(self) -> Any:
        from distributed.security import Security

        return Security(
            tls_ca_file=str(self.ca),
            tls_client_cert=str(self.cert),
            tls_client_key=str(self.key),
            tls_scheduler_cert=str(self.cert),
            tls_scheduler_key=str(self.key),
            tls_worker_cert=str(self.cert),
            tls_worker_key=str(self.key),
            require_encryption=True,
        )


def scheduler_address(address: str, tls: TlsFiles | None) -> str:
    """``address`` with its protocol and port: ``HOST`` or ``HOST:PORT`` gets ``tcp://`` (``tls://`` with
    TLS) and port 8786. Raises ClusterSetupError for a protocol that does not match the TLS choice."""
    address = address.strip()
    if not address:
        raise ClusterSetupError("no scheduler address given (e.g. tcp://render-01:8786)")
    protocol, _, rest = address.rpartition("://")
    protocol = protocol or ("tls" if tls else "tcp")
    if protocol not in ("tcp", "tls"):
        raise ClusterSetupError(f"{address}: the scheduler address must start with tcp:// or tls://")
    if protocol == "tls" and tls is None:
        raise ClusterSetupError(
            f"{address} is a TLS address: give the TLS files (--tls-ca, --tls-cert, --tls-key)"
        )
    if protocol == "tcp" and tls is not None:
        raise ClusterSetupError(f"{address}: with TLS certificates the address must start with tls://")
    host, colon, port = rest.rpartition(":")
    if not colon or not port.isdigit():
        host, port = rest, str(DEFAULT_PORT)
    if not host:
        raise ClusterSetupError(f"{address}: no host name in the scheduler address")
    return f"{protocol}://{host}:{port}"


def security_for(tls: TlsFiles | None) -> Any:
    """Dask's Security for ``tls`` (plain TCP without it)."""
    if tls is None:
        from distributed.security import Security

        return Security()
    return tls.security()


@dataclass(frozen=True)
class ClusterTarget:
    """A cluster a run uses: its scheduler's full address and the TLS files, if any."""

    address: str
    tls: TlsFiles | None = None

    @classmethod
    def parse(cls, address: str, tls: TlsFiles | None = None) -> ClusterTarget:
        """Raises ClusterSetupError."""
        return cls(scheduler_address(address, tls), tls)

    def security(self) -> Any:
        return security_for(self.tls)
