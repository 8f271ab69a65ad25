"""Waiting: when to poll next (a pure policy) and the loop that polls until a batch completes."""
