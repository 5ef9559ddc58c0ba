"""Wall time of the whole Qwen2.5-VL vision encoder: the checkpoint's window layout against all-full
attention, under each attention implementation. Needs a CUDA GPU for the real run; never runs in the build.

    python scripts/gpu_wall_time.py                  # GPU: checkpoint dims, bf16; writes snippets/data/gpu_wall_times.json
    python scripts/gpu_wall_time.py --tiny --out r.json   # CPU, tiny config, seconds: same code paths and checks

What is timed: `Qwen2_5_VisionTransformerPretrainedModel` forward (patch embedding, every block, merger), random
weights, square images resized by the real `smart_resize` with the released checkpoint's pixel bounds.
- layouts: `window` = the checkpoint's `fullatt_block_indexes`; `full` = every block full (same weights: only
  the model's `fullatt_block_indexes` changes).
- impls: `sdpa`, transformers' installed path (one attention call per segment); `varlen`, one
  `torch.nn.attention.varlen.varlen_attn` call per block over `cu_seqlens` (what the flash-attention path
  does; CUDA only: on a CPU it falls back to one block-diagonal masked sdpa call per block, and says so);
  `padded`, segments padded to the longest and run as one batched sdpa call with a key mask;
  `flash_attention_2`, transformers' own flash path, only if the flash_attn package imports.
Checks before timing (the run stops if one fails): at every side, each impl's merged output agrees with
`sdpa`'s in the same layout (relative error below TOLERANCE); in fp32, window and full layouts give
identical outputs at 84 and 112 px (one window), and different ones at 224 px (so the check can see a
difference). `--perturb IMPL` makes IMPL ignore the window boundaries, to show the agreement check fails.
"""

import argparse
import datetime
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
import transformers
from transformers import Qwen2_5_VLVisionConfig
from transformers.models.qwen2_5_vl import modeling_qwen2_5_vl as qwen
from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

from handbook.paths import SNIPPETS

RELEASED = json.loads((SNIPPETS / "data" / "released_vision_configs.json").read_text())
CHECKPOINT = "Qwen2.5-VL-7B-Instruct"
FIELDS = (
    "depth",
    "hidden_size",
    "intermediate_size",
    "num_heads",
    "out_hidden_size",
    "window_size",
    "patch_size",
    "spatial_merge_size",
    "temporal_patch_size",
    "fullatt_block_indexes",
)
TINY = {
    "depth": 4,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_heads": 4,
    "out_hidden_size": 32,
    "fullatt_block_indexes": [1, 3],
    "initializer_range": 0.2,
}  # larger weights: sharper attention, so
# ignoring window boundaries moves the output (by ~30%) far more than bf16 rounding does (~1%), as at 7B dims
SIDES = (84, 112, 224, 476, 672, 896, 1344, 1792, 2240, 2688, 3136, 3584)
TINY_SIDES = (84, 112, 224, 336)
EXACT_SIDES, CONTROL_SIDE = (84, 112), 224
TOLERANCE = 0.1  # relative (Frobenius) error of an impl's bf16 output against sdpa's (bf16 vs fp32: ~0.03 at 7B dims)
OUT = SNIPPETS / "data" / "gpu_wall_times.json"


class CheckFailed(RuntimeError):
    pass


def config_for(tiny: bool) -> Qwen2_5_VLVisionConfig:
    values = {field: RELEASED["checkpoints"][CHECKPOINT][field] for field in FIELDS}
    return Qwen2_5_VLVisionConfig(**{**values, **(TINY if tiny else {})}, attn_implementation="sdpa")


def resized(side: int, config) -> tuple:
    bounds = RELEASED["preprocessor_config"]
    return smart_resize(
        side,
        side,
        factor=config.patch_size * config.spatial_merge_size,
        min_pixels=bounds["min_pixels"],
        max_pixels=bounds["max_pixels"],
    )


# -- attention cores: q, k, v of shape (patches, heads, head_dim) -> (patches, heads, head_dim) ------------


def segment_ids(cu: torch.Tensor) -> torch.Tensor:
    return torch.repeat_interleave(torch.arange(len(cu) - 1, device=cu.device), cu.diff())


def varlen_core(q, k, v, cu, max_len, scale):
    if q.is_cuda:
        from torch.nn.attention.varlen import varlen_attn

        return varlen_attn(q, k, v, cu.int(), cu.int(), max_len, max_len, scale=scale)
    ids = segment_ids(cu)  # CPU fallback: one call per block, attention limited to each segment by a mask
    mask = ids[:, None] == ids[None, :]
    return F.scaled_dot_product_attention(
        *(t.transpose(0, 1) for t in (q, k, v)), attn_mask=mask, scale=scale
    ).transpose(0, 1)


def padded_core(q, k, v, cu, max_len, scale):
    ids = segment_ids(cu)
    pos = torch.arange(len(ids), device=cu.device) - cu[ids]
    lengths = cu.diff()

    def pad(t):
        out = t.new_zeros(len(lengths), max_len, *t.shape[1:])
        out[ids, pos] = t
        return out.transpose(1, 2)  # (segments, heads, max_len, head_dim)

    mask = (torch.arange(max_len, device=cu.device)[None, :] < lengths[:, None])[:, None, None, :]
    out = F.scaled_dot_product_attention(pad(q), pad(k), pad(v), attn_mask=mask, scale=scale)
    return out.transpose(1, 2)[ids, pos]


CORES = {"varlen": varlen_core, "padded": padded_core}


def attention_forward(core, perturb: bool):
    """Qwen2_5_VLVisionAttention.forward with its attention core replaced (qkv, rotary and proj unchanged)."""

    def forward(self, hidden_states, cu_seqlens, position_embeddings=None, max_seqlen=None, **kwargs):
        n = hidden_states.shape[0]
        q, k, v = self.qkv(hidden_states).reshape(n, 3, self.num_heads, -1).permute(1, 0, 2, 3).unbind(0)
        q, k = qwen.apply_rotary_pos_emb_vision(q, k, *position_embeddings)
        if perturb:  # deliberately wrong: one segment over every patch, window boundaries ignored
            cu_seqlens = cu_seqlens[[0, -1]]
        # The model passes max_seqlen only on its flash path; otherwise read it here (one small sync per block)
        max_len = int(cu_seqlens.diff().max()) if max_seqlen is None else max_seqlen
        return self.proj(core(q, k, v, cu_seqlens, max_len, self.scaling).reshape(n, -1))

    return forward


def impls(device) -> dict:
    """impl name -> how it runs here (printed and recorded)."""
    found = {"sdpa": "transformers' installed sdpa path: one attention call per segment"}
    if device.type == "cuda":
        found["varlen"] = "torch.nn.attention.varlen.varlen_attn, one call per block over cu_seqlens"
    else:
        found["varlen"] = (
            "varlen_attn is CUDA only (its kernel, aten::_flash_attention_forward, has no CPU "
            "backend): here one block-diagonal masked sdpa call per block instead"
        )
    found["padded"] = "segments padded to the longest, one batched sdpa call with a key mask per block"
    if device.type == "cuda" and importlib.util.find_spec("flash_attn") is not None:
        found["flash_attention_2"] = "transformers' flash_attention_2 path (flash_attn package)"
    return found


def set_variant(model, config, layout: str, impl: str, perturb: str = "") -> None:
    model.fullatt_block_indexes = config.fullatt_block_indexes if layout == "window" else list(range(config.depth))
    model.config._attn_implementation = "flash_attention_2" if impl == "flash_attention_2" else "sdpa"
    for block in model.blocks:
        attn = block.attn
        attn.__dict__.pop("forward", None)  # back to the installed forward
        if impl in CORES:
            attn.forward = attention_forward(CORES[impl], perturb == impl).__get__(attn)


def inputs(side: int, config, device, dtype) -> tuple:
    h, w = resized(side, config)
    grid = torch.tensor([[1, h // config.patch_size, w // config.patch_size]], device=device)
    width = config.in_channels * config.temporal_patch_size * config.patch_size**2
    return (h, w), grid, torch.randn(int(grid.prod()), width, device=device, dtype=dtype)


def run(model, pixels, grid):
    with torch.no_grad():
        return model(pixels, grid_thw=grid).pooler_output


def relative_error(a, b) -> float:
    return float((a.float() - b.float()).norm() / b.float().norm())


def exactness(config, device, sides) -> list:
    """fp32, same weights: max |window - full| of the merged output (0.0 where the image is one window)."""
    torch.manual_seed(0)
    model = qwen.Qwen2_5_VisionTransformerPretrainedModel._from_config(config, dtype=torch.float32)
    model = model.to(device).eval()
    rows = []
    for side in sides:
        size, grid, pixels = inputs(side, config, device, torch.float32)
        outputs = {}
        for layout in ("window", "full"):
            set_variant(model, config, layout, "sdpa")
            outputs[layout] = run(model, pixels, grid)
        rows.append(
            {
                "side": side,
                "resized": list(size),
                "max_abs_diff": float((outputs["window"] - outputs["full"]).abs().max()),
            }
        )
    return rows


def check_exactness(rows) -> None:
    for row in rows:
        one_window = row["side"] in EXACT_SIDES
        if one_window and row["max_abs_diff"] != 0.0:
            raise CheckFailed(f"window and full layouts differ at {row['side']} px (one window): {row}")
        if not one_window and row["max_abs_diff"] == 0.0:
            raise CheckFailed(f"window and full layouts agree at {row['side']} px: the check cannot see a difference")


def timed(model, pixels, grid, device, repeats: int, warmup: int):
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(warmup):
        output = run(model, pixels, grid)
    ms = []
    for _ in range(repeats):
        sync()
        start = time.perf_counter()
        run(model, pixels, grid)
        sync()
        ms.append(round((time.perf_counter() - start) * 1000, 2))
    return output, ms


def measure(config, device, sides, dtype, repeats: int, warmup: int, perturb: str = "") -> tuple:
    torch.manual_seed(0)
    model = qwen.Qwen2_5_VisionTransformerPretrainedModel._from_config(config, dtype=dtype)
    model = model.to(device).eval()
    names = impls(device)
    for impl, how in names.items():
        print(f"  impl {impl}: {how}", flush=True)
    rows = []
    for side in sides:
        size, grid, pixels = inputs(side, config, device, dtype)
        patches = int(grid.prod())
        n = repeats if patches <= 20000 else max(3, repeats - 2)
        row = {
            "side": side,
            "resized": list(size),
            "patches": patches,
            "windows": len(
                qwen.get_vision_window_index(
                    grid.cpu(), config.spatial_merge_size, config.window_size, config.patch_size
                )[1]
            )
            - 1,
            "ms": {},
        }
        for layout in ("window", "full"):
            outputs = {}
            for impl in names:
                set_variant(model, config, layout, impl, perturb)
                outputs[impl], row["ms"][f"{layout}/{impl}"] = timed(model, pixels, grid, device, n, warmup)
            for impl in names:
                if impl == "sdpa":
                    continue
                error = relative_error(outputs[impl], outputs["sdpa"])
                row.setdefault(f"{impl}_vs_sdpa_relative_error", {})[layout] = round(error, 5)
                if layout == "window":  # the field the reference record carries
                    row[f"{impl}_vs_sdpa_max_abs_diff"] = float((outputs[impl] - outputs["sdpa"]).abs().max())
                if not error < TOLERANCE:
                    raise CheckFailed(
                        f"{layout}/{impl} disagrees with {layout}/sdpa at {side} px: relative "
                        f"error {error:.4f} >= {TOLERANCE}"
                    )
        medians = {key: statistics.median(values) for key, values in row["ms"].items()}
        print(
            f"  {side:>5} px, {patches:>6} patches: " + ", ".join(f"{k} {v:.1f}" for k, v in medians.items()) + " ms",
            flush=True,
        )
        rows.append(row)
    return rows, names


def gpu_driver() -> str:
    try:
        return subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiny", action="store_true", help="tiny config on the CPU: seconds, same code paths")
    parser.add_argument("--out", type=Path, help="also write the record here")
    parser.add_argument("--repeats", type=int, help="timed forwards per variant (default 5; 2 with --tiny)")
    parser.add_argument("--perturb", default="", choices=["", *CORES], help="break IMPL on purpose (tests)")
    args = parser.parse_args(argv)
    args.repeats = args.repeats or (2 if args.tiny else 5)
    started = time.perf_counter()
    device = torch.device("cpu" if args.tiny or not torch.cuda.is_available() else "cuda")
    if device.type == "cpu" and not args.tiny:
        parser.error("no CUDA GPU here: pass --tiny for the CPU mode")
    config = config_for(args.tiny)
    if args.tiny:
        torch.set_num_threads(1)  # tiny matrices: more threads only wait for each other
    sides = TINY_SIDES if args.tiny else SIDES
    print(f"device {device}, {'tiny config' if args.tiny else CHECKPOINT + ' vision dims'}, bf16", flush=True)
    exact = exactness(config, device, (*EXACT_SIDES, CONTROL_SIDE))
    check_exactness(exact)
    print(f"  fp32 window vs full, max |diff|: {[(r['side'], r['max_abs_diff']) for r in exact]}", flush=True)
    rows, names = measure(config, device, sides, torch.bfloat16, args.repeats, warmup=2, perturb=args.perturb)
    record = {
        "script": "scripts/gpu_wall_time.py",
        "tiny": args.tiny,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
        "driver": gpu_driver() if device.type == "cuda" else None,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "dtype": str(torch.bfloat16),
        "dims": {field: getattr(config, field) for field in FIELDS},
        "pixel_bounds": RELEASED["preprocessor_config"],
        "warmup": 2,
        "repeats": args.repeats,
        "impls": names,
        "varlen_attn": device.type == "cuda",
        "checks": {"tolerance": TOLERANCE, "agreement": "passed", "exactness": "passed"},
        "equivalence": exact,
        "rows": rows,
        "elapsed_s": round(time.perf_counter() - started, 1),
    }
    targets = [args.out] if args.out else []
    if device.type == "cuda":
        targets.append(OUT)
    for target in targets:
        target.write_text(json.dumps(record, indent=1) + "\n")
        print(f"wrote {target}")
    return record


if __name__ == "__main__":
    try:
        main()
    except CheckFailed as failure:
        sys.exit(f"check failed: {failure}")
