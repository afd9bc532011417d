"""Page watch: normalised visible text and line diffs."""

from __future__ import annotations

from crawlers.pagewatch import change_body, diff_lines, visible_text


def test_visible_text_drops_scripts_styles_and_collapses_whitespace() -> None:
    html = """<html><head><title>T</title><style>p {color: red}</style></head><body>
    <nav>Home</nav><main><h1>Pricing</h1><p>Pro   <b>$10</b>/mo</p><script>var x = 1;</script>
    <!-- a comment --><ul><li>SSO</li><li>Audit log</li></ul></main></body></html>"""
    assert visible_text(html) == "Home\nPricing\nPro $10/mo\nSSO\nAudit log"
    assert visible_text(html, selector="main") == "Pricing\nPro $10/mo\nSSO\nAudit log"
    assert visible_text(html, selector=".missing") == ""
    assert visible_text("") == ""


def test_diff_lists_added_and_removed_lines_in_page_order() -> None:
    old = "Plans\nPro $10/mo\nTeam $30/mo"
    new = "Plans\nPro $12/mo\nTeam $30/mo\nEnterprise: contact us"
    added, removed = diff_lines(old, new)
    assert added == ["Pro $12/mo", "Enterprise: contact us"]
    assert removed == ["Pro $10/mo"]
    assert (
        change_body(added, removed)
        == "Added:\n+ Pro $12/mo\n+ Enterprise: contact us\n\nRemoved:\n- Pro $10/mo"
    )
