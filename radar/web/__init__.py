"""`radar serve`: the web UI and JSON API over the trend index (read-only, escapes everything).

from radar.web import create_app
app = create_app(settings)
"""

from radar.web.app import create_app

__all__ = ["create_app"]
