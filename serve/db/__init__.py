"""The service's database: tables (SQLAlchemy models) and the engine with its migrations."""
