"""MLflow "models from code" for the pair scorer: MLflow runs this file to rebuild the pyfunc
wrapper instead of unpickling one (it is logged as code; nothing imports it)."""

import mlflow.models

from pipeline.registry.pyfunc import DuplicatesModel

mlflow.models.set_model(DuplicatesModel())
