"""The foundation of lapor-router: report schema, text, settings, errors, working days, files.

Imports nothing of ours; every other package builds on it."""
