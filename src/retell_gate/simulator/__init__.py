"""A local stand-in for Retell's test API over real HTTP, for the tests, the demo and the benchmarks.
Not used by the gate itself.
"""

from .server import Simulator

__all__ = ["Simulator"]
