"""MLflow models-from-code file: ``mlflow.pyfunc.log_model(python_model=<this file>, ...)`` logs the advisor.

MLflow copies this file into the model and runs it when the model is loaded; it only names the model object.
The work happens in :class:`pension_advisor.packaging.agent.PensionAdvisorAgent` (load_context reads the logged
config and rule tables), so the installed pension-advisor package must be importable where the model is served.
"""

import mlflow

from pension_advisor.packaging.agent import PensionAdvisorAgent

mlflow.models.set_model(PensionAdvisorAgent())
