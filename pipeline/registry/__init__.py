"""The model registry (MLflow): client (store, names, aliases), pyfunc (log, register, load)
and promotion (the not-worse gate)."""
