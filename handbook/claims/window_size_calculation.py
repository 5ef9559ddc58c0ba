"""Ledger entries for section 2 of the analysis, "Critical Window Size Calculation"."""

from transformers import Qwen2_5_VLVisionConfig

from handbook.claims import Claim, Result
from handbook.snippets import load

merger_window_size = load("window_size_calculation/statement").merger_window_size
merger_window_statement = load("window_size_calculation/statement").merger_window_statement
window_patch_counts = load("window_size_calculation/window_lengths").window_patch_counts
old_release = load("versions/window_index_4_52_4")
OLD_DIR, OLD_VERSION = old_release.OLD_DIR, old_release.OLD_VERSION

ANALYSIS_STATEMENT = "vit_merger_window_size = self.window_size // self.spatial_merge_size // self.patch_size"
# The file the analysis cites, as released in its transformers version (installed apart by make).
ANALYSIS_FILE = OLD_DIR / "transformers" / "models" / "qwen2_5_vl" / "modeling_qwen2_5_vl.py"


def code(text: str) -> str:
    """A statement with whitespace and `self.` removed: the method of 4.52 became a function of arguments."""
    return " ".join(text.replace("self.", "").split())


def cited_lines(first: int, last: int, source=ANALYSIS_FILE) -> list:
    """Lines first..last (1-based, inclusive) of a source file; FileNotFoundError if it is not installed: loud."""
    return source.read_text().splitlines()[first - 1 : last]


def line_citation(first: int, last: int, quoted: tuple, source=ANALYSIS_FILE) -> Result:
    """The rule for line citations: confirmed if the cited lines of the cited file, in the analysis' release,
    are the quoted statements; refuted if not. Where the statements are today is reported, not judged."""
    found = cited_lines(first, last, source)
    same = [code(line) for line in found if line.strip()] == [code(line) for line in quoted]
    where = f"lines {first}-{last}" if last != first else f"line {first}"
    now = merger_window_statement()
    evidence = (
        f"{where.capitalize()} of `{source.name}` in "
        f"{'transformers ' + OLD_VERSION if source == ANALYSIS_FILE else 'the installed transformers'} "
        f"{'holds' if first == last else 'hold'} "
        f"`{' '.join(code(line) for line in found)}`. The window code is now `{now.repo_path}`, around line "
        f"{now.first}, in transformers {now.version}."
    )
    return Result("confirmed" if same else "refuted", evidence)


def check_formula(installed=None) -> Result:
    """Description of the code: the installed statement computes what the analysis writes."""
    installed = installed or merger_window_statement()
    same = code(installed.text) == code(ANALYSIS_STATEMENT)
    where = f"`{installed.repo_path}` line {installed.first}"
    if same:
        return Result(
            "confirmed",
            f"The installed statement at {where} is the same computation "
            f"(`self.` attributes became function arguments): `{installed.text.strip()}`.",
        )
    return Result("refuted", f"The installed statement at {where} reads `{installed.text.strip()}`.")


def check_value(config=None) -> Result:
    config = config or Qwen2_5_VLVisionConfig()
    value = merger_window_size(config)
    return Result(
        "confirmed" if value == 4 else "refuted",
        f"Evaluating the installed statement with the config's values ({config.window_size} // "
        f"{config.spatial_merge_size} // {config.patch_size}) gives {value}.",
    )


def check_line_442(source=ANALYSIS_FILE) -> Result:
    return line_citation(442, 442, (ANALYSIS_STATEMENT,), source)


def check_at_least_4x4_patches(window_size: int = None, sides=(84, 476)) -> Result:
    """Two parts: the unit (is a window 4x4 *patches*?) and the floor (does every window hold at least 16?)."""
    config = Qwen2_5_VLVisionConfig(**({"window_size": window_size} if window_size else {}))
    tokens_side = merger_window_size(config)
    patches_side = tokens_side * config.spatial_merge_size  # window side in patches
    counts = {side: window_patch_counts(side, config.window_size) for side in sides}
    largest = max(max(c) for c in counts.values())
    smallest = {side: min(c) for side, c in counts.items()}
    unit_right = patches_side == 4 and largest == 16
    floor_holds = all(value >= 16 for value in smallest.values())
    verdict = "confirmed" if unit_right and floor_holds else "partly true" if unit_right or floor_holds else "refuted"
    return Result(
        verdict,
        (
            f"A window is {tokens_side}x{tokens_side} merged tokens = {patches_side}x{patches_side} = "
            f"{patches_side**2} patches at most (largest seen: {largest} patches), "
            f"{'as' if patches_side == 4 else 'not'} 4x4 patches; and nothing sets a minimum: the smallest window holds "
            + ", ".join(f"{n} patches at {side}x{side}" for side, n in smallest.items())
            + "."
        ),
    )


THREE = ("confirmed", "partly true", "refuted")
CLAIMS = [
    Claim("s2-formula", "2", ANALYSIS_STATEMENT, check_formula, verdicts=("confirmed", "refuted")),
    Claim(
        "s2-value-4", "2", "vit_merger_window_size = 112 // 2 // 14 = 4", check_value, verdicts=("confirmed", "refuted")
    ),
    Claim(
        "s2-line-442", "2", "From modeling_qwen2_5_vl.py line 442", check_line_442, verdicts=("confirmed", "refuted")
    ),
    Claim(
        "s2-at-least-4x4-patches",
        "2",
        "the model expects at least 4x4 patches per attention window",
        check_at_least_4x4_patches,
        verdicts=THREE,
    ),
]
