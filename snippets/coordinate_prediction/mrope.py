# --8<-- [start:code]
"""The position ids the language model gives an image's visual tokens (MRoPE), from the real get_rope_index.

A tiny random-weight Qwen2_5_VLModel built from the real config classes supplies the method; position ids
depend only on the token layout and the image grid, never on weights. Prints the image tokens' position
ids for a 6x6 and a 34x34 patch grid. Run: python mrope.py
"""

import torch
from transformers import Qwen2_5_VLConfig, Qwen2_5_VLModel

TEXT, IMAGE = 0, 1  # mm_token_type_ids: text 0, image 1
VISION_START, IMAGE_PAD, VISION_END = 4, 5, 6  # token ids of the tiny vocabulary


def tiny_model() -> Qwen2_5_VLModel:
    config = Qwen2_5_VLConfig(
        text_config=dict(
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=1,
            intermediate_size=64,
            vocab_size=64,
            bos_token_id=1,
            eos_token_id=2,
            rope_parameters={"rope_type": "default", "mrope_section": [2, 3, 3], "rope_theta": 1e6},
        ),
        vision_config=dict(
            depth=1, hidden_size=32, num_heads=2, intermediate_size=64, out_hidden_size=32, fullatt_block_indexes=[0]
        ),
        vision_start_token_id=VISION_START,
        image_token_id=IMAGE_PAD,
        vision_end_token_id=VISION_END,
    )
    torch.manual_seed(0)
    return Qwen2_5_VLModel(config).eval()


def positions(patch_grid: tuple, text_before: int = 2, text_after: int = 2, model=None) -> dict:
    """(temporal, row, column) position ids of a prompt: text, <vision_start>, image tokens, <vision_end>, text."""
    model = model or tiny_model()
    merge = model.config.vision_config.spatial_merge_size
    n_image = patch_grid[0] * patch_grid[1] // merge**2
    types = [TEXT] * text_before + [TEXT] + [IMAGE] * n_image + [TEXT] + [TEXT] * text_after
    ids = [3] * text_before + [VISION_START] + [IMAGE_PAD] * n_image + [VISION_END] + [3] * text_after
    with torch.no_grad():
        pos, _ = model.get_rope_index(
            torch.tensor([ids]), torch.tensor([types]), image_grid_thw=torch.tensor([[1, *patch_grid]])
        )
    pos = pos[:, 0]
    image = torch.tensor(types) == IMAGE
    first = int(image.nonzero()[0])
    return {"all": pos, "image": pos[:, image], "image_start": first, "after_image": pos[:, first + n_image + 1 :]}


def report(patch_grids=((6, 6), (34, 34))) -> str:
    model = tiny_model()
    lines = []
    for grid in patch_grids:
        p = positions(grid, model=model)
        image = p["image"]
        start = int(image.min())
        rows = image[1] - start
        cols = image[2] - start
        side_r, side_c = int(rows.max()) + 1, int(cols.max()) + 1
        lines += [
            f"**Patch grid {grid[0]}x{grid[1]} → {side_r}x{side_c} visual tokens** "
            f"({image.shape[1]} tokens; the image starts at text position {start}).",
            "",
        ]
        lines += [
            f"- temporal ids: all {sorted(set((image[0] - start).tolist()))} (offset by {start})",
            f"- row ids: {int(rows.min())}..{int(rows.max())}, column ids: {int(cols.min())}..{int(cols.max())} "
            f"(offset by {start}); {len(set(zip(rows.tolist(), cols.tolist())))} distinct (row, column) pairs",
            f"- `<vision_end>` gets position {int(p['after_image'][0, 0]) - 1}: the {image.shape[1]} visual tokens "
            f"advance the sequence's position counter by {int(p['after_image'][0, 0]) - 1 - start}, "
            f"the image's longer side in tokens",
            "",
        ]
        if side_r <= 4:
            header = "| row \\ column | " + " | ".join(str(c) for c in range(side_c)) + " |"
            lines += [
                f"(row id, column id) of each visual token, minus the offset {start}:",
                "",
                header,
                "|---" * (side_c + 1) + "|",
            ]
            for r in range(side_r):
                cells = [f"({int(rows[r * side_c + c])}, {int(cols[r * side_c + c])})" for c in range(side_c)]
                lines.append(f"| {r} | " + " | ".join(cells) + " |")
            lines.append("")
    return "\n".join(lines)


# --8<-- [end:code]


if __name__ == "__main__":
    print(report())
