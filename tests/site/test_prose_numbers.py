"""Every number in the prose of every page is accounted for, or this test fails.

Prose is the Markdown source of a page with its code fences taken out (fences at any indentation,
executed or not: what a fence shows is code, or output the build computes). HTML tags and link targets
are taken out too (an address is not a statement). Code spans stay in: `pad_h = 4 - ...` or
`256*28*28` state numbers to a reader as plainly as a sentence does, and a hand-typed number in one can
go stale like any other.

A number is a run of digits (with dots: 4.52.4, 2.5) not glued to a letter, digit, underscore or dot
before it, so the digits of names (`Qwen2.5-VL`, `qwen2_5_vl`, `h100`) are not numbers; "84x84" is two
numbers. Each number must fall into one of these classes, checked in this order:

1. REGISTRY: a per-page entry (a pattern around the number, in its words) names a function that
   recomputes the number from transformers, the snippets or their data files; the test compares. An
   entry whose pattern no longer matches the page fails too (the registry cannot go stale).
2. Fence output of the same section: the number appears in the built output (read from site/) of an
   executed fence in the same section of the page (between two headings; a page's opening paragraphs
   before its first `##` heading count as one section with the page's verdict table, which they
   summarise). A section's prose reads the tables next to it. This class shows that the number is
   one the build computed there, not that the sentence uses it rightly; sentences that derive
   something from numbers have REGISTRY entries instead.
3. Quote of the analysis: inside a `!!! quote "The analysis..."` block, a number must appear in the
   ledger's own quotes of the analysis (`claims.all_claims()`), so the page and the ledger quote the same
   words.
   The same holds for a quotation of the analysis in running text ("line 442"): the quoted words must
   be in the ledger's quotes. The two image sizes the analysis works with (its "84x84 image" and
   "476x476 image", read from the ledger's quotes) are subjects, not results, wherever they appear
   as a size (NxN, or N px).
4. Cited: inside a `!!! info "Cited, not measured"` block, in a sentence that links an outside source
   (`](https://...)`), and any `#N` issue number or arXiv id: the source is linked right there; the
   site cannot recompute another party's number.
5. Structure: a heading's chapter number, the section number in the title of a chapter's quote of
   the analysis, and a link text that ends in a chapter number must match the chapter page's file
   name (checked); the marker of an ordered list item is markup. The `-100` of the window code is
   accepted where the installed `F.pad` call passes -100 (checked against the installed source).
6. Versions: a prefix of the installed transformers or torch version, or of the 4.52.4 release the
   analysis read, which the build installs (both pinned in requirements*.lock).
7. Link parameters: a number in the text of a calculator link whose address sets that same value
   (the link reproduces what its text says).

TEMPORARY_UNCHECKED lists pages another helper is rewriting right now; the lead empties it at
integration, after which those pages are held to the same rules.
"""

import functools
import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import torch
import transformers
from transformers import Qwen2_5_VLVisionConfig

from handbook.paths import DOCS, ROOT, SITE
from handbook.snippets import load

# Pages being rewritten by another helper while this test was written: the lead empties this list at
# integration. Nothing else may be added here.
TEMPORARY_UNCHECKED = {}

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})(?P<info>[^\n]*)\n.*?^(?P=indent)(?P=ticks)[ \t]*$", re.M | re.S
)
NUMBER = re.compile(r"(?<![A-Za-z0-9_.\\])\d+(?:\.\d+)*(?![\d_])")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$", re.M)


# What the registry recomputes from.


@functools.cache
def config():
    return Qwen2_5_VLVisionConfig()


def patch():
    return config().patch_size


def token_px():
    return config().patch_size * config().spatial_merge_size


def window_px():
    return config().window_size


def window_patches():
    return config().window_size // config().patch_size


def window_tokens():
    return config().window_size // config().patch_size // config().spatial_merge_size


def released_values():
    data = json.loads((ROOT / "snippets/data/released_vision_configs.json").read_text())["checkpoints"]
    values = {(c["patch_size"], c["spatial_merge_size"], c["window_size"]) for c in data.values()}
    assert len(values) == 1
    return values.pop()


def first_release_with_free_function():
    import csv

    with (ROOT / "snippets/data/transformers_window_code_lines.tsv").open() as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    first = next(i for i, row in enumerate(rows) if row["file"].endswith("vision_utils.py"))
    last_method = rows[first - 1]
    # "5.5.0-5.8.0 identical": the last release of the method is named in the note of the row before.
    last = re.search(r"-(\d+\.\d+)\.\d+ identical", last_method["note"]).group(1)
    return ".".join(rows[first]["version"].split(".")[:2]), last


def resized_side(side):
    from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

    return smart_resize(side, side, factor=token_px(), min_pixels=56 * 56, max_pixels=28 * 28 * 1280)[0]


def token_budget():
    from handbook.snippets import load

    tb = load("optimal_image_sizes/token_budget")

    ratio = 16
    assert all(max(h, w) / min(h, w) <= ratio for h in tb.SIDES for w in tb.SIDES if max(h, w) / min(h, w) <= ratio)
    return tb.SIDES[0], tb.SIDES[-1], ratio


def min_pixels_tokens():
    gc = load("coordinate_prediction/recipe")

    return gc.MIN_PIXELS // token_px() ** 2, token_px(), token_px(), gc.MIN_PIXELS // token_px() ** 2


def conclusion_476():
    from handbook.snippets import load

    layout = load("optimal_image_sizes/sweep").layout

    r = layout(476, 476)
    partial = sum(n != max(r["per_window"]) for n in r["per_window"])
    grid = r["resized"][0] // patch()
    return grid, grid, grid // 2, grid // 2, r["windows"], partial


def conclusion_tokens():
    from handbook.snippets import load

    layout = load("optimal_image_sizes/sweep").layout

    small, large = layout(84, 84), layout(476, 476)
    s, l_ = small["resized"][0] // token_px(), large["resized"][0] // token_px()
    return small["tokens"], large["tokens"], s, s, l_, l_, small["resized"][0], small["resized"][1]


def rounding_halves():
    halves = (70, 98, 126)
    assert all((side / token_px()) % 1 == 0.5 for side in halves)
    return halves


def ch6_round():
    return (70, 70 / token_px(), token_px(), resized_side(70), 98, 98 / token_px(), token_px(), resized_side(98))


def ch1_units():
    return (
        patch(),
        patch(),
        token_px(),
        token_px(),
        window_px(),
        window_px(),
        window_patches(),
        window_patches(),
        window_tokens(),
        window_tokens(),
    )


def ch1_analysis_4x4():
    return (window_tokens(), window_tokens(), window_patches(), window_patches(), window_patches() ** 2, patch())


# page -> [(pattern with one group per number, function giving those numbers in order)]
REGISTRY = {
    "chapters/1-fixed-window-size.md": [
        (
            r"a patch is\s+(\d+)x(\d+) pixels, an LLM token is a 2x2 group of patches \((\d+)x(\d+) pixels\), and a "
            r"window is (\d+)x(\d+)\s+pixels, which is (\d+)x(\d+) patches or (\d+)x(\d+) LLM tokens",
            ch1_units,
        ),
        (r"a (\d+)x(\d+) group of patches", lambda: (config().spatial_merge_size,) * 2),
        (r"they are\s+(\d+), (\d+) and (\d+)\.", released_values),
        (
            r"So \"(\d+)x(\d+)\" in the analysis is \S+ \*LLM tokens\*, that is (\d+)x(\d+) = (\d+) patches of (\d+) "
            r"pixels",
            ch1_analysis_4x4,
        ),
        (r"So \"\d+x\d+\" in the analysis is (\d+)x(\d+)", lambda: (window_tokens(), window_tokens())),
        (r"multiples of\s+(\d+) pixels", lambda: (token_px(),)),
        (r"LLM tokens of (\d+)x(\d+) pixels", lambda: (token_px(), token_px())),
    ],
    "chapters/2-window-size-calculation.md": [
        (
            r"\((\d+) // (\d+) // (\d+) = (\d+)\)",
            lambda: (window_px(), config().spatial_merge_size, patch(), window_tokens()),
        ),
        (
            r"window side is (\d+) \*merged tokens\*, which is (\d+)x(\d+)\s+\*patches\*",
            lambda: (window_tokens(), window_patches(), window_patches()),
        ),
        (r"since transformers (\d+\.\d+)", lambda: (first_release_with_free_function()[0],)),
        (r"at most (\d+)x(\d+) pixels of the resized image", lambda: (window_px(), window_px())),
    ],
    "chapters/3-window-padding.md": [
        (r"cuts that\s+grid into (\d+)x(\d+) blocks", lambda: (window_tokens(), window_tokens())),
        (r"the (\d+)\s+px image gets more of it than the (\d+) px one", lambda: more_padding()),
        (r"\(the\s+(\d+)x(\d+) and (\d+)x(\d+) rows above\)", lambda: (window_px(),) * 2 + (2 * window_px(),) * 2),
        (r"a resized side that is a multiple of (\d+) px", lambda: (window_px(),)),
        (r"\((\d+), (\d+), (\d+), \.\.\. one per merged token", lambda: first_index_entries()),
    ],
    "chapters/4-spatial-merge.md": [
        (r"individual (\d+) px\s+patches", lambda: (patch(),)),
        (r"an LLM token is (\d+)x(\d+) pixels", lambda: (token_px(), token_px())),
        (r"into (\d+)x(\d+) patches", lambda: (patch(), patch())),
        (r"`hidden_size = context_dim \* (\d+)`", lambda: (config().spatial_merge_size ** 2,)),
        (r"each (\d+)x(\d+)\s+group", lambda: (config().spatial_merge_size,) * 2),
        (r"LLM tokens of (\d+)x(\d+) resized pixels", lambda: (token_px(), token_px())),
        (r"from (\d+) to (\d+) px with its default settings", lambda: token_table_range()),
        (r"every (\d+)x(\d+) patch group", lambda: (config().spatial_merge_size,) * 2),
    ],
    "chapters/5-attention-windows.md": [
        (
            r"\*at most\* (\d+)x(\d+) merged tokens \((\d+)x(\d+) patches, (\d+)x(\d+) pixels\)",
            lambda: (window_tokens(),) * 2 + (window_patches(),) * 2 + (window_px(),) * 2,
        ),
        (r"an image smaller than (\d+)x(\d+) px", lambda: (window_px(), window_px())),
        (r"the (\d+)x(\d+) padded grid", lambda: (window_tokens(), window_tokens())),
    ],
    "chapters/6-coordinate-prediction.md": [
        (
            r"one per\s+(\d+)x(\d+) block of (\d+)-pixel patches",
            lambda: (config().spatial_merge_size,) * 2 + (patch(),),
        ),
        (r"one step is one (\d+)x(\d+)-pixel token", lambda: (token_px(), token_px())),
        (r"answer in pixels of an (\d+)x(\d+) frame", lambda: (resized_side(84), resized_side(84))),
        (r"both sides are multiples of (\d+)", lambda: (token_px(),)),
        (
            r"a side of (\d+) px \((\d+\.\d+) x (\d+)\) becomes (\d+) while (\d+) px \((\d+\.\d+) x (\d+)\) becomes (\d+)",
            ch6_round,
        ),
        (r"sit on a rounding half \((\d+), (\d+), (\d+) px\)", rounding_halves),
        (r"`image_grid_thw \* (\d+)`", lambda: (patch(),)),
        (r"turns (\d+)x(\d+) \((\d+) tokens\) into (\d+)x(\d+) \((\d+) tokens\)", lambda: ch6_recipe()),
        (r"The official README's (\d+)-token floor", lambda: (min_pixels_tokens()[0],)),
        (r"(\d+)x(\d+) and (\d+)x(\d+), sides", lambda: round_trip_sizes()),
        (r"relative \((\d+)-(\d+)\)", lambda: coordinate_range("qwen3_vl")),
        (r"In transformers (\d+) the bounds", lambda: (transformers.__version__.split(".")[0],)),
    ],
    "chapters/7-optimal-image-sizes.md": [
        (r"a multiple of (\d+) pixels \*after", lambda: (window_px(),)),
        (r"from (\d+) to (\d+) pixels in steps of (\d+)", lambda: sweep_range()),
        (r"every height and width from (\d+) to (\d+) pixels", lambda: sweep_range()[:2]),
        (
            r"sides from (\d+) to (\d+) px, aspect ratios up to (\d+):(\d+)",
            lambda: (token_budget()[0], token_budget()[1], 1, token_budget()[2]),
        ),
        (r"multiples of (\d+) buy", lambda: (window_px(),)),
        (r"only along a side that is a multiple of (\d+)", lambda: (window_px(),)),
        (r"Up to (\d+)x(\d+) pixels there is one window", lambda: (window_px(), window_px())),
        (r"(\d+)x(\d+) and \d+x\d+ differ by their token counts", lambda: full_multiple()),
        (r"square inputs from (\d+) px up are shrunk", lambda: (first_shrunk_multiple(),)),
        (r"to multiples\s+of (\d+) yourself", lambda: (window_px(),)),
        (r"multiples of `window_size = (\d+)`", lambda: (window_px(),)),
        (r"fits cleanly into (\d+)x(\d+) windows", lambda: (window_tokens(), window_tokens())),
    ],
    "chapters/conclusion.md": [
        (r"It is (\d+)x(\d+) patches, (\d+)x(\d+)\s+tokens and (\d+) windows, (\d+) of them partial", conclusion_476),
        (
            r"(\d+) visual tokens for (\d+)x(\d+) against (\d+)\s+for (\d+)x(\d+), a (\d+)x(\d+) grid of positions against"
            r"\s+(\d+)x(\d+), and a coordinate frame of (\d+)x(\d+) pixels",
            lambda: conclusion_sentence(),
        ),
        (r"`(\d+)\*(\d+)\*(\d+)` gives at least (\d+)", min_pixels_tokens),
        (r"an image of up to (\d+)x(\d+) pixels is a single window", lambda: (window_px(), window_px())),
        (r"multiples of (\d+), the code", lambda: (window_px(),)),
    ],
    "calculator.md": [
        (
            r"where (\d+) / (\d+) = (\d+\.\d+) rounds down to (\d+)",
            lambda: (70, token_px(), 70 / token_px(), round(70 / token_px())),
        ),
        (r"`round\((\d+\.\d+)\) == (\d+)`", lambda: (2.5, round(2.5))),
        (r"sides from (\d+) px to a million pixels", lambda: (min(golden_sides()),)),
        (r"just under and just over (\d+)", lambda: max_ratio()),
    ],
    "beyond/family.md": [
        (r"no larger than (\d+)x(\d+) pixels", lambda: (window_px(), window_px())),
        (r"images up to (\d+)x(\d+) pixels", lambda: (window_px(), window_px())),
        (r"Since transformers (\d+\.\d+) the window", lambda: (first_release_with_free_function()[0],)),
    ],
    "notebooks/reproduce.ipynb": [
        (
            r"multiples of (\d+) px and cuts (\d+)-px patches; (\d+)x(\d+) patches become one LLM token",
            lambda: (token_px(), patch(), config().spatial_merge_size, config().spatial_merge_size),
        ),
        (r"windows of at most (\d+)x(\d+) tokens", lambda: (window_tokens(), window_tokens())),
        (r"Up to (\d+)x(\d+) px the merged grid fits in one window", lambda: (window_px(), window_px())),
    ],
    "beyond/resize-rules.md": [
        (r"both sides are multiples of (\d+) pixels", lambda: (token_px(),)),
        (r"`image_grid_thw x (\d+)`", lambda: (patch(),)),
        (r"a side of (\d+) pixels or less", lambda: (patch(),)),
    ],
    "beyond/cost.md": [
        (r"A window holds at most (\d+)x(\d+) patches", lambda: (window_patches(), window_patches())),
        # The FLOP formula table: each constant is read off vit_flops.closed_form (which test_cost ties to
        # torch's FlopCounterMode) by evaluating it at probe dimensions.
        (r"\| patch embedding \| (\d+)·N·p·d \|", lambda: (flop_coefficients()["embedding"],)),
        (
            r"\| \*L\* · (\d+)·N·\((\d+)·d² \+ (\d+)·d·I\) \| qkv (\d+)·d², proj d²; MLP gate, up and down (\d+)·d·I \|",
            lambda: flop_coefficients()["blocks"],
        ),
        (
            r"\| (\d+)·d · \(\*F\* · Σ full n² \+ \(\*L\* − \*F\*\) · Σ window n²\) \| per head Q·Kᵀ and A·V, (\d+)·n²",
            lambda: flop_coefficients()["attention"],
        ),
        (r"\| patch merger \| (\d+)·N·\(u·d² \+ d·O\) \|", lambda: (flop_coefficients()["merger"],)),
    ],
    "beyond/versions.md": [
        (
            r"Up to (\d+\.\d+) the code is the method `get_window_index` of the Qwen2.5-VL vision model; from "
            r"(\d+\.\d+) it",
            lambda: first_release_with_free_function()[::-1],
        ),
        (
            r"`Qwen2_5_VisionTransformerPretrainedModel.get_window_index` before (\d+\.\d+)\.",
            lambda: (first_release_with_free_function()[0],),
        ),
    ],
}


@functools.cache
def flop_coefficients() -> dict:
    """The constants of the cost page's FLOP formulas, read off vit_flops.closed_form at probe dimensions.

    Each part is divided by the product of the dimensions its formula names; the quotients must be whole
    and the same at two probes (otherwise the page's formula is not the code's form and this raises).
    """
    import math

    from handbook.snippets import load

    segment_lengths, closed_form = load("cost/per_block").segment_lengths, load("cost/vit_flops").closed_form

    grid = torch.tensor([[1, 8, 12]])

    def parts(d, inner, out):
        config = Qwen2_5_VLVisionConfig(
            depth=4,
            hidden_size=d,
            intermediate_size=inner,
            out_hidden_size=out,
            num_heads=1,
            fullatt_block_indexes=[1, 3],
        )
        return config, closed_form(config, grid)

    def whole(value, divisor):
        assert value % divisor == 0, f"{value} is not a multiple of {divisor}"
        return value // divisor

    found = []
    for d in (6, 10):
        config, zero = parts(d, 0, 0)
        _, with_inner = parts(d, 1, 1)
        lengths = segment_lengths(grid, config)
        n, p = sum(lengths["full"]), config.in_channels * config.temporal_patch_size * config.patch_size**2
        unit, full = config.spatial_merge_size**2, len(config.fullatt_block_indexes)
        blocks = "qkv, proj and MLP (all blocks)"
        d2 = whole(zero[blocks], config.depth * n * d * d)
        di = whole(with_inner[blocks] - zero[blocks], config.depth * n * d)
        scale = math.gcd(d2, di)
        found.append(
            {
                "embedding": whole(zero["patch embedding"], n * p * d),
                "blocks": (scale, d2 // scale, di // scale, d2 // scale - 1, di // scale),  # qkv = all but proj's d²
                "attention": (
                    whole(zero["attention, full blocks"], full * d * sum(s * s for s in lengths["full"])),
                    whole(zero["attention, full blocks"], 2 * full * d * sum(s * s for s in lengths["full"])),
                ),
                "merger": whole(zero["patch merger"], n * unit * d * d),
            }
        )
        assert whole(with_inner["patch merger"] - zero["patch merger"], n * d) == found[-1]["merger"]
    assert found[0] == found[1], found
    return found[0]


def more_padding():
    from handbook.snippets import load

    checks, trace = load("window_padding/trace").checks, load("window_padding/trace").trace

    entries = {side: checks(trace(side, side))["pad entries in the index grid"] for side in (84, 476)}
    return tuple(sorted(entries, key=entries.get, reverse=True))


def first_index_entries():
    from handbook.snippets import load

    trace = load("window_padding/trace").trace

    return tuple(int(v) for v in trace(84, 84).padded_index.reshape(-1)[:3])


def token_table_range():
    from handbook.snippets import load

    SIDES = load("spatial_merge/token_table").SIDES

    return SIDES[0], SIDES[-1]


def round_trip_sizes():
    source = (ROOT / "tests/pages/test_coordinate_prediction.py").read_text()
    assert re.search(r"SIZES = \[\s*\(10, 10\),\s*\(1, 50\),", source)  # the round-trip test's first inputs
    return 10, 10, 1, 50


def full_multiple():
    from handbook.snippets import load

    layout = load("optimal_image_sizes/sweep").layout

    side = 4 * window_px()
    assert layout(side, side)["full_share"] == 1 and layout(476, 476)["full_share"] < 1
    return side, side


def golden_sides():
    from handbook.snippets import load

    calculator_golden = load("calculator/reference")

    return [side for c in calculator_golden.golden_cases() for side in (c["height"], c["width"]) if side > 0]


def max_ratio():
    import inspect

    from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

    return (
        re.search(r"max\(height, width\) / min\(height, width\) > (\d+)", inspect.getsource(smart_resize)).group(1),
    )


def ch6_recipe():
    recipe = load("coordinate_prediction/recipe")
    model_input_size, visual_tokens = recipe.model_input_size, recipe.visual_tokens

    size = model_input_size(84, 84)
    default = resized_side(84)
    return 84, 84, (default // token_px()) ** 2, size[0], size[1], visual_tokens(*size)


def conclusion_sentence():
    n_small, n_large, s, _, l_, _, h, w = conclusion_tokens()
    return n_small, 84, 84, n_large, 476, 476, s, s, l_, l_, h, w


def coordinate_range(model):
    data = json.loads((ROOT / "snippets/data/coordinate_conventions.json").read_text())["models"][model]
    found = re.findall(r"\d+", data["convention"])
    return tuple(found[:2])


def sweep_range():
    from handbook.snippets import load

    size_sweep = load("optimal_image_sizes/sweep")

    return size_sweep.SIDES[0], size_sweep.SIDES[-1], size_sweep.SIDES.step


def first_shrunk_multiple():
    from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

    from handbook.snippets import load

    size_sweep = load("optimal_image_sizes/sweep")

    return next(
        side
        for side in size_sweep.SIDES
        if side % window_px() == 0 and smart_resize(side, side, token_px(), 56 * 56, 28 * 28 * 1280)[0] != side
    )


# Reading a page.


def blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def source_text(page: str) -> str:
    """A Markdown page's source; for a notebook, its Markdown cells (its code cells are code, its outputs are
    computed by the build)."""
    if page.endswith(".ipynb"):
        cells = json.loads((DOCS / page).read_text())["cells"]
        return "\n\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return (DOCS / page).read_text()


@functools.cache
def prose(page: str) -> str:
    """The page's text, fences and tags and link targets blanked out (same length, so positions stay)."""
    text = source_text(page)
    text = FENCE.sub(blank, text)
    text = re.sub(r"<!--.*?-->", blank, text, flags=re.S)
    text = re.sub(r"<[^>]+>", blank, text)
    text = re.sub(r"\]\(([^)]*)\)", lambda m: "]" + blank(m)[1:], text)
    return text


def exec_fences(page: str) -> list:
    """(position, id) of every executed fence on the page, in order."""
    text = source_text(page)
    return [(m.start(), m.group("info")) for m in FENCE.finditer(text) if 'exec="on"' in m.group("info")]


@functools.cache
def fence_outputs(page: str) -> list:
    """The result of every executed fence, in page order, as text: a fence with a Source tab from its built
    Result tab; a plumbing fence (the ledger, a source excerpt: no Source tab, so no tabs to find in the HTML)
    from the build's record of what it printed (handbook/page_tests.fence_output)."""
    if page.endswith(".ipynb"):
        return []  # a notebook's prose has no fences
    from handbook.fences import fences
    from handbook.page_tests import fence_output

    built = SITE / ("" if page == "index.md" else page[:-3]) / "index.html"
    if not built.is_file():
        pytest.fail(f"{built} is missing: run `make build` first")
    page_html = built.read_text()
    tabs = iter(re.finditer(r'<div class="tabbed-set tabbed-alternate"', page_html))
    outputs = []
    for fence in (f for f in fences(DOCS / page) if f.is_exec):
        if "source" in fence.attrs:
            body = page_html[next(tabs).start() :]
            first = re.search(r'<div class="tabbed-block">(.*?)</div>\s*<div class="tabbed-block">', body, re.S)
            outputs.append(html.unescape(re.sub(r"<[^>]+>", " ", first.group(1))))
        else:
            outputs.append(fence_output(page, fence.attrs["id"]))
    assert next(tabs, None) is None, f"{page}: more tabbed results in the built page than fences with a Source tab"
    return outputs


def numbers_in(text: str) -> set:
    return set(NUMBER.findall(re.sub(r"(?<=\d)[x×](?=\d)", " ", text)))


def sections(page: str) -> list:
    """(start, end, heading level-2-or-deeper title) of each section; the first one is the page's opening."""
    text = prose(page)
    cuts = [m.start() for m in HEADING.finditer(text) if len(m.group(1)) >= 2]
    bounds = [0] + cuts + [len(text)]
    return list(zip(bounds[:-1], bounds[1:]))


def region_lines(page: str, title_pattern: str) -> list:
    """(start, end) of admonition blocks whose first line matches the pattern (the block: indented lines)."""
    text = source_text(page)
    regions = []
    for m in re.finditer(rf"^(!!!|\?\?\?) {title_pattern}.*\n((?:[ \t]+.*\n|\n)*)", text, re.M):
        regions.append((m.start(), m.end()))
    return regions


def versions() -> set:
    found = set()
    for version in (transformers.__version__, torch.__version__.split("+")[0], "4.52.4"):
        parts = version.split(".")
        found |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    lock = (ROOT / "requirements-4.52.4.lock").read_text()
    assert (
        "transformers==4.52.4" in lock
        and f"transformers=={transformers.__version__}" in (ROOT / "requirements.lock").read_text()
    )
    return found


def ledger_quotes() -> str:
    from handbook import claims

    return " ".join(claim.claim for claim in claims.all_claims())


def pages() -> list:
    return sorted(p.relative_to(DOCS).as_posix() for pattern in ("*.md", "*.ipynb") for p in DOCS.rglob(pattern))


def unaccounted(page: str) -> list:
    text = prose(page)
    raw = source_text(page)
    covered = set()  # character positions of numbers a registry entry recomputed
    for pattern, compute in REGISTRY.get(page, []):
        matches = list(re.finditer(pattern.replace(" ", r"\s+"), text))
        assert matches, f"{page}: registry pattern no longer matches the page: {pattern!r}"
        expected = tuple(str(v) for v in compute())
        for match in matches:
            assert match.groups() == expected, f"{page}: {pattern!r} reads {match.groups()}, recomputed {expected}"
            for i in range(1, len(expected) + 1):
                covered.update(range(match.start(i), match.end(i)))
    outputs = fence_outputs(page)
    fences = exec_fences(page)
    assert len(outputs) == len(fences), f"{page}: {len(fences)} exec fences but {len(outputs)} built outputs"
    quotes = region_lines(page, r'quote "The analysis')
    cited = region_lines(page, r'info "Cited, not measured"')
    quoted = numbers_in(ledger_quotes())
    known_versions = versions()
    section_list = sections(page)
    verdict_outputs = " ".join(out for (pos, info), out in zip(fences, outputs) if "verdicts" in info)
    chapter_numbers = {p.name.split("-")[0]: p for p in (DOCS / "chapters").glob("*-*.md")}

    def section_numbers(position):
        start, end = next((s, e) for s, e in section_list if s <= position < e)
        own = " ".join(out for (pos, _), out in zip(fences, outputs) if start <= pos < end)
        return numbers_in(own + (" " + verdict_outputs if start == 0 else ""))

    analysis_sizes = {n for n in re.findall(r"(\d+)x\1 image", ledger_quotes())}
    quotes_lower = " ".join(ledger_quotes().lower().split())
    from transformers.vision_utils import get_vision_window_index

    from handbook.excerpts import statement

    pad_value_is_minus_100 = "-100" in statement(get_vision_window_index, r"F\.pad\(").text

    def sentence_around(at):
        start = max(raw.rfind(". ", 0, at), raw.rfind("\n\n", 0, at), raw.rfind("\n- ", 0, at))
        ends = [e for e in (raw.find(". ", at), raw.find("\n\n", at), raw.find("\n- ", at)) if e != -1]
        return raw[start : min(ends) if ends else len(raw)]

    def in_quotation(at):
        for opener, closer in (('"', '"'), ("“", "”")):
            left = text.rfind(opener, text.rfind("\n\n", 0, at), at)
            right = text.find(closer, at)
            if left != -1 and right != -1 and (opener != '"' or text.count('"', 0, left) % 2 == 0):
                quoted = " ".join(text[left + 1 : right].lower().split())
                if quoted and quoted in quotes_lower:
                    return True
        return False

    missing = []
    spaced = re.sub(r"(?<=\d)[x×](?=\d)", " ", text)
    for m in NUMBER.finditer(spaced):
        number, at = m.group(0), m.start()
        if at in covered:
            continue
        line_start = text.rfind("\n", 0, at) + 1
        line = text[line_start : text.find("\n", at)]
        before = text[max(0, at - 8) : at]
        if any(s <= at < e for s, e in quotes) and number in quoted:
            continue
        if (
            any(s <= at < e for s, e in cited)
            or re.search(r"(#|arXiv:)$", before)
            or re.search(r"arXiv:\d*\.?$", before)
        ):
            continue
        if number in analysis_sizes and (
            re.match(rf"x{number}\b", text[m.end() : m.end() + 8])
            or re.search(rf"{number}x$", text[max(0, at - 8) : at])
            or re.match(r"\s*px\b", text[m.end() : m.end() + 8])
        ):
            continue
        if in_quotation(at):
            continue
        if "](https://" in sentence_around(at):
            continue
        if number == "100" and text[at - 1 : at] == "-" and pad_value_is_minus_100:
            continue
        title = re.match(r'\s*!!! quote "The analysis, section (\d+)"', line)
        if title and title.group(1) == number and page.startswith(f"chapters/{number}-"):
            continue
        heading = HEADING.match(line)
        if heading and re.match(rf"{re.escape(number)}\.", heading.group(2)) and page.startswith(f"chapters/{number}-"):
            continue
        if re.match(r"[ \t]*\d+\.[ \t]", line) and line.lstrip().startswith(number + "."):
            continue
        if heading and re.match(rf"{re.escape(number)}\. ", heading.group(2)) and page.endswith(".ipynb"):
            numbered = [h.group(2) for h in HEADING.finditer(text) if re.match(r"\d+\. ", h.group(2))]
            if numbered.index(heading.group(2)) + 1 == int(number):  # the notebook's steps, numbered in order
                continue
        link = re.match(r"\[[^\]]*?(\d+)\]\(([^)]*)\)", raw[raw.rfind("[", 0, at + 1) :][:200])
        if (
            link
            and link.group(1) == number
            and number in chapter_numbers
            and Path(link.group(2).split("#")[0]).name == chapter_numbers[number].name
        ):
            continue
        if number in known_versions and re.search(r"(transformers|torch|release)\s*$", text[max(0, at - 14) : at]):
            continue
        anchor = re.search(r'<a href="(\?[^"]*)">[^<]*$', raw[max(0, at - 300) : at + 1])
        if anchor and number in dict(parse_qsl(urlsplit(html.unescape(anchor.group(1))).query)).values():
            continue
        if number in section_numbers(at):
            continue
        missing.append(f"{page}:{raw.count(chr(10), 0, at) + 1}: {number!r} in “{line.strip()[:100]}”")
    return missing


@pytest.mark.parametrize("page", pages())
def test_every_number_in_the_prose_is_accounted_for(page):
    found = unaccounted(page)
    if page in TEMPORARY_UNCHECKED:
        pytest.xfail(f"temporarily unchecked: {TEMPORARY_UNCHECKED[page]} ({len(found)} unaccounted)")
    assert not found, "numbers in the prose that nothing computes:\n" + "\n".join(found)


def test_temporary_list_only_names_pages_that_exist():
    assert set(TEMPORARY_UNCHECKED) <= set(pages())


def test_the_scan_sees_hand_typed_numbers(tmp_path, monkeypatch):
    """A number typed into a chapter's opening paragraph, and a wrong number in a registered sentence, fail."""
    page = "chapters/3-window-padding.md"
    text = (DOCS / page).read_text()
    fake = tmp_path / "docs"
    (fake / "chapters").mkdir(parents=True)
    for other in (DOCS / "chapters").glob("*.md"):
        (fake / "chapters" / other.name).write_text(other.read_text())
    import sys

    module = sys.modules[__name__]
    monkeypatch.setattr(module, "DOCS", fake)
    prose.cache_clear()
    try:
        (fake / page).write_text(
            text.replace("The grid sizes are right", "The grid sizes are right (all 9137 of them)")
        )
        assert any("9137" in line for line in unaccounted(page))
        prose.cache_clear()
        (fake / page).write_text(text.replace("the 476\npx image gets more", "the 477\npx image gets more"))
        with pytest.raises(AssertionError, match="recomputed"):
            unaccounted(page)
    finally:
        prose.cache_clear()
