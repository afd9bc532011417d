"""Scrapy settings module (``scrapy.cfg`` points here), derived from Market Radar's settings.

Component order is data, as in Scrapy's own ``default_settings.py``. Our components read named
``RADAR_*`` settings in ``from_crawler``; the store is opened by the factory that
``RADAR_STORE_OPENER`` names (the application sets it; this module's default serves
``scrapy crawl radar`` from the repository root).
"""

from __future__ import annotations

from typing import Any

from radar.core.settings import Settings

# Only http(s) leaves the crawler: Scrapy's other download handlers are off.
DOWNLOAD_HANDLERS_OFF = {"file": None, "s3": None, "ftp": None, "data": None}
# Extensions a crawl does not need: no remote control (the telnet console and the HTTP endpoint
# that runs Python code, with its token file), no memory watcher, no feed export, no job state.
EXTENSIONS_OFF = {
    "scrapy.extensions.remote_control.RemoteControl": None,
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.memusage.MemoryUsage": None,
    "scrapy.extensions.memdebug.MemoryDebugger": None,
    "scrapy.extensions.feedexport.FeedExporter": None,
    "scrapy.extensions.spiderstate.SpiderState": None,
}


def scrapy_settings(radar: Settings) -> dict[str, Any]:
    """Translate Market Radar settings into Scrapy settings."""
    return {**_scrapy(radar), **_radar(radar), **_components()}


def _scrapy(radar: Settings) -> dict[str, Any]:
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
        "REMOTE_CONTROL_ENABLED": False,
        "MEMUSAGE_ENABLED": False,
        "WARN_ON_GENERATOR_RETURN_VALUE": False,  # re-reads callback source on every response
        # Items (or requests) of one response processed at once; Scrapy starts that many tasks
        # per response (default 100), and a response of ours yields a few at most.
        "CONCURRENT_ITEMS": 8,
        "LOG_LEVEL": radar["log_level"],
    }


def _radar(radar: Settings) -> dict[str, Any]:
    """The named settings our components read in ``from_crawler``."""
    return {
        "RADAR_ALLOW_PRIVATE_NETWORKS": radar["allow_private_networks"],
        "RADAR_RETRY_AFTER_MAX": float(radar["retry_after_max"]),
        "RADAR_DATA_DIR": str(radar.data_dir),
        "RADAR_BROKEN_DROP_RATIO": radar["broken_drop_ratio"],
        "RADAR_STORE_URL": radar["store_url"],  # a secret: Scrapy logs only its own settings
    }


def _components() -> dict[str, Any]:
    return {
        "DOWNLOAD_HANDLERS": DOWNLOAD_HANDLERS_OFF,
        "EXTENSIONS": EXTENSIONS_OFF,
        "TWISTED_DNS_RESOLVER": "crawlers.guard.GuardedResolver",
        "DOWNLOADER_MIDDLEWARES": {
            "crawlers.middlewares.AddressGuardMiddleware": 40,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawlers.middlewares.RobotsTxtMiddleware": 100,
            "crawlers.middlewares.RetryAfterMiddleware": 560,
            "crawlers.compression.CompressedBodyMiddleware": 595,  # before HttpCompression
        },
        "ITEM_PIPELINES": {"crawlers.pipelines.StorePipeline": 300},
    }


globals().update(scrapy_settings(Settings()))
RADAR_STORE_OPENER = "radar.store.open_crawl_store"
