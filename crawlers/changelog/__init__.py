"""Changelog segmentation: split a changelog or release-notes page into release entries.

Pure functions, no network: :func:`segment` sniffs HTML or Markdown/plain text, and
:func:`segment_markdown` / :func:`segment_html` do the work for each format.
"""

from crawlers.changelog.api import changes_of, segment, segment_html, segment_markdown
from crawlers.changelog.model import ChangelogEntry

__all__ = ["ChangelogEntry", "changes_of", "segment", "segment_html", "segment_markdown"]
