"""Extractive article summaries and one-line page-change summaries."""

from __future__ import annotations

from enrich.embed import HashEmbedder
from enrich.summary import article_summary, page_change_summary, split_sentences

ARTICLE = (
    "Acme launched Acme Vector, a hosted vector database, on Tuesday. "
    "The company was founded in 2019 in Lisbon. "
    "Acme Vector stores embeddings and answers similarity queries over embeddings in milliseconds. "
    "Pricing starts at $25 per month. "
    "Customers can query embeddings from the existing Acme dashboard."
)


def test_split_sentences_keeps_abbreviations_together() -> None:
    text = "Dr. Smith joined Acme Inc. in May. She leads the U.S. team.\n\nNew paragraph here."
    assert split_sentences(text) == [
        "Dr. Smith joined Acme Inc. in May.",
        "She leads the U.S. team.",
        "New paragraph here.",
    ]


def test_summary_is_the_lead_and_the_most_central_sentence() -> None:
    for embedder in (None, HashEmbedder()):
        summary = article_summary(ARTICLE, embedder)
        assert summary.startswith("Acme launched Acme Vector, a hosted vector database")
        assert split_sentences(summary)[1] == (
            "Acme Vector stores embeddings and answers similarity queries over embeddings "
            "in milliseconds."
        )


def test_short_texts_and_titles() -> None:
    assert article_summary("") == ""
    assert article_summary("One sentence only here.") == "One sentence only here."
    text = "Acme raises money. The round was led by Foo Capital. It values Acme at $1B."
    assert article_summary(text, title="Acme raises money").startswith("The round was led")


def test_page_change_summary_reads_a_price_change() -> None:
    page = "Plans\nPro\n$24 per member\nTeam\n$40 per member"
    assert (
        page_change_summary(["$24 per member"], ["$20 per member"], page)
        == "Pro: $20 → $24 per member"
    )
    assert (
        page_change_summary(["Pro: $24 per member / month"], ["Pro: $20 per member / month"])
        == "Pro: $20 → $24 per member / month"
    )
    two = page_change_summary(["Pro $24", "Team $45"], ["Pro $20", "Team $40"])
    assert two == "Pro: $20 → $24 (and 1 more price change)"


def test_page_change_summary_without_prices() -> None:
    assert page_change_summary(["SSO on every plan"], []) == "Added: SSO on every plan"
    assert page_change_summary([], ["Phone support", "Fax"]) == (
        "Removed: Phone support (+1 more line changed)"
    )
    assert page_change_summary(["Up to 10 projects"], ["Up to 5 projects"]) == (
        "Up to 10 projects (was: Up to 5 projects)"
    )
    assert page_change_summary([], []) == ""
