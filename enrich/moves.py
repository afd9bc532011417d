"""Move type of a competitor item: launch, pricing, deprecation, security... (see MOVE_TYPES).

Rules first: weighted patterns (conventional-commit prefixes, keywords in English and a few
German, French and Spanish words) add evidence for a move type; a match in the title counts
twice. When the evidence ties, the move's priority decides (security > deprecation > pricing >
company > integration > performance > fix > launch > improvement > other). With an embedder,
similarity to prototype sentences for each move type is blended in, which helps items that use
no known word. Pure functions; the classifier holds only the embedded prototypes.
"""

from __future__ import annotations

import re

import numpy as np

from enrich.base import MOVE_TYPES, Embedder, Vectors
from enrich.embed import item_text
from enrich.regex_gate import PatternSet

__all__ = ["MoveClassifier", "classify_move", "rule_scores"]

PRIORITY = (
    "security", "deprecation", "pricing", "company", "integration",
    "performance", "fix", "launch", "improvement", "other",
)  # fmt: skip
TITLE_WEIGHT = 2.0
FALLBACK = "improvement"  # a changelog line with no known word most often improves something

_CC = re.compile(r"^\s*(?P<type>[a-z]+)(?:\((?P<scope>[^)]*)\))?(?P<bang>!)?:\s", re.I)
_CC_TYPES = {
    "feat": "launch", "feature": "launch", "fix": "fix", "bugfix": "fix", "hotfix": "fix",
    "perf": "performance", "security": "security", "sec": "security",
    "docs": "other", "doc": "other", "chore": "other", "ci": "other", "test": "other",
    "tests": "other", "style": "other", "refactor": "other", "build": "other", "revert": "other",
}  # fmt: skip
_CC_WEIGHT = 4.0

# (move, weight, pattern); patterns are case-insensitive and matched once per field.
_RULES: list[tuple[str, float, str]] = [
    ("security", 4.0, r"\bCVE-\d{4}-\d+|\bGHSA-\w+"),
    (
        "security",
        3.0,
        r"vulnerab\w*|\bsecurity (?:fix|patch|release|update|advisory|issue)\w*|advisory",
    ),
    (
        "security",
        3.0,
        r"\b(?:XSS|CSRF|SSRF|RCE)\b|(?:sql|command|code) injection|privilege escalation|side[- ]channel",
    ),
    (
        "security",
        2.5,
        r"\bsecurity\b|\bexploit\w*|attacker|unauthori[sz]ed|\bbreach\w*|bug bounty|penetration test|pentest",
    ),
    (
        "security",
        2.5,
        r"\bSOC ?2\b|ISO ?27001|\b2FA\b|\bMFA\b|two-factor|sanitis\w*|sanitiz\w*|\bmasked\b|tamper\w*",
    ),
    (
        "security",
        2.5,
        r"sicherheit\w*|schwachstelle\w*|sécurité|seguridad|vulnerabilidad\w*|injection sql",
    ),
    (
        "security",
        1.0,
        r"\bTLS\b|certificat\w*|\bFIPS\b|\bpermissions?\b|disallow\w*|\bauthenticat\w*|\bsecrets?\b|\btokens?\b",
    ),
    (
        "security",
        1.5,
        r"encrypt\w*|password\w*|credentials?\b|signing keys?|signed\b|rotat(?:e|ed) (?:keys|tokens|secrets)",
    ),
    ("deprecation", 4.0, r"BREAKING[ -]CHANGE|\bbreaking\b"),
    (
        "deprecation",
        3.0,
        r"deprecat\w*|end[- ]of[- ](?:life|support)|\bEOL\b|sunset\w*|\bretir(?:e|ed|ing)\b|phas(?:e|ing) out",
    ),
    (
        "deprecation",
        3.0,
        r"(?:drop(?:s|ped)?|remov(?:e|es|ed)|end(?:s|ed)?) support|no longer (?:be )?(?:supported|accepted|available)|will be (?:removed|switched off|turned off)|switched off",
    ),
    (
        "deprecation",
        3.0,
        r"veraltet|nicht mehr unterstützt|fin du support|obsolète|obsoleto|ya no (?:es compatible|se admite)",
    ),
    (
        "deprecation",
        2.0,
        r"\brenam(?:e|es|ed)\b|replaced (?:by|with)|not supported anymore|\bdrop(?:s|ped)?\b|\bremoves?\b",
    ),
    (
        "deprecation",
        2.0,
        r"\bremoved\b|\bis gone\b|\bgoodbye\b|read-only|in favou?r of|maintenance mode|migrat(?:e|ion) to",
    ),
    (
        "pricing",
        3.0,
        r"pric(?:e|es|ed|ing)\b|\bplans?\b.{0,40}\b(?:per|\$|€)|free (?:plan|tier)|\bper (?:user|seat|host|member)\b|add-on|packaging",
    ),
    (
        "pricing",
        2.5,
        r"\bbill(?:ed|ing)\b|discount\w*|cheaper|overage|\bseats?\b|\btiers?\b|\beditions?\b|\bcredits?\b|/month|per month|GB-month",
    ),
    ("pricing", 2.5, r"preis\w*|\bprix\b|tarif\w*|precio\w*|cuesta|kostet|\bcoûte\b"),
    ("pricing", 1.0, r"[$€£]\s?\d|\d\s?[$€£]|\bplans?\b|\bincluded\b|no extra cost|\bfree\b"),
    (
        "company",
        4.0,
        r"\braise[sd]?\b.{0,30}(?:\$|€|£|\d+\s?m\b)|series [a-f]\b|seed round|\bvaluation\b|\bIPO\b|public offering",
    ),
    (
        "company",
        3.5,
        r"acqui(?:re|res|red|ring|sition)\w*|\bmerger\b|\bmerge[sd]? with\b|übernimmt|übernahme|rachète|rachat|adquiere|adquisición",
    ),
    (
        "company",
        3.0,
        r"\b(?:CEO|CTO|CFO|COO|CRO|CMO|CPO)\b|chief \w+ officer|board of directors|board member|\bappoint\w*|leadership|co-?founder",
    ),
    (
        "company",
        3.0,
        r"(?:new|first) office|remote-first|company name|rebrand\w*|layoffs?|our colleagues|\d+,?000 customers|part of \w+ group|ronda|levée de fonds|finanzierung\w*",
    ),
    (
        "integration",
        3.0,
        r"integrat\w*|partner(?:ship|s)?\b|connector\w*|marketplace|plug-?in\b|\bprovider\b|\boperator\b|new data source",
    ),
    (
        "integration",
        2.0,
        r"\bsync(?:s|ed)? (?:to|with|into|from)\b|\bconnect (?:your|to)\b|\bimport from\b|\bapp for\b|\bchannel\b",
    ),
    (
        "integration",
        1.5,
        r"\b(?:slack|jira|github|gitlab|zapier|salesforce|hubspot|quickbooks|xero|google sheets|microsoft teams|teams|whatsapp|pagerduty|snowflake|bigquery|vercel|stripe|terraform|kubernetes|aws|azure|gcp|okta)\b",
    ),
    ("integration", 2.5, r"intégration|integración|anbindung"),
    (
        "performance",
        3.0,
        r"\d+(?:\.\d+)?\s?x (?:faster|quicker)|\bfaster\b|\bquicker\b|latency|\bp9\d\b|\bperformance\b|\bperf\b|\bspeed(?:s|ed)? up\b",
    ),
    (
        "performance",
        3.0,
        r"less memory|memory (?:use|usage|footprint)|\buptime\b|\bSLA\b|high availability|failover|reliab\w*|throughput|cold starts?|backpressure|replication lag",
    ),
    (
        "performance",
        2.5,
        r"schneller|leistung\w*|plus rapides?|más rápid\w*|rendimiento|optimi[sz]\w*|scal(?:ed|es|ing) (?:out|up)|in parallel|load(?:s|ing)? (?:time|faster)|\bcach(?:e|es|ing)\b",
    ),
    (
        "performance",
        2.0,
        r"efficien\w*|\bCPU\b|\bspeed\b|unnecessary|\bavoid\w* (?:a |an )?(?:copy|copies|allocations?|work)|allocations?\b|\breduc(?:e|es|ed|ing)\b|\blower(?:s|ed)?\b|\bslow\w*",
    ),
    (
        "fix",
        2.5,
        r"\bfix(?:es|ed)?\b|\bbugs?\b|hotfix|\bresolv(?:e|es|ed)\b|\bcrash\w*|regression|issue (?:where|with|that)|behoben|corrigé|correctif|correcci\w*|se corrigió|\bcorrected\b",
    ),
    (
        "fix",
        1.5,
        r"no longer\b|\bwrong\b|\bincorrect\w*|\bbroken\b|failed\b|fails?\b|\bleak\w*|\bpatch release\b|stability",
    ),
    (
        "fix",
        1.5,
        r"\bincorrectly\b|\bcould (?:fail|crash|cause|prevent|hang|lead|return|not|be)\b|had no effect|\berroneous\w*|\bunexpected\w*|\bprevent\w*|\bhandle\b|\bdon'?t\b|\bwasn'?t\b|\bwere not\b|\bwas not\b|\binstead of\b",
    ),
    (
        "launch",
        2.5,
        r"introduc\w*|\blaunch\w*|\bannounc\w*|generally available|\bGA\b|now available|available today|\bmeet\b|say hello|(?:is|are) here\b|lanzamos|\bneu\b|nouveau|nouvelle|nuevo|nueva",
    ),
    (
        "launch",
        2.5,
        r"^\s*(?:add|adds|added|allow|allows|support|supports|implement\w*|expose[sd]?|enable[sd]?)\b",
    ),
    (
        "launch",
        2.0,
        r"\bnew\b|\bbeta\b|\bpreview\b|\badd(?:s|ed)?\b|you can now|now supports?|\bcan now\b",
    ),
    (
        "improvement",
        2.0,
        r"improv\w*|\bbetter\b|enhanc\w*|\bupdated?\b|redesign\w*|refresh\w*|\beasier\b|smarter|clearer|more flexible|\bUX\b|verbesser\w*|amélior\w*|mejora\w*",
    ),
    (
        "improvement",
        1.0,
        r"\bnow (?:shows?|accepts?|matches|remembers|supports|includes|uses)\b|\bcan now\b|bulk|shortcuts?",
    ),
    (
        "other",
        3.0,
        r"\bdocs?\b|documentation|dokumentation|\btypos?\b|translations?|übersetzung\w*|webinar|community call|customer story|join us|meetup|conference|\bbooth\b|survey|no user-facing|internal change|\btutorial\b|recording",
    ),
    ("other", 1.5, r"\bchore\b|\brefactor\w*|\bdev dependencies\b|status page|how we\b|look back"),
]
_COMPILED = PatternSet([pattern for _, _, pattern in _RULES], re.I)

# Prototype sentences per move type for the embedding step (written for this module).
PROTOTYPES: dict[str, list[str]] = {
    "launch": [
        "Introducing a brand new feature",
        "Now available: a new product for teams",
        "We launched a new app",
        "New: you can now create something you could not before",
        "Beta release of a new capability",
    ],
    "improvement": [
        "Improved the existing screen so it is easier to use",
        "Better search results and a cleaner layout",
        "Enhancements to an existing feature",
        "The editor was redesigned and is more flexible",
        "Small quality-of-life updates to the interface",
    ],
    "pricing": [
        "Price change for our plans",
        "A new cheaper tier and changes to the free plan",
        "Billing now charges per usage instead of per seat",
        "This feature moves to a different plan",
        "Discount on paid plans",
    ],
    "deprecation": [
        "Deprecated and will be removed in the next major version",
        "Breaking change: the old API no longer works",
        "End of life for an old version",
        "Support for an old platform is dropped",
        "We are retiring the legacy product",
    ],
    "security": [
        "Security fix for a vulnerability",
        "Patched a CVE, please upgrade",
        "Security incident and unauthorised access",
        "Security certification audit report",
        "Harden account protection against attackers",
    ],
    "integration": [
        "New integration with a popular third-party tool",
        "Partnership with another company",
        "Connect your account to another service",
        "New connector syncs data to an external app",
        "Available on a cloud marketplace",
    ],
    "company": [
        "The company raised a funding round from investors",
        "We were acquired by a larger company",
        "A new chief executive joins the leadership team",
        "We are opening a new office",
        "Company milestone and news about our team",
    ],
    "performance": [
        "Twice as fast, lower latency",
        "Reduced memory use and quicker load times",
        "Improved reliability and uptime",
        "Scales to much more traffic",
        "Faster builds and queries",
    ],
    "fix": [
        "Bug fixes",
        "Fixed a crash when something happens",
        "Resolved an issue where a value was wrong",
        "Patch release fixing a regression",
        "Corrected a broken behaviour",
    ],
    "other": [
        "Documentation update",
        "Internal maintenance with no user-facing changes",
        "Join our webinar or meet us at a conference",
        "A customer story and a blog post about our team's process",
        "Updated translations and typo fixes",
    ],
}


def conventional_commit(title: str) -> tuple[str | None, bool]:
    """Move type named by a conventional-commit prefix (``feat:``, ``fix(scope)!:``) and the ``!``."""
    match = _CC.match(title)
    if not match:
        return None, False
    kind, scope = match.group("type").lower(), (match.group("scope") or "").lower()
    move = "security" if "security" in scope else _CC_TYPES.get(kind)
    return move, bool(match.group("bang"))


def rule_scores(title: str, body: str) -> dict[str, float]:
    """Evidence per move type from the rules; a match in the title counts twice."""
    scores = dict.fromkeys(MOVE_TYPES, 0.0)
    move, bang = conventional_commit(title)
    if move:
        scores[move] += _CC_WEIGHT * TITLE_WEIGHT
    if bang:
        scores["deprecation"] += _CC_WEIGHT * TITLE_WEIGHT
    for text, factor in ((title, TITLE_WEIGHT), (body, 1.0)):
        if not text:
            continue
        for index in _COMPILED.matching(text):
            move_type, weight, _ = _RULES[index]
            scores[move_type] += weight * factor
    return scores


def _decide(scores: dict[str, float]) -> tuple[str, float]:
    total = sum(scores.values())
    if total <= 0:
        return FALLBACK, 0.2
    best = max(PRIORITY, key=lambda m: (scores[m], -PRIORITY.index(m)))
    return best, round(min(0.99, scores[best] / total), 3)


def classify_move(title: str, body: str) -> tuple[str, float]:
    """Rules only, for one item: (move type, confidence in 0..1)."""
    return _decide(rule_scores(title, body))


class MoveClassifier:
    """Rules, blended with embedding prototypes when an ``embedder`` is given.

    The rule evidence becomes a distribution (its share of the total evidence); the prototype
    similarities become one with a softmax at ``temperature``; the two are mixed with
    ``rule_weight`` for the rules. Without any rule evidence, the prototypes decide.
    """

    def __init__(
        self, embedder: Embedder | None = None, rule_weight: float = 0.75, temperature: float = 0.05
    ):
        self.embedder = embedder
        self.rule_weight = rule_weight
        self.temperature = temperature
        self._prototypes: Vectors | None = None
        self._owner = np.asarray(
            [MOVE_TYPES.index(m) for m, texts in PROTOTYPES.items() for _ in texts]
        )

    def _prototype_vectors(self) -> Vectors:
        if self._prototypes is None:
            assert self.embedder is not None
            self._prototypes = self.embedder.embed(
                [t for texts in PROTOTYPES.values() for t in texts]
            )
        return self._prototypes

    def prototype_probabilities(self, vectors: Vectors) -> np.ndarray:
        """(n, len(MOVE_TYPES)): softmax over each move type's best prototype similarity."""
        sims = np.asarray(vectors, dtype=np.float32) @ self._prototype_vectors().T
        best = np.full((sims.shape[0], len(MOVE_TYPES)), -1.0, dtype=np.float32)
        for col in range(len(MOVE_TYPES)):
            mine = self._owner == col
            if mine.any():
                best[:, col] = sims[:, mine].max(axis=1)
        logits = (best - best.max(axis=1, keepdims=True)) / self.temperature
        probs = np.exp(logits)
        return probs / probs.sum(axis=1, keepdims=True)

    def classify(
        self, titles: list[str], bodies: list[str], vectors: Vectors | None = None
    ) -> list[tuple[str, float]]:
        if len(titles) != len(bodies):
            raise ValueError(f"{len(titles)} titles but {len(bodies)} bodies")
        rules = [rule_scores(t, b) for t, b in zip(titles, bodies, strict=True)]
        if self.embedder is None or not titles:
            return [_decide(r) for r in rules]
        if vectors is None:
            vectors = self.embedder.embed(
                [item_text(t, b) for t, b in zip(titles, bodies, strict=True)]
            )
        protos = self.prototype_probabilities(vectors)
        return [self._blend(r, p) for r, p in zip(rules, protos, strict=True)]

    def _blend(self, rules: dict[str, float], protos: np.ndarray) -> tuple[str, float]:
        evidence = np.asarray([rules[m] for m in MOVE_TYPES], dtype=np.float64)
        if evidence.sum() > 0:
            mixed = self.rule_weight * evidence / evidence.sum() + (1 - self.rule_weight) * protos
        else:
            mixed = protos.astype(np.float64)
        best = max(
            range(len(MOVE_TYPES)),
            key=lambda c: (round(mixed[c], 9), -PRIORITY.index(MOVE_TYPES[c])),
        )
        return MOVE_TYPES[best], round(float(min(0.99, mixed[best])), 3)
