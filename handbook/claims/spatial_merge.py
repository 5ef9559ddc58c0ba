"""Ledger entries for section 4 of the analysis, "Spatial Merge Process".

The checks read the real processor's row order (`row_positions` of snippets/spatial_merge/layout.py),
the shapes of a real forward pass through a tiny model's `Qwen2_5_VLPatchMerger` (`layout.merge_shapes`)
and the processor's grids for square images from 28 to 1344 px (`token_row` of
snippets/spatial_merge/token_table.py).
"""

from transformers import Qwen2_5_VLVisionConfig

from handbook.claims import Claim, Result
from handbook.snippets import load

layout, token_table = load("spatial_merge/layout"), load("spatial_merge/token_table")
every_group_is_2x2, merge_shapes, tiny_config = layout.every_group_is_2x2, layout.merge_shapes, layout.tiny_config
SIDES, token_row = token_table.SIDES, token_table.token_row


def _shape(step: str) -> tuple:
    return next(shape for name, _, shape in merge_shapes(84) if name == step)


def check_2x2_into_one(config=None, sides=(84, 476)) -> Result:
    config = config or tiny_config()
    unit = config.spatial_merge_size**2
    grouped = {side: every_group_is_2x2(side) for side in sides}
    per_patch, merged = _shape("merger.ln_q"), _shape("merger")
    one_per_group = merged[0] * unit == per_patch[0]
    verdict = "confirmed" if all(grouped.values()) and one_per_group and unit == 4 else "refuted"
    return Result(
        verdict,
        (
            f"The processor writes each {config.spatial_merge_size}x{config.spatial_merge_size} group of patches as {unit} "
            f"consecutive rows of `pixel_values` (checked for every group at 84 and 476 px: "
            f"{'yes' if all(grouped.values()) else 'no'}); the merger turns {per_patch[0]} patch vectors into "
            f"{merged[0]} token vectors ({per_patch} → {merged})."
        ),
    )


def check_halves_resolution(sides=SIDES) -> Result:
    rows = [token_row(side) for side in sides]
    halves_grid = all(r["patch_grid"][0] == 2 * r["token_grid"][0] for r in rows)
    per_patch, concatenated = _shape("merger.ln_q"), _shape("merger.mlp[0]")
    hidden = tiny_config().hidden_size
    keeps_everything = concatenated[1] == 4 * hidden == 4 * per_patch[1]
    evidence = (
        f"The token grid is half the patch grid per side at every size from {SIDES[0]} to {SIDES[-1]} px "
        f"({'yes' if halves_grid else 'no'}), so the LLM gets a quarter as many tokens. But nothing is "
        f"averaged away: all {Qwen2_5_VLVisionConfig().depth} vision blocks run on every patch before the merger, "
        f"and the merger's first layer takes the four patch vectors side by side ({per_patch} → "
        f"{concatenated}, width 4 x {hidden}), a learned projection rather than a downsampling."
    )
    if halves_grid and keeps_everything:
        return Result("partly true", evidence)
    return Result("confirmed" if halves_grid else "refuted", evidence)


def check_small_even_smaller(sides=SIDES) -> Result:
    rows = [token_row(side) for side in sides]
    factors = {r["patches"] / r["tokens"] for r in rows}
    per_token = {r["resized_px_per_token"] for r in rows}
    enlarged = [r for r in rows if r["resized"][0] > r["side"]]
    same_for_all = len(factors) == 1 and len(per_token) == 1
    evidence = (
        f"Every image loses the same factor: patches per LLM token = {sorted(factors)} and resized pixels per "
        f"LLM token = {sorted(per_token)} at every size from {SIDES[0]} to {SIDES[-1]} px. Before the merge "
        f"the processor enlarges the smallest images ("
        + ", ".join(f"{r['side']} → {r['resized'][0]} px" for r in enlarged)
        + ") and shrinks the largest, so small images are not penalised by the merge."
    )
    if same_for_all:
        return Result(
            "partly true",
            "True that a small image has few tokens after the merge (an 84x84 image has "
            f"{token_row(84)['tokens']}), but not disproportionately. " + evidence,
        )
    return Result("confirmed", evidence)


CLAIMS = [
    Claim(
        "s4-2x2-into-one-token",
        "4",
        "Every 2x2 patch group gets merged into 1 token",
        check_2x2_into_one,
        verdicts=("confirmed", "refuted"),
    ),
    Claim(
        "s4-halves-resolution",
        "4",
        "This reduces the effective resolution by half",
        check_halves_resolution,
        verdicts=("confirmed", "partly true", "refuted"),
    ),
    Claim(
        "s4-small-even-smaller",
        "4",
        "Small images become even smaller after merging",
        check_small_even_smaller,
        verdicts=("confirmed", "partly true"),
    ),
]
