"""Estimators of lapor-router (scikit-learn compatible)."""
