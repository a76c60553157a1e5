"""This machine: GPUs through NVML and the worker plan. No Qt."""
