"""Settings: one pydantic-settings class, environment prefix ``LAPOR_``.

Nothing here touches the disk at import; directories are created by :meth:`Settings.ensure_dirs`
when a command actually needs them.
"""

from __future__ import annotations

import secrets
import tempfile
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import LaporError


class Settings(BaseSettings):
    """Where lapor-router keeps what it writes, and the knobs shared by every stage."""

    model_config = SettingsConfigDict(env_prefix="LAPOR_", env_file=".env", extra="ignore")

    home: Path = Field(
        default=Path(".lapor"),
        description="Everything the system writes: store, MLflow, caches.",
    )
    mlflow_tracking_uri: str | None = Field(
        default=None, description="Overrides the SQLite tracking store under home."
    )
    registered_model_name: str = "lapor-router"
    random_seed: int = 42
    promote_tolerance: float = Field(
        default=0.005,
        description="A challenger may trail the champion by this much and still pass.",
    )
    import_issue_limit: int = Field(
        default=1_000, description="Bad rows listed individually; the rest are only counted."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the service's store (e.g. postgresql+psycopg://...); "
        "default: SQLite under home.",
    )
    secret_key: str | None = Field(
        default=None, description="Signs UI login sessions; default: a random key kept under home."
    )
    session_hours: int = Field(default=12, description="A UI login lasts this long.")
    login_failures_per_user: int = Field(
        default=10,
        ge=1,
        description="Wrong passwords for one user name from one client address within the "
        "login window before that address's further tries at the name get 429 until the oldest "
        "failure leaves the window (other addresses, the real user's, are not blocked).",
    )
    login_failures_per_user_everywhere: int = Field(
        default=100,
        ge=1,
        description="Wrong passwords for one user name from all addresses together within the "
        "login window; past it, an address that already failed at the name gets 429, while an "
        "address that has not (the real user's new one) still gets its try.",
    )
    login_failures_per_address: int = Field(
        default=30,
        ge=1,
        description="Wrong passwords from one client address within the login window (any user "
        "names) before that address gets 429.",
    )
    login_throttled_delay_seconds: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="How long a throttled login waits before its 429 (costing the server no "
        "CPU): a flood of wrong passwords then sends a request a second per connection instead "
        "of hundreds, and everyone else's requests keep their speed.",
    )
    login_window_minutes: int = Field(
        default=15, ge=1, description="The window login failures are counted in."
    )
    login_hashes_at_once: int = Field(
        default=2,
        ge=1,
        description="Password checks run at the same time (each Argon2 check takes 64 MiB and a "
        "core); a login that waits over 5 s for a turn gets 429.",
    )
    metrics_open: bool = Field(
        default=False,
        description="Serve /api/v1/metrics without an API key (for a Prometheus scraper inside "
        "a trusted network); by default it needs a staff key like the rest of the API.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Addresses (or networks, comma-separated) of the reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed; from any other client these "
        "headers are ignored, so a client cannot choose the address the login throttle counts. "
        "Empty (the default): trust no one.",
    )
    session_cookie_secure: bool = Field(
        default=False,
        description="Send the session cookie over HTTPS only: turn on when the service is "
        "served over HTTPS (behind a TLS proxy, say).",
    )
    batch_limit: int = Field(default=1_000, description="Most reports in one classify batch.")
    catalogue_check_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often the service looks for a catalogue changed outside it (`lapor "
        "deployment init --force`, another worker's edit) and serves the changed one.",
    )
    timezone: str | None = Field(
        default=None,
        description="The deployment's time zone (WIB, WITA, WIT); default: its province's.",
    )
    store_min_free_mb: int = Field(
        default=64,
        ge=0,
        description="With SQLite, /ready answers 503 when the store's disk has less free space "
        "than this (MiB), before writes start failing.",
    )
    log_level: str = "INFO"
    argon2_time_cost: int = Field(
        default=3, ge=1, description="Argon2id passes per password hash (RFC 9106's default)."
    )
    argon2_memory_kib: int = Field(
        default=65_536,
        ge=32,
        description="Argon2id memory per password hash in KiB (RFC 9106's default: 64 MiB). "
        "Lower only for tests.",
    )
    encoder_cache: Path | None = Field(
        default=None,
        description="Folder of prepared transformer encoders (default: encoders under home); "
        "several homes can share one.",
    )
    vectorizer: dict[str, bool | int | float | tuple[int, int] | None] = Field(
        default_factory=dict,
        description="Options of the TF-IDF vectorizer of the models `lapor train` and `lapor "
        'retrain` fit, e.g. {"max_char_features": 50000} on a machine short of memory (empty: '
        "the defaults, which every quality figure was measured with).",
    )
    drift_thresholds: dict[str, float] = Field(
        default_factory=lambda: {
            "label_shift": 0.25,
            "confidence_drop": 0.10,
            "review_increase": 0.15,
            "oov_increase": 0.10,
        },
        description="Past these, `lapor drift` warns (and /ready says so): Jensen-Shannon "
        "distance of predicted labels, drop of mean confidence, rise of the review share, "
        "rise of the unknown-word share.",
    )

    @property
    def drift_report(self) -> Path:
        """The last `lapor drift` result, read by the service's /ready."""
        return self.home / "drift.json"

    @property
    def encoder_dir(self) -> Path:
        """Where `lapor models prepare-encoder` writes the transformers model directories."""
        return self.encoder_cache or self.home / "encoders"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def mlflow_dir(self) -> Path:
        return self.home / "mlflow"

    @property
    def tracking_uri(self) -> str:
        """MLflow tracking URI: the override, else a SQLite database under home."""
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        return f"sqlite:///{(self.mlflow_dir / 'mlflow.db').resolve()}"

    @property
    def store_url(self) -> str:
        """The service's database: the override, else SQLite under home."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'store' / 'lapor.db').resolve()}"

    def session_secret(self) -> str:
        """The configured secret, else one generated once and kept (owner-only) under home."""
        if self.secret_key:
            return self.secret_key
        path = self.home / "secret_key"
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        return path.read_text(encoding="utf-8").strip()

    @property
    def artifact_location(self) -> str:
        return (self.mlflow_dir / "artifacts").resolve().as_uri()

    def ensure_dirs(self) -> None:
        """Create the folders under home, private to their owner (0700: the store, MLflow's
        database and artifacts hold reports), and check that home takes a file; called by
        commands, never at import. LaporError in one sentence where it cannot be written."""
        try:
            for folder in (self.home, self.cache_dir, self.mlflow_dir):
                folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
                folder.chmod(PRIVATE_DIR)
            with tempfile.TemporaryFile(dir=self.home):
                pass
        except OSError as exc:
            raise LaporError(
                f"LAPOR_HOME {self.home} cannot be written ({exc.strerror or exc}): "
                "make it writable or point LAPOR_HOME at a folder that is"
            ) from None


PRIVATE_DIR = 0o700
PRIVATE_UMASK = 0o077
"""Files the ``lapor`` commands create are their owner's alone (0600, folders 0700)."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache after changing the environment)."""
    return Settings()
