"""MLflow "models from code" for the Router: MLflow runs this file to rebuild the pyfunc wrapper
instead of unpickling one (it is logged as code; nothing imports it)."""

import mlflow.models

from pipeline.registry.pyfunc import RouterModel

mlflow.models.set_model(RouterModel())
