"""The generic reader for any schema.org product page (placeholder, being written)."""
from spiders.marketplace import Marketplace
from spiders.page import ProductPage

MARKETPLACE = Marketplace(name="generic", domains=(), page=ProductPage)
