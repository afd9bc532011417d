"""A downloader middleware that spares Scrapy a charset guess on compressed bytes."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response, TextResponse


class CompressedBodyMiddleware:
    """Hand a compressed text response to ``HttpCompressionMiddleware`` as a plain ``Response``.

    That middleware builds the decompressed response with ``response.replace()``, which reads
    every attribute of the old one, ``encoding`` included; for a body without a declared
    charset (an RSS feed served as ``application/rss+xml``) that runs the charset detector over
    the gzip bytes, about a third of the CPU a feed costs, for a value it then discards. It
    chooses the response class again from the decompressed body, so nothing else changes.
    Runs just before it on the way in (priority 595 > 590).
    """

    def process_response(self, request: Request, response: Response) -> Response:
        if (
            isinstance(response, TextResponse)
            and request.method != "HEAD"
            and response.headers.get(b"Content-Encoding")
        ):
            return Response(**{name: getattr(response, name) for name in Response.attributes})
        return response
