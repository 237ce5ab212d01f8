"""A deliberately slow custom scorer, so a worker can be killed in the middle of a backlog."""

import time

from mlflow.entities import Feedback
from mlflow.genai.scorers import scorer


@scorer
def slow_check(inputs, outputs) -> Feedback:
    time.sleep(0.25)
    return Feedback(value=1.0, rationale="slow but fine")
