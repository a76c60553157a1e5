"""Worker processes through QProcess: start, feed, watch, restart, cancel, shut down."""
