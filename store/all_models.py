"""Imports every module that declares tables, so Base.metadata knows the whole schema
(Alembic's comparison, the test fixtures)."""
from store import (models, models_channels, models_daily, models_evidence, models_fees, models_observatory,  # noqa: F401
                   models_search, models_service, models_shops)
from store.models import Base

__all__ = ["Base"]
