"""What a run looks like while it runs: workers, rates, the log. No Qt."""
