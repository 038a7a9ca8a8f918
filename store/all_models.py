"""Imports every module that declares tables, so Base.metadata knows the whole schema
(Alembic's comparison, the test fixtures)."""
from store import models, models_channels, models_fees, models_observatory, models_service, models_shops  # noqa: F401
from store.models import Base

__all__ = ["Base"]
