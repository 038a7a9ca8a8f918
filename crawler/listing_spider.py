"""The base of every marketplace spider: turns check targets into requests, responses into results.

Marketplace modules subclass it with two lines (`name`, `marketplace`); everything a spider
needs to know about a listing arrives as `CheckTarget`s from the crawl runner.
"""
from __future__ import annotations

import scrapy

from spiders.marketplace import Marketplace


class ListingSpider(scrapy.Spider):
    name = "listing"
    marketplace: Marketplace
