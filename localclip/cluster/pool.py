"""The cluster behind the worker pool's signals: what a run connects to, local or remote alike (Qt Core).

The runs (``runs/embed.py``, ``runs/clone.py``), the panes and the log listen to a
:class:`~localclip.pool.pool.WorkerPool`; a :class:`ClusterPool` is one whose engine is a
:class:`~localclip.cluster.session.ClusterSession`, with the session's news brought to the Qt thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from localclip.cluster.session import ClusterOptions, ClusterSession
from localclip.cluster.wire import ModelRef
from localclip.pool.engine import PoolListener
from localclip.pool.pool import WorkerPool


class ClusterPool(WorkerPool):
    # tuple[RemoteGpu, ...]: every remote worker's machine, device and state, when one of them changes
    remote_workers_changed = Signal(object)
    _posted = Signal(object)  # a callable from another thread, run on this object's thread

    def __init__(
        self,
        address: str,
        security: Any,
        models: dict[str, dict[str, ModelRef]],  # by job kind, its models (wire.job_models)
        options: ClusterOptions | None = None,
        parent: QObject | None = None,
    ) -> None:
        def session(pool: WorkerPool, relay: PoolListener) -> ClusterSession:
            return ClusterSession(
                address, security, models, relay, self._post, options, self.remote_workers_changed.emit
            )

        super().__init__([], parent=parent, engine=session)
        self._posted.connect(self._run_posted, Qt.ConnectionType.QueuedConnection)

    @property
    def session(self) -> ClusterSession:
        return self._engine

    @property
    def address(self) -> str:
        return self._engine.address

    def add_worker(self, launch: Any) -> None:
        raise NotImplementedError("a cluster's workers are its nodes' (localclip node)")

    def _post(self, callback: Callable[[], None]) -> None:
        self._posted.emit(callback)

    def _run_posted(self, callback: Callable[[], None]) -> None:
        callback()
