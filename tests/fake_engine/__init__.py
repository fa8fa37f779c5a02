"""A fake oVirt engine (SSO + REST API XML + imageio ranged GET) for tests and benchmarks."""

from .model import Step
from .server import FakeEngine, Recorded

__all__ = ["FakeEngine", "Recorded", "Step"]
