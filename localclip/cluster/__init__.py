"""Running LocalClip's jobs on a Dask distributed cluster of GPU machines (docs/cluster.md).

- ``wire``: what travels between the coordinator and a node, and the checks on what comes back (no Dask).
- ``host``: the node side inside each Dask worker: a warm LocalClip worker process behind the Qt-free
  driver, owned by a Dask ``WorkerPlugin``; the task function that runs a batch on it.
- ``node``: ``localclip node`` (one Dask worker per planned GPU) and ``localclip scheduler``.
- ``session``: the coordinator's connection (a Dask client): batches in, results and node news out.
- ``pool``: :class:`ClusterPool`, the cluster behind the worker pool's signals, for the runs (Qt Core).

The coordinator stays the single writer of stores and manifests: input audio travels with each batch
straight to the Dask worker that runs it, outputs come back to the coordinator, and nothing a node sends
is trusted.
"""
