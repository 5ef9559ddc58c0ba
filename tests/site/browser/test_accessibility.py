"""Accessibility basics on every page, read from the DOM Chromium renders, in both themes (each page is opened
once per theme for this module and its neighbours: handbook/browser.py, page_visit): one h1 and no skipped
heading level, every image and figure named for screen readers, verdict badges that say their verdict in
words. Colour in figures: tests/site/test_figure_colour.py."""

VERDICTS = {"confirmed", "partly true", "refuted", "unsupported"}

READ_PAGE = """() => {
  const article = document.querySelector('article.md-content__inner');
  const text = (el) => (el.textContent || '').replace(/\\u00b6/g, '').trim();
  return {
    headings: [...article.querySelectorAll('h1, h2, h3, h4, h5, h6')]
      .map((h) => [Number(h.tagName[1]), text(h)]),
    images: [...article.querySelectorAll('img')].map((img) => [img.getAttribute('src'), img.getAttribute('alt')]),
    figures: [...article.querySelectorAll('figure')].map((figure) => {
      const svg = figure.querySelector('svg');
      const img = figure.querySelector('img');
      const box = (svg || img || figure).getBoundingClientRect();
      return {
        name: svg ? svg.getAttribute('aria-label') : (img ? img.getAttribute('alt') : null),
        role: svg ? svg.getAttribute('role') : 'img',
        title: svg && svg.querySelector('title') ? text(svg.querySelector('title')) : null,
        width: box.width, height: box.height,
      };
    }),
    badges: [...article.querySelectorAll('.verdict')].map((b) => [b.className, text(b),
      getComputedStyle(b).borderTopStyle]),
  };
}"""


def heading_problems(headings) -> list:
    """Exactly one h1, first; each heading at most one level deeper than the one before; none empty."""
    levels = [level for level, _ in headings]
    out = []
    if levels.count(1) != 1 or not levels or levels[0] != 1:
        out.append(f"expected exactly one h1, first: levels {levels}")
    for (before, _), (level, title) in zip(headings, headings[1:]):
        if level > before + 1:
            out.append(f"h{before} followed by h{level} ({title!r}): a level is skipped")
    out += [f"empty h{level}" for level, title in headings if not title]
    return out


def test_heading_rule_catches_skips_and_extra_h1():
    assert heading_problems([(1, "a"), (2, "b"), (3, "c"), (2, "d")]) == []
    assert heading_problems([(1, "a"), (3, "c")])
    assert heading_problems([(1, "a"), (2, "b"), (1, "again")])
    assert heading_problems([(2, "no h1")])


def test_page_accessibility_basics(page_visit):
    assert page_visit.status == 200
    found = page_visit.page.evaluate(READ_PAGE)

    assert not heading_problems(found["headings"]), heading_problems(found["headings"])

    unnamed = [src for src, alt in found["images"] if not (alt or "").strip()]
    assert not unnamed, f"images without alt text: {unnamed}"
    for number, figure in enumerate(found["figures"], 1):
        name = (figure["name"] or "").strip()
        assert figure["role"] == "img" and len(name) >= 20, f"figure {number}: no real alt text ({name!r})"
        assert figure["title"] in (None, name), f"figure {number}: <title> differs from its alt text"
        assert figure["width"] > 50 and figure["height"] > 50, f"figure {number} did not render"

    for classes, word, border in found["badges"]:
        assert word in VERDICTS, f"verdict badge without its verdict in words: {classes!r} says {word!r}"
        assert f"verdict-{word.replace(' ', '-')}" in classes.split(), f"badge {word!r} styled as {classes!r}"
        assert border not in ("none", "hidden"), f"badge {word!r}: colour is its only styling"
