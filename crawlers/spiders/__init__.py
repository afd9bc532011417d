"""Scrapy spiders: one spider, ``radar``, crawls every configured source."""
