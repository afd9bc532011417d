"""What the JSON API returns (and the pages render): one model per answer of the service layer."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Error(BaseModel):
    status: int
    error: str = Field(description="One readable line: what went wrong and what to do.")


class Label(BaseModel):
    id: str
    label: str


class ThemeRef(Label):
    score: float | None = None


class Bucket(BaseModel):
    start: str = Field(description="First day of the bucket (Monday of the week), ISO date.")
    count: int


class FacetValue(BaseModel):
    value: str
    label: str
    count: int
    selected: bool = False


class Hit(BaseModel):
    id: str
    score: float
    title: str
    snippet: str = Field(description="HTML-escaped text; only <mark>…</mark> tags are markup.")
    url: str
    kind: str
    source: str
    competitor: str | None = None
    published: str | None = None
    themes: list[Label] = []
    move_type: str | None = None
    mentions: list[str] = []
    event_id: str | None = None
    version: str | None = None


class SearchParams(BaseModel):
    q: str = ""
    mode: str = Field(
        default="", description="text, semantic or hybrid (in answers: the mode used)."
    )
    competitor: list[str] = []
    theme: list[str] = []
    move_type: list[str] = []
    kind: list[str] = []
    source: list[str] = []
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    limit: int = 20
    offset: int = 0


class SearchPage(BaseModel):
    query: SearchParams
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    histogram: list[Bucket] = Field(
        description="Matching dated items per week (words and filters)."
    )
    notes: list[str] = []


class Series(BaseModel):
    value: str
    label: str
    counts: list[int]
    total: int


class Trends(BaseModel):
    by: str
    interval: str
    since: str
    until: str
    buckets: list[str]
    series: list[Series]
    notes: list[str] = []  # e.g. a lagging index, named in one line


class RisingTheme(BaseModel):
    theme: str
    label: str
    count: int
    background: int
    expected: float
    score: float
    ratio: float | None = Field(description="count / expected; null when nothing was expected.")


class RisingTerm(BaseModel):
    term: str
    score: float
    count: int
    background: int


class Window(BaseModel):
    since: str
    until: str
    background_since: str
    background_until: str


class Rising(BaseModel):
    window: Window
    themes: list[RisingTheme]
    terms: list[RisingTerm]


class ThemeSummary(BaseModel):
    id: str
    kind: str
    label: str
    keywords: list[str]
    size: int
    this_week: int
    weekly_avg_before: float


class ItemRef(BaseModel):
    id: str
    title: str
    url: str
    source: str
    competitor: str | None = None
    published: str | None = None
    kind: str
    move_type: str | None = None
    change: str | None = Field(
        default=None, description="In a timeline: the change of this release the line stands for."
    )


class ChangeRef(BaseModel):
    text: str
    section: str | None = Field(default=None, description="The changelog's own category heading.")
    move_type: str | None = None
    importance: float = 0.0
    noise: bool = Field(default=False, description="A dependency bump, chore, docs, CI or test.")


class RelatedTheme(Label):
    count: int = Field(description="Items holding both themes.")


class ThemeDetail(ThemeSummary):
    status: str
    representatives: list[ItemRef]
    timeline: list[Bucket]
    related: list[RelatedTheme]
    competitors: list[FacetValue]


class MoveGroup(BaseModel):
    move_type: str
    label: str
    items: list[ItemRef]


class WeekMoves(BaseModel):
    week: str = Field(description="Monday of the week, ISO date; 'undated' for undated items.")
    total: int
    groups: list[MoveGroup]


class CompetitorSummary(BaseModel):
    name: str
    items: int


class CompetitorTimeline(BaseModel):
    name: str
    total: int
    shown: int
    histogram: list[Bucket]
    move_types: list[FacetValue]
    weeks: list[WeekMoves]


class DiffLine(BaseModel):
    op: str = Field(description="'+' added, '-' removed, ' ' unchanged, '@' a hunk header.")
    text: str


class Revision(BaseModel):
    replaced_at: str
    title: str
    body: str
    diff: list[DiffLine] = Field(
        description="From this revision to the next one (or the current text)."
    )


class ItemDetail(BaseModel):
    id: str
    source: str
    competitor: str | None = None
    kind: str
    title: str
    body: str
    url: str
    version: str | None = None
    published: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    language: str | None = None
    status: str
    removed_at: str | None = None
    themes: list[ThemeRef]
    move_type: str | None = None
    mentions: list[str]
    event_id: str | None = None
    other_sources: list[ItemRef]
    revisions: list[Revision]
    changes: list[ChangeRef] = []


class Source(BaseModel):
    id: str
    competitor: str | None = None
    type: str
    url: str
    state: str = Field(description="ok, failing, suspect or never (not crawled successfully yet).")
    last_attempt: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    consecutive_failures: int
    items_last: int | None = None
    counts: list[int]
    suspect: str | None = None


class DigestInfo(BaseModel):
    week: str
    formats: list[str]
    modified: str
    size: int


class DigestDetail(DigestInfo):
    markdown: str | None = Field(description="The Markdown digest, when archived.")
    html_url: str | None = Field(description="Where the HTML digest is served, when archived.")
