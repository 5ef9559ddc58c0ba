"""The ledger: every claim of the analysis under review, each with the check that decides its verdict.

One entry is one checkable statement, quoted from `shared/seed/000_6ea6f51534417dfe.txt`. Entries live
in one module per chapter of this package (`fixed_window_size.py`, `window_size_calculation.py`, ...),
each defining `CLAIMS`; this file collects them in the analysis' order and renders them.

Every entry has a basis:
- `computed`: `evaluate` runs the entry's check against the installed transformers in this build. The
  entry declares in `verdicts` every verdict its check can return; tests/site/test_claims.py drives the
  check to each of them by changing its input (config, grid, window size, a transformers function).
- `cited`: an outside source decides (statements about what trained weights do, which nothing here
  runs). The check returns a constant verdict and its evidence names the source with a link.

    python snippets/claims              # the whole ledger as a Markdown table
    python snippets/claims --json       # the same as JSON (the site publishes it as claims.json)
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

VERDICTS = ("confirmed", "partly true", "refuted", "unsupported")
BASES = ("computed", "cited")

# Section of the analysis -> the handbook page that tests it (relative to docs/).
SECTION_PAGES = {
    "1": "chapters/1-fixed-window-size.md",
    "2": "chapters/2-window-size-calculation.md",
    "3": "chapters/3-window-padding.md",
    "4": "chapters/4-spatial-merge.md",
    "5": "chapters/5-attention-windows.md",
    "6": "chapters/6-coordinate-prediction.md",
    "7": "chapters/7-optimal-image-sizes.md",
    "conclusion": "chapters/conclusion.md",
}
SECTION_TITLES = {
    "1": "Fixed window size",
    "2": "Window size calculation",
    "3": "Window padding",
    "4": "Spatial merge",
    "5": "Attention windows",
    "6": "Why coordinate prediction fails",
    "7": "Optimal image sizes",
    "conclusion": "Conclusion",
}


@dataclass(frozen=True)
class Result:
    verdict: str  # one of VERDICTS
    evidence: str  # Markdown: what the check computed, with its numbers


@dataclass(frozen=True)
class Claim:
    id: str  # stable, used as the HTML anchor claim-<id> and in claims.json
    section: str  # key of SECTION_PAGES
    claim: str  # the analysis' words (quoted, may be lightly trimmed with ...)
    check: Callable[[], Result]
    basis: str = "computed"  # one of BASES
    verdicts: tuple = ()  # computed: every verdict the check can return; cited: the one verdict it gives

    def __post_init__(self):
        if self.basis not in BASES:
            raise ValueError(f"{self.id}: basis {self.basis!r} is not one of {BASES}")
        if not self.verdicts or set(self.verdicts) - set(VERDICTS):
            raise ValueError(f"{self.id}: declare the verdicts its check can return (from {VERDICTS})")
        if self.basis == "computed" and len(self.verdicts) < 2:
            raise ValueError(f"{self.id}: a computed check that can give only one verdict decides nothing")
        if self.basis == "cited" and len(self.verdicts) != 1:
            raise ValueError(f"{self.id}: a cited verdict is one verdict, the source's")

    @property
    def page(self) -> str:
        return SECTION_PAGES[self.section]

    @property
    def anchor(self) -> str:
        return f"claim-{self.id}"


def _section_order(claim: Claim) -> int:
    return list(SECTION_PAGES).index(claim.section)


@functools.cache
def all_claims() -> tuple:
    """Every entry of every chapter module in this package, in the analysis' order."""
    found = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        found.extend(importlib.import_module(f"{__name__}.{module.name}").CLAIMS)
    ids = [claim.id for claim in found]
    duplicated = {i for i in ids if ids.count(i) > 1}
    if duplicated:
        raise ValueError(f"claim ids used twice: {sorted(duplicated)}")
    return tuple(sorted(found, key=_section_order))  # stable: keeps each module's own order


@functools.cache
def evaluate(claim: Claim) -> Result:
    result = claim.check()
    if result.verdict not in claim.verdicts:
        raise ValueError(f"{claim.id}: verdict {result.verdict!r} is not one it declares ({claim.verdicts})")
    if claim.basis == "cited" and "](https://" not in result.evidence:
        raise ValueError(f"{claim.id}: a cited verdict must name its source with a link")
    return result


def claims_in(section: str) -> list:
    return [claim for claim in all_claims() if claim.section == section]


def badge(verdict: str) -> str:
    """The verdict as text inside a styled span: colour helps, the word carries the meaning."""
    return f'<span class="verdict verdict-{verdict.replace(" ", "-")}">{verdict}</span>'


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


BASIS_LABELS = {"computed": "computed", "cited": "cited"}


def render_section(section: str) -> str:
    """The section's rows, for its own chapter page: each row carries the anchor claims.json links to.

    The last column is what the check computed for a computed claim, and the source for a cited one;
    the Basis column says which."""
    rows = ["| # | The analysis says | Verdict | Basis | Evidence |", "|---|---|---|---|---|"]
    for claim in claims_in(section):
        result = evaluate(claim)
        rows.append(
            f'| <span id="{claim.anchor}"></span>`{claim.id}` | “{_cell(claim.claim)}” '
            f"| {badge(result.verdict)} | {BASIS_LABELS[claim.basis]} | {_cell(result.evidence)} |"
        )
    if len(rows) == 2:
        raise LookupError(f"no claims registered for section {section!r}")
    return "\n".join(rows)


def page_url(page: str) -> str:
    """The built URL of a docs/ page, relative to the site root (MkDocs' directory URLs)."""
    return "" if page == "index.md" else page[: -len(".md")] + "/"


def render_all(from_page: str = "chapters/conclusion.md") -> str:
    """The whole ledger, each claim linking to its evidence (links relative to `from_page`'s built URL).

    Exec-fence output is not seen by MkDocs' link rewriting, so links point at built URLs, not at .md files.
    """
    prefix = "../" * page_url(from_page).count("/")
    rows = ["| Section | The analysis says | Verdict | Basis | Evidence |", "|---|---|---|---|---|"]
    for claim in all_claims():
        result = evaluate(claim)
        link = f"{prefix}{page_url(claim.page)}#{claim.anchor}"
        rows.append(
            f"| {claim.section}. {SECTION_TITLES[claim.section]} | “{_cell(claim.claim)}” "
            f"| {badge(result.verdict)} | {claim.basis} | [`{claim.id}`]({link}) |"
        )
    return "\n".join(rows)


def verdict_counts(basis: str = None) -> dict:
    counts = {verdict: 0 for verdict in VERDICTS}
    for claim in all_claims():
        if basis in (None, claim.basis):
            counts[evaluate(claim).verdict] += 1
    return counts


def as_records(site_url: str = "") -> list:
    """The ledger as plain records: id, section, claim, verdict, basis, evidence URL (and the evidence text)."""
    records = []
    for claim in all_claims():
        result = evaluate(claim)
        records.append(
            {
                "id": claim.id,
                "section": claim.section,
                "claim": claim.claim,
                "verdict": result.verdict,
                "basis": claim.basis,
                "evidence": f"{site_url}{page_url(claim.page)}#{claim.anchor}",
                "evidence_text": result.evidence,
            }
        )
    return records
