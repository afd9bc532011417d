"""Scrapy settings module (``scrapy.cfg`` points here), derived from Market Radar's settings.

Component order is data, as in Scrapy's own ``default_settings.py``.
"""

from __future__ import annotations

from typing import Any

from radar.settings import Settings


def scrapy_settings(radar: Settings) -> dict[str, Any]:
    """Translate Market Radar settings into Scrapy settings."""
    return {
        "BOT_NAME": "market-radar",
        "SPIDER_MODULES": ["crawlers.spiders"],
        "NEWSPIDER_MODULE": "crawlers.spiders",
        "USER_AGENT": radar["user_agent"].format(contact_url=radar["contact_url"]),
        "ROBOTSTXT_OBEY": radar["obey_robots"],
        "DOWNLOAD_TIMEOUT": radar["download_timeout"],
        "DOWNLOAD_MAXSIZE": radar["download_maxsize"],
        "DOWNLOAD_WARNSIZE": radar["download_warnsize"],
        "RETRY_TIMES": radar["retry_times"],
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "REDIRECT_MAX_TIMES": 5,
        "CONCURRENT_REQUESTS": radar["concurrent_requests"],
        "CONCURRENT_REQUESTS_PER_DOMAIN": radar["concurrent_requests_per_domain"],
        "DOWNLOAD_DELAY": radar["download_delay"],
        "AUTOTHROTTLE_ENABLED": radar["autothrottle"],
        "AUTOTHROTTLE_START_DELAY": max(radar["download_delay"], 0.5),
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(radar["concurrent_requests_per_domain"]),
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "WARN_ON_GENERATOR_RETURN_VALUE": False,  # re-reads callback source on every response
        "LOG_LEVEL": radar["log_level"],
        "DOWNLOADER_MIDDLEWARES": {
            "crawlers.middlewares.AddressGuardMiddleware": 40,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawlers.middlewares.RobotsTxtMiddleware": 100,
            "crawlers.middlewares.RetryAfterMiddleware": 560,
        },
        "ITEM_PIPELINES": {"crawlers.pipelines.StorePipeline": 300},
        "RADAR_SETTINGS": dict(radar),
    }


globals().update(scrapy_settings(Settings()))
