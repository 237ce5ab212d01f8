from .graph import build_graph
from .state import AdvisorState

__all__ = ["AdvisorState", "build_graph"]
