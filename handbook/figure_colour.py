"""Is colour the only thing that tells a figure's categories apart? An automated proxy, on the SVG markup.

The handbook's figures are matplotlib SVGs (snippets/svg_figure.py: text kept as <text>, hatches as
<pattern>). `problems(svg)` reads one and reports:

1. No words: the figure has no <text> (no axis label, legend, tick or value label). Colour alone then
   has to carry whatever the figure shows.
2. Two colours, one look: every drawn mark gets a signature made of everything except its colour:
   - an area (bar, patch, fill_between): its hatch pattern's shape, or "plain";
   - a line (ax.plot): its dash pattern, its marker's shape, and its width (widths count as different
     only when they differ by half or more);
   - a scatter point: its marker's shape.
   If a mark of colour A and a mark of colour B have the same signature, a reader who cannot tell A
   from B (colour-blind, greyscale print) cannot tell those marks apart: the check fails and names
   both colours. One colour may stay plain; the others need a hatch, a dash, a marker or a width.

Not judged: tick marks, grid lines and axis frames (drawn in currentColor or inside the axis groups),
continuous colour maps (QuadMesh, images: read through a labelled colour bar or printed values, which
rule 1 requires as text), and which text labels which mark (a direct label next to a line is a fine
carrier of meaning that this proxy cannot see, so give such lines a dash or marker too).
"""

import hashlib
import re
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
NEUTRAL = {"none", "currentcolor", "#ffffff", "#fff", "white", "transparent"}
SKIP_GROUPS = ("QuadMesh", "matplotlib.axis", "image", "legend_frame")
WIDTH_FACTOR = 1.5


def _style(element) -> dict:
    pairs = (part.split(":", 1) for part in element.get("style", "").split(";") if ":" in part)
    style = {key.strip(): value.strip() for key, value in pairs}
    for attribute in ("fill", "stroke", "stroke-width", "stroke-dasharray"):
        if element.get(attribute) is not None and attribute not in style:
            style[attribute] = element.get(attribute)
    return style


def _colour(value):
    value = (value or "none").strip().lower()
    return None if value in NEUTRAL or value.startswith("url(") else value


def _shape(d: str):
    """A short name for a path's shape, wherever it is drawn (coordinates relative to its first point)."""
    tokens = re.findall(r"[A-Za-z]|-?\d+(?:\.\d+)?(?:e-?\d+)?", d or "")
    numbers = [float(t) for t in tokens if not t.isalpha()]
    if len(numbers) < 2:
        return "shape-" + "".join(tokens)
    x0, y0 = numbers[0], numbers[1]
    out, index = [], 0
    for token in tokens:
        if token.isalpha():
            out.append(token)
        else:
            origin = x0 if index % 2 == 0 else y0
            out.append(round(float(token) - origin, 1))
            index += 1
    return "shape-" + hashlib.sha1(repr(out).encode()).hexdigest()[:8]


def _tag(element) -> str:
    return element.tag.replace(SVG_NS, "")


def _similar(a, b) -> bool:
    if a[0] != b[0] or a[0] != "line":
        return a == b
    (_, dash_a, marker_a, width_a), (_, dash_b, marker_b, width_b) = a, b
    if dash_a != dash_b or marker_a != marker_b:
        return False
    return max(width_a, width_b) / max(min(width_a, width_b), 1e-6) < WIDTH_FACTOR


def marks(svg_text: str) -> dict:
    """colour -> set of non-colour signatures of the marks drawn in that colour."""
    root = ET.fromstring(svg_text)
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    found: dict = {}

    def add(colour, signature):
        if colour:
            found.setdefault(colour, set()).add(signature)

    def pattern_of(fill: str):
        match = re.match(r"url\(#([^)]+)\)", fill or "")
        pattern = by_id.get(match.group(1)) if match else None
        if pattern is None:
            return None, None
        colour, hatch = None, []
        for child in pattern:
            style = _style(child)
            if _tag(child) == "rect":
                colour = _colour(style.get("fill"))
            elif _tag(child) == "path":
                hatch.append(_shape(child.get("d")))
                colour = colour or _colour(style.get("stroke"))
        return colour, tuple(hatch)

    def line(group):
        colour, dash, width, marker = None, "solid", 1.0, None
        for child in group.iter():
            style = _style(child)
            if (
                _tag(child) == "path"
                and child.get("id") is None
                and _colour(style.get("stroke"))
                and style.get("fill", "none") == "none"
            ):
                colour = _colour(style["stroke"])
                dash = style.get("stroke-dasharray", "solid")
                width = float(style.get("stroke-width", "1") or 1)
            elif _tag(child) == "use":
                target = by_id.get((child.get(XLINK_HREF) or child.get("href") or "").lstrip("#"))
                marker = _shape(target.get("d")) if target is not None else marker
                colour = colour or _colour(style.get("fill")) or _colour(style.get("stroke"))
        add(colour, ("line", dash, marker, width))

    def walk(element, in_collection=False):
        tag, ident = _tag(element), element.get("id") or ""
        if tag in ("defs", "pattern", "clipPath", "image", "title", "text") or ident.startswith(SKIP_GROUPS):
            return
        if tag == "g" and ident.startswith("line2d_"):
            return line(element)
        in_collection = in_collection or (tag == "g" and ident.startswith("PathCollection"))
        if tag in ("path", "rect", "polygon", "circle", "ellipse", "use"):
            style = _style(element)
            fill = style.get("fill", "none")  # unset: inherits currentColor from the root
            if in_collection:
                target = by_id.get((element.get(XLINK_HREF) or "").lstrip("#")) if tag == "use" else element
                shape = _shape(target.get("d")) if target is not None else None
                add(_colour(fill) or _colour(style.get("stroke")), ("marker", shape))
            elif fill.startswith("url("):
                colour, hatch = pattern_of(fill)
                add(colour, ("area", hatch))
            elif _colour(fill):
                add(_colour(fill), ("area", "plain"))
        for child in element:
            walk(child, in_collection)

    walk(root)
    return found


def problems(svg_text: str) -> list:
    out = []
    root = ET.fromstring(svg_text)
    words = [t for t in ("".join(e.itertext()).strip() for e in root.iter(f"{SVG_NS}text")) if t]
    if not words:
        out.append("no text at all (no axis label, legend or value label): colour would carry everything")
    found = marks(svg_text)
    colours = sorted(found)
    for i, a in enumerate(colours):
        for b in colours[i + 1 :]:
            shared = [sa for sa in found[a] for sb in found[b] if _similar(sa, sb)]
            if shared:
                out.append(
                    f"{a} and {b} are told apart only by colour ({shared[0][0]} drawn the same way): "
                    f"add a hatch, dash, marker or clearly different width"
                )
    return out


def figure_svgs(html: str) -> list:
    """The inline SVGs of the handbook's figures in one built page."""
    return re.findall(r'<figure class="handbook-figure">\s*(<svg\b.*?</svg>)', html, re.DOTALL)
