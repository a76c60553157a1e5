"""Voice cloning: projects, the manifest and takes, text chunks, scheduling. No Qt."""
