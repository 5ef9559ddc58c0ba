"""Closed form of transformers' window partition, for grids too large to index with the real function.

get_vision_window_index (transformers.vision_utils) pads the merged-token grid (grid // merge_size on
each axis) at the bottom and right up to a multiple of s = window_size // merge_size // patch_size,
cuts it into s x s windows row by row, and drops the empty windows (torch.unique_consecutive on the
cumulative lengths). So on an H x W merged grid there are ceil(H / s) rows of windows and ceil(W / s)
columns; window (i, j) holds rows_i x cols_j merged tokens, where every row of windows but the last
holds s rows and the last holds H - s * (ceil(H / s) - 1), and likewise for columns.
tests/pages/test_calculator.py checks this against the real function on every small grid before using it.
"""


def _spans(n: int, s: int) -> list:
    count = -(-n // s)
    return [s] * (count - 1) + [n - s * (count - 1)]


def window_layout(grid_h: int, grid_w: int, c: dict, listed: int) -> dict | None:
    """The calculator/reference.py windows() answer for patch grid grid_h x grid_w, without building the index."""
    if c["window_size"] is None:
        return None
    merge, s = c["merge_size"], c["window_size"] // c["merge_size"] // c["patch_size"]
    rows, cols = _spans(grid_h // merge, s), _spans(grid_w // merge, s)
    count = len(rows) * len(cols)
    full = sum(r == s for r in rows) * sum(k == s for k in cols)
    return {
        "count": count,
        "full": full,
        "smallest": min(rows) * min(cols),
        "largest": max(rows) * max(cols),
        "equals_full_attention": count == 1,
        "sizes": [r * k for r in rows for k in cols] if count <= listed else None,
    }
