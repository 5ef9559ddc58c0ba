"""The ledger: every computed check can reach each verdict it declares, cited verdicts name their source,
one fact gets one verdict, and this build's verdicts are pinned.

- `DRIVERS` maps every computed claim to one driver per verdict its check declares. A driver changes
  the check's input (another grid or image side, a patched config or window size, the analysis'
  release against the installed file, a monkeypatched transformers function) and the test asserts that
  the check returns that verdict. A computed claim without a driver for each declared verdict fails
  `test_every_computed_claim_has_a_driver_per_verdict`, so a new check cannot skip this.
- `PINNED` pins what each computed check says on the installed transformers: a change in transformers
  that flips a verdict turns this file red instead of silently changing a page. Cited claims are not
  pinned (their verdict is a constant); they must link a source that chapter 6 lists.
- `SAME_FACT` lists claims that state one fact in different words; their verdicts must agree.
"""

import contextlib
import functools
import inspect
import io
import json
import runpy
import sys
from pathlib import Path

import pytest
import torch
import transformers.vision_utils as vision_utils
from transformers import Qwen2_5_VLVisionConfig, Qwen2VLImageProcessor
from transformers.models.qwen2_5_vl import modeling_qwen2_5_vl
from transformers.vision_utils import get_vision_position_ids, get_vision_window_index

import handbook.claims.attention_windows as s5
import handbook.claims.conclusion as c
import handbook.claims.coordinate_prediction as s6
import handbook.claims.spatial_merge as s4
from handbook import claims
from handbook.claims import VERDICTS, all_claims, as_records, evaluate, render_all, render_section
from handbook.claims._pinned import PINNED
from handbook.excerpts import statement
from handbook.paths import ROOT
from handbook.snippets import load

padding_trace = load("window_padding/trace")
tiny_config = load("spatial_merge/layout").tiny_config

size_sweep = load("optimal_image_sizes/sweep")
INSTALLED_MODELING = Path(inspect.getsourcefile(modeling_qwen2_5_vl))

# Claims that state the same fact, each group with the fact in words. Their verdicts must agree.
SAME_FACT = {
    "the cited lines hold the quoted code in the analysis' release (rule: line citations)": [
        "s2-line-442",
        "s3-pad-lines-450-451",
        "s5-lines-455-467",
    ],
    "84x84: the code pads the 3x3 index grid to 4x4 with -100 (rule: descriptions of the code)": [
        "s3-84-needs-padding",
        "s5-84-pad-to-4x4",
        "s3-minus-100-invalid-tokens",
    ],
    "84x84: what attention sees is mostly padding (rule: consequences)": [
        "s3-mostly-padding",
        "s6-windows-mostly-padding",
        "c-demo-84-padding",
        "s5-84-56-percent-real",
    ],
    "84x84 is 6x6 patches and 3x3 merged tokens": ["s3-84-patches", "s3-84-merged", "s5-84-grids"],
    "476x476 is 34x34 patches and 17x17 merged tokens": ["s3-476-patches", "s3-476-merged", "s5-476-grids"],
    "476x476's grid divides into full 4x4 windows": [
        "s3-476-fits-naturally",
        "s5-476-fits-efficiently",
        "c-demo-476-fits",
    ],
    "padding corrupts attention (rule: consequences)": ["s5-attention-corrupted", "c-degraded-by-windows"],
}


# Inputs the drivers use: every cache that could hold a result computed before the patch is cleared.


def clear_caches():
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None) or ""
        if {"snippets", "handbook"} & set(Path(path).parts):  # the snippets and the ledger's own checks
            for value in list(vars(module).values()):
                if isinstance(value, functools._lru_cache_wrapper):
                    value.cache_clear()


@pytest.fixture
def fresh():
    clear_caches()
    yield
    clear_caches()


def leaky(extra: int):
    """The installed window function, except that `extra` -100 entries reach the window index and the last
    window (a padding window the blocks would attend over)."""
    real = get_vision_window_index

    def window_index(grid_thw, spatial_merge_size, *args, **kwargs):
        index, cu = real(grid_thw, spatial_merge_size, *args, **kwargs)
        unit = spatial_merge_size**2
        return (
            torch.cat([index, torch.full((extra,), -100, dtype=index.dtype)]),
            torch.cat([cu, cu[-1:] + extra * unit]),
        )

    return window_index


def other_padding(value: int, pad: int):
    """A window function that pads the index grid by `pad` with `value` (through vision_utils' F and torch, as
    the installed one does, so padding_trace records it), then makes one window of the real tokens."""

    def window_index(grid_thw, spatial_merge_size, window_size, patch_size, **kwargs):
        indices, bounds, offset = [], [0], 0
        for t, h, w in grid_thw.tolist():
            rows, cols = h // spatial_merge_size, w // spatial_merge_size
            index = torch.arange(t * rows * cols).reshape(t, rows, cols)
            padded = vision_utils.F.pad(index, (0, pad, 0, pad), "constant", value).reshape(-1)
            indices.append(padded[padded != value] + offset)
            offset += t * rows * cols
            bounds.append(bounds[-1] + t * h * w)
        cu = vision_utils.torch.unique_consecutive(torch.tensor(bounds, dtype=torch.int32))
        return torch.cat(indices), cu

    return window_index


def padding_rows(module, input_tensor, window_index, seq_len):
    """permute_input_for_window_attn that also appends three rows of padding per real row."""
    real = input_tensor.reshape(seq_len // module.spatial_merge_unit, module.spatial_merge_unit, -1)[window_index]
    real = real.reshape(seq_len, -1)
    return torch.cat([real, torch.zeros(3 * seq_len, real.shape[1], dtype=real.dtype)])


def window_224(monkeypatch):
    """Every snippet module's config class gives window_size=224 unless told otherwise."""

    def patched(**kwargs):
        return Qwen2_5_VLVisionConfig(**{"window_size": 224, **kwargs})

    for module in list(sys.modules.values()):
        if (
            "snippets" in Path(getattr(module, "__file__", None) or "").parts
            and getattr(module, "Qwen2_5_VLVisionConfig", None) is Qwen2_5_VLVisionConfig
        ):
            monkeypatch.setattr(module, "Qwen2_5_VLVisionConfig", patched)


def check_of(claim_id: str):
    return next(claim for claim in all_claims() if claim.id == claim_id).check


def run(claim_id, **kwargs):
    return lambda mp: check_of(claim_id)(**kwargs)


def patched(claim_id, where, name, value, **kwargs):
    def driver(mp):
        mp.setattr(where, name, value)
        return check_of(claim_id)(**kwargs)

    return driver


def value_drivers(claim_id, field):
    stated = getattr(Qwen2_5_VLVisionConfig(), field)
    return {
        "confirmed": run(claim_id),
        "partly true": run(claim_id, checkpoints={"a": {field: stated}, "b": {field: stated + 1}}),
        "refuted": run(
            claim_id, config=Qwen2_5_VLVisionConfig(**{field: stated + 1}), checkpoints={"a": {field: stated + 1}}
        ),
    }


def ignores_window_size(grid_thw, spatial_merge_size, window_size, patch_size, **kwargs):
    return get_vision_window_index(grid_thw, spatial_merge_size, 112, patch_size)


def fixed_4x4_confirmed(mp):
    schedule = load("attention_windows/schedule")

    mp.setattr(
        schedule,
        "Qwen2_5_VLVisionConfig",
        lambda **kw: Qwen2_5_VLVisionConfig(**{"fullatt_block_indexes": [], **kw}),
    )
    return s5.check_fixed_4x4(side=448)


def config_224(claim_id, **kwargs):
    def driver(mp):
        window_224(mp)
        return check_of(claim_id)(**kwargs)

    return driver


def sweep_window(claim_id, window):
    def driver(mp):
        mp.setattr(size_sweep, "WINDOW", window)
        mp.setattr(size_sweep, "FULL_WINDOW", (window // 28) ** 2)
        return check_of(claim_id)()

    return driver


def halves_confirmed(mp):
    """A merger that averages the four patch vectors instead of concatenating them."""
    real = s4._shape
    mp.setattr(
        s4, "_shape", lambda step: (real(step)[0], real("merger.ln_q")[1]) if step == "merger.mlp[0]" else real(step)
    )
    return s4.check_halves_resolution()


def token_rows_changed(change):
    def driver(mp):
        real = s4.token_row
        mp.setattr(s4, "token_row", lambda side: change(dict(real(side))))
        return check_of("s4-halves-resolution" if change is no_halving else "s4-small-even-smaller")()

    return driver


def no_halving(row):
    row["token_grid"] = row["patch_grid"]
    return row


def small_penalised(row):
    if row["side"] == 28:
        row["tokens"] = max(1, row["tokens"] // 2)
        row["resized_px_per_token"] *= 2
    return row


def positions_per_window(mp):
    return s6.check_positional_within_windows(
        vit_position_ids=lambda grid, merge: get_vision_position_ids(grid, merge) % 8,
        llm_position_ids=lambda side: tuple(x % 4 for x in s6.llm_positions(side)),
    )


def processor_without_merge(mp):
    mp.setattr(s6, "Qwen2VLImageProcessor", lambda: Qwen2VLImageProcessor(merge_size=1))
    return c.check_17x17_patches(side=238)


def padding_description_drivers(claim_id):
    return {
        "partly true": run(claim_id),
        "confirmed": patched(claim_id, padding_trace, "get_vision_window_index", leaky(7)),
        "refuted": patched(claim_id, padding_trace, "get_vision_window_index", other_padding(-100, 0)),
    }


def leaky_drivers(claim_id, installed, leaked, extra, where=padding_trace):
    """The installed code's verdict (`installed`), and `leaked` once `extra` -100 entries reach the window index
    (`leaky`, patched into the module `where` whose `get_vision_window_index` the check calls)."""
    return {installed: run(claim_id), leaked: patched(claim_id, where, "get_vision_window_index", leaky(extra))}


TWO = lambda claim_id, default, other, **kwargs: {default: run(claim_id), other: run(claim_id, **kwargs)}  # noqa: E731

DRIVERS = {
    "s1-window-size-112": value_drivers("s1-window-size-112", "window_size"),
    "s1-patch-size-14": value_drivers("s1-patch-size-14", "patch_size"),
    "s1-merge-size-2": value_drivers("s1-merge-size-2", "spatial_merge_size"),
    "s1-window-size-fixed": {
        "partly true": run("s1-window-size-fixed"),
        "confirmed": patched(
            "s1-window-size-fixed", modeling_qwen2_5_vl, "get_vision_window_index", ignores_window_size
        ),
        "refuted": run("s1-window-size-fixed", checkpoints={"a": {"window_size": 112}, "b": {"window_size": 224}}),
    },
    "s2-formula": TWO("s2-formula", "confirmed", "refuted", installed=statement(get_vision_window_index, r"pad_h\s*=")),
    "s2-value-4": TWO("s2-value-4", "confirmed", "refuted", config=Qwen2_5_VLVisionConfig(window_size=224)),
    "s2-line-442": TWO("s2-line-442", "confirmed", "refuted", source=INSTALLED_MODELING),
    "s2-at-least-4x4-patches": {
        "refuted": run("s2-at-least-4x4-patches"),
        "partly true": run("s2-at-least-4x4-patches", sides=(112, 224)),
        "confirmed": run("s2-at-least-4x4-patches", window_size=56, sides=(112, 224)),
    },
    "s3-pad-lines-450-451": TWO("s3-pad-lines-450-451", "confirmed", "refuted", source=INSTALLED_MODELING),
    "s3-84-patches": TWO("s3-84-patches", "confirmed", "refuted", side=112),
    "s3-84-merged": TWO("s3-84-merged", "confirmed", "refuted", side=112),
    "s3-84-needs-padding": padding_description_drivers("s3-84-needs-padding"),
    "s3-minus-100-invalid-tokens": {
        "partly true": run("s3-minus-100-invalid-tokens"),
        "confirmed": patched("s3-minus-100-invalid-tokens", padding_trace, "get_vision_window_index", leaky(7)),
        "refuted": patched(
            "s3-minus-100-invalid-tokens", padding_trace, "get_vision_window_index", other_padding(-1, 1)
        ),
    },
    "s3-mostly-padding": {
        "refuted": run("s3-mostly-padding"),
        "confirmed": patched(
            "s3-mostly-padding",
            modeling_qwen2_5_vl.Qwen2_5_VisionTransformerPretrainedModel,
            "permute_input_for_window_attn",
            padding_rows,
        ),
    },
    "s3-476-patches": TWO("s3-476-patches", "confirmed", "refuted", side=448),
    "s3-476-merged": TWO("s3-476-merged", "confirmed", "refuted", side=448),
    "s3-476-fits-naturally": TWO("s3-476-fits-naturally", "refuted", "confirmed", side=448),
    "s3-17-is-4x4-plus-1x1": TWO("s3-17-is-4x4-plus-1x1", "partly true", "refuted", side=448),
    "s3-476-minimal-padding": TWO("s3-476-minimal-padding", "refuted", "confirmed", side=532),
    "s3-476-mostly-real": {
        "confirmed": run("s3-476-mostly-real"),
        "refuted": patched(
            "s3-476-mostly-real",
            modeling_qwen2_5_vl.Qwen2_5_VisionTransformerPretrainedModel,
            "permute_input_for_window_attn",
            padding_rows,
        ),
    },
    "s4-2x2-into-one-token": TWO(
        "s4-2x2-into-one-token", "confirmed", "refuted", config=tiny_config(spatial_merge_size=1)
    ),
    "s4-halves-resolution": {
        "partly true": run("s4-halves-resolution"),
        "confirmed": halves_confirmed,
        "refuted": token_rows_changed(no_halving),
    },
    "s4-small-even-smaller": {
        "partly true": run("s4-small-even-smaller"),
        "confirmed": token_rows_changed(small_penalised),
    },
    "s5-lines-455-467": TWO("s5-lines-455-467", "confirmed", "refuted", source=INSTALLED_MODELING),
    "s5-fixed-4x4-windows": {
        "partly true": run("s5-fixed-4x4-windows"),
        "confirmed": fixed_4x4_confirmed,
        "refuted": config_224("s5-fixed-4x4-windows"),
    },
    "s5-84-grids": TWO("s5-84-grids", "confirmed", "refuted", side=112),
    "s5-84-pad-to-4x4": padding_description_drivers("s5-84-pad-to-4x4"),
    "s5-84-56-percent-real": leaky_drivers("s5-84-56-percent-real", "refuted", "confirmed", 7),
    "s5-attention-corrupted": leaky_drivers("s5-attention-corrupted", "refuted", "confirmed", 7),
    "s5-476-grids": TWO("s5-476-grids", "confirmed", "refuted", side=448),
    "s5-476-fits-efficiently": TWO("s5-476-fits-efficiently", "refuted", "confirmed", side=448),
    "s5-476-85-percent-real": leaky_drivers("s5-476-85-percent-real", "refuted", "confirmed", 51),
    "s5-attention-coherent": leaky_drivers("s5-attention-coherent", "confirmed", "refuted", 7),
    "s6-positional-within-windows": {"refuted": run("s6-positional-within-windows"), "confirmed": positions_per_window},
    "s6-windows-mostly-padding": leaky_drivers("s6-windows-mostly-padding", "refuted", "confirmed", 20, where=s6),
    "s6-spatial-obscured": TWO("s6-spatial-obscured", "refuted", "confirmed", side=476),
    "s7-fits-cleanly": {"confirmed": run("s7-fits-cleanly"), "refuted": sweep_window("s7-fits-cleanly", 224)},
    "s7-optimal-sizes-fill": TWO("s7-optimal-sizes-fill", "confirmed", "refuted", named=(224, 476)),
    "c-designed-for-medium-to-large": {
        "refuted": run("c-designed-for-medium-to-large"),
        "partly true": sweep_window("c-designed-for-medium-to-large", 56),
    },
    "c-not-enough-context": TWO("c-not-enough-context", "refuted", "partly true", side=476),
    "c-degraded-by-windows": TWO("c-degraded-by-windows", "refuted", "confirmed", side=476),
    "c-17x17-patches": {"refuted": run("c-17x17-patches"), "confirmed": processor_without_merge},
    "c-demo-476-fits": TWO("c-demo-476-fits", "refuted", "confirmed", side=448),
    "c-demo-84-padding": leaky_drivers("c-demo-84-padding", "refuted", "confirmed", 20, where=s6),
}


def computed():
    return [claim for claim in all_claims() if claim.basis == "computed"]


def cited():
    return [claim for claim in all_claims() if claim.basis == "cited"]


def test_every_computed_claim_has_a_driver_per_verdict():
    missing = {claim.id: sorted(set(claim.verdicts) - set(DRIVERS.get(claim.id, {}))) for claim in computed()}
    assert {k: v for k, v in missing.items() if v} == {}, "computed claims without a driver for each verdict"
    extra = {claim.id: sorted(set(DRIVERS[claim.id]) - set(claim.verdicts)) for claim in computed()}
    assert {k: v for k, v in extra.items() if v} == {}, "drivers for verdicts the claim does not declare"
    assert set(DRIVERS) == {claim.id for claim in computed()}, "a driver for a claim that is not computed"


@pytest.mark.parametrize(
    "claim_id,verdict",
    [(cid, v) for cid, drivers in DRIVERS.items() for v in drivers],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_driver_moves_the_verdict(claim_id, verdict, monkeypatch, fresh):
    result = DRIVERS[claim_id][verdict](monkeypatch)
    assert result.verdict == verdict, result.evidence
    assert result.evidence.strip()


def test_every_computed_claim_is_pinned():
    assert {claim.id for claim in computed()} == set(PINNED)


@pytest.mark.parametrize("claim", computed(), ids=lambda c: c.id)
def test_verdict(claim):
    result = evaluate(claim)
    assert result.verdict == PINNED[claim.id], result.evidence
    assert result.verdict in claim.verdicts


@pytest.mark.parametrize("claim", cited(), ids=lambda c: c.id)
def test_cited_verdict_names_a_source_the_handbook_lists(claim):
    """A cited verdict is a constant; what can be checked is that it names a source, and that chapter 6's
    list of outside sources (what the site cites) holds that source."""
    import re

    result = evaluate(claim)
    links = re.findall(r"\]\((https://[^)]+)\)", result.evidence)
    assert links, f"{claim.id}: no linked source"
    listed = (ROOT / "docs/chapters/6-coordinate-prediction.md").read_text()
    for link in links:
        assert link in listed, f"{claim.id}: {link} is not among the sources chapter 6 lists"
    assert claim.verdicts == (result.verdict,)


def test_the_mixed_claims_are_split():
    """Each of the three claims that mixed computation and citation now has a computed and a cited part."""
    by_id = {claim.id: claim for claim in all_claims()}
    for computed_part, cited_part in [
        ("c-degraded-by-windows", "c-degraded-coordinate-prediction"),
        ("s7-optimal-sizes-fill", "s7-optimal-sizes"),
        ("s6-spatial-obscured", "s6-spatial-obscured-trained"),
    ]:
        assert (by_id[computed_part].basis, by_id[cited_part].basis) == ("computed", "cited")


@pytest.mark.parametrize("fact", SAME_FACT)
def test_one_fact_one_verdict(fact):
    verdicts = {claim_id: evaluate(check_claim(claim_id)).verdict for claim_id in SAME_FACT[fact]}
    assert len(set(verdicts.values())) == 1, f"{fact}: {verdicts}"


def check_claim(claim_id):
    return next(claim for claim in all_claims() if claim.id == claim_id)


def test_readings_agree_with_the_occupancy_snippet():
    window_occupancy = load("attention_windows/occupancy")

    for side in window_occupancy.ANALYSIS_REAL_PERCENT:
        assert {k: v[side] for k, v in window_occupancy.readings().items()} == s5.readings_of(side)


def test_claims_follow_the_analysis_order():
    order = list(claims.SECTION_PAGES)
    sections = [order.index(claim.section) for claim in all_claims()]
    assert sections == sorted(sections)


def test_section_table_has_one_anchored_row_per_claim_and_its_basis():
    table = render_section("6")
    for claim in claims.claims_in("6"):
        assert f'<span id="claim-{claim.id}"></span>' in table
    assert table.count("\n") == 1 + len(claims.claims_in("6"))
    assert "What the check computed" not in table
    assert table.count("| cited |") == sum(c.basis == "cited" for c in claims.claims_in("6"))


def test_unknown_section_fails_loudly():
    with pytest.raises(LookupError):
        render_section("no such section")


def test_whole_ledger_links_each_claim_to_its_evidence():
    table = render_all("chapters/conclusion.md")
    for claim in all_claims():
        # From the built chapters/conclusion/ to e.g. chapters/2-window-size-calculation/#claim-...
        assert f"(../../{claim.page[:-3]}/#claim-{claim.id})" in table


def test_records_and_command_line(monkeypatch):
    records = as_records("https://example.org/")
    assert records[0]["evidence"].startswith("https://example.org/chapters/1-fixed-window-size/#claim-")
    assert all(record["verdict"] in VERDICTS for record in records)
    assert {record["basis"] for record in records} == {"computed", "cited"}
    # `python handbook/claims --json`, run in this process (runpy, as the interpreter runs a folder) rather than
    # in a fresh one that would import torch and transformers again.
    out = io.StringIO()
    monkeypatch.setattr(sys, "argv", [str(ROOT / "handbook" / "claims"), "--json"])
    monkeypatch.setattr(sys, "path", list(sys.path))  # __main__.py puts the repository first on it
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(ROOT / "handbook" / "claims"), run_name="__main__")
    printed = json.loads(out.getvalue())
    assert [(r["id"], r["basis"]) for r in printed] == [(r["id"], r["basis"]) for r in records]


def test_declared_verdicts_are_enforced():
    bad = claims.Claim("x", "1", "x", lambda: claims.Result("plausible", "x"), verdicts=("confirmed", "refuted"))
    with pytest.raises(ValueError):
        evaluate(bad)
    with pytest.raises(ValueError):  # a computed check must be able to give more than one answer
        claims.Claim("y", "1", "y", lambda: claims.Result("confirmed", "y"), verdicts=("confirmed",))
    with pytest.raises(ValueError):  # a cited verdict without a link
        evaluate(
            claims.Claim(
                "z",
                "1",
                "z",
                lambda: claims.Result("unsupported", "no source"),
                basis="cited",
                verdicts=("unsupported",),
            )
        )
