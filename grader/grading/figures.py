"""Pictures of a student's training run beside the reference's, for the feedback.

A training item trains the student's model and the reference from the same
start. What the run records (`history`: the loss per epoch or step;
`grad_history`: a gradient's size per step; `grid`: the predicted class on a
GRID x GRID lattice over the data's box) is drawn here, in the trusted
process: student code never runs to draw. The student's numbers arrive as any
value from the child does, so they are checked here again (shape, size, type);
a value that is not finite is left out of a curve. A figure never
costs a point: whatever goes wrong while drawing becomes a sentence in its
place.

The pixels are set with numpy and written as a palette PNG (15 colours, a
few KB), not drawn with matplotlib: importing matplotlib alone costs about
0.3 CPU-s in a grading process, a third of an a1 grade, and a figure may add
a tenth at most (docs/benchmarks.md). The picture carries no text; its
caption says what each panel shows, the scales and the final values.

In results.json each drawn item gets an informational entry after its own
(no points, the item's visibility) whose output is HTML: a data-URI PNG and
a caption. `figures_of(results)` gives (title, data URI, caption) for
feedback.html.
"""
import base64
import html
import re
import struct
import zlib

import numpy as np

from ..kit.training import GRID_CELLS as GRID, lattice

MAX_CURVE = 5000  # points kept of a curve (evenly spaced); a longer history is thinned
SIDE = 3 * GRID  # pixels per side of a panel (a lattice cell is 3 x 3)
GAP = 8
CLASSES = 5  # colours of regions and points; more classes repeat them
PALETTE = ("#ffffff", "#c8c8c8", "#333333", "#4c72b0", "#dd8452",  # white, frame, dark, yours, the reference's
           "#a6c8e6", "#f4c59a", "#b8dcb0", "#e6a6a6", "#cdbde6",  # regions, class by class
           "#1f4e8c", "#b5400f", "#2a7a2a", "#8c1f1f", "#5a3d8c")  # points, a darker shade of their class
FRAME, DARK, YOURS, REFERENCE, REGIONS, POINTS = 1, 2, 3, 4, 5, 10
CURVE_NAMES = {"history": "loss", "grad_history": "gradient magnitude"}
URI = re.compile(r'src="(data:image/png;base64,[A-Za-z0-9+/=]+)"')
NOT_DRAWN = "The picture of this run could not be drawn ({}); the score does not depend on it."


def box_of(X):
    """The box (x0, x1, y0, y1) of the lattice a run predicted on (grader.kit.training.lattice)."""
    inputs = lattice(X, GRID)
    return inputs[:, 0].min(), inputs[:, 0].max(), inputs[:, 1].min(), inputs[:, 1].max()


def curve(value):
    """A history as a 1-D float array (at most MAX_CURVE points, non-finite values as NaN, left
    out when drawn), or
    None if it is not a flat sequence of numbers."""
    try:
        values = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None
    if values.ndim != 1 or not values.size:
        return None
    if values.size > MAX_CURVE:
        values = values[np.linspace(0, values.size - 1, MAX_CURVE).astype(int)]
    return np.where(np.isfinite(values), values, np.nan)


def classes(value, cells=GRID):
    """Predicted classes on the lattice as a (cells, cells) int array, or None if they are not
    cells*cells whole numbers from 0 to 9."""
    try:
        values = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError, OverflowError):
        return None
    if values.size != cells * cells or not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        return None
    if values.min() < 0 or values.max() > 9:
        return None
    return values.astype(int).reshape(cells, cells)


def _regions(panel, grid, box, points):
    cells = panel.shape[0] // grid.shape[0]
    panel[:] = REGIONS + np.repeat(np.repeat(grid[::-1] % CLASSES, cells, axis=0), cells, axis=1)
    if points is not None:
        X, y = np.asarray(points[0], dtype=float), np.asarray(points[1], dtype=int)
        size = panel.shape[0] - 2
        cols = np.clip(((X[:, 0] - box[0]) / (box[1] - box[0]) * size).astype(int), 0, size)
        rows = np.clip(((box[3] - X[:, 1]) / (box[3] - box[2]) * size).astype(int), 0, size)
        for dr in (0, 1):
            for dc in (0, 1):
                panel[rows + dr, cols + dc] = POINTS + y % CLASSES


def _trace(panel, values, low, high, color, width):
    """A curve stretched over the panel's width: in each pixel column, a stroke from the lowest to
    the highest value that falls in it (or that the line crosses it at), `width` pixels wider."""
    finite = np.isfinite(values)
    if not finite.any():
        return
    size = panel.shape[0] - 1
    columns = panel.shape[1]
    xs = np.linspace(0, columns - 1, len(values))[finite]
    ys = (high - values[finite]) / (high - low) * size  # pixel rows, 0 at the top
    edges = np.interp(np.arange(columns + 1) - 0.5, xs, ys)
    top, bottom = np.minimum(edges[:-1], edges[1:]), np.maximum(edges[:-1], edges[1:])
    column = np.clip(np.round(xs).astype(int), 0, columns - 1)
    np.minimum.at(top, column, ys)
    np.maximum.at(bottom, column, ys)
    inside = (xs.min() - 0.5 <= np.arange(columns)) & (np.arange(columns) <= xs.max() + 0.5)
    rows = np.arange(panel.shape[0])[:, None]
    reach = width // 2
    panel[(rows >= np.round(top) - reach) & (rows <= np.round(bottom) + reach) & inside] = color


def _curves(panel, mine, theirs):
    """Both curves on one scale (returned), the reference's wider and beneath."""
    known = np.concatenate([c[np.isfinite(c)] for c in (mine, theirs) if c is not None] or [np.zeros(0)])
    low, high = (float(known.min()), float(known.max())) if known.size else (0.0, 1.0)
    high = high if high > low else low + 1.0
    for values, color, width in ((theirs, REFERENCE, 3), (mine, YOURS, 1)):
        if values is not None:
            _trace(panel, values, low, high, color, width)
    return low, high


def _bars(panel, mine, theirs, bound, top):
    size = panel.shape[1] - 2
    third = panel.shape[0] // 3
    for row, value, color in ((third // 2, mine, YOURS), (third * 3 // 2 + third // 2, theirs, REFERENCE)):
        if np.isfinite(value):
            panel[row:row + third, 1:1 + int(np.clip(value / top, 0, 1) * size)] = color
    if bound is not None and np.isfinite(bound):
        panel[(np.arange(panel.shape[0]) // 4) % 2 == 0, 1 + int(np.clip(bound / top, 0, 1) * size)] = DARK


def panels(mine, theirs, measure=None, bound=None, points=None, box=None, at_least=True):
    """What can be drawn of two runs' records: a list of (kind, arguments), in order."""
    out = []
    if box is not None:
        out += [("regions", (grid, box, points, whose)) for grid, whose in
                ((classes(mine.get("grid")), "your model"), (classes(theirs.get("grid")), "the reference's model"))
                if grid is not None]
    for key in ("history", "grad_history"):
        mine_curve, their_curve = curve(mine.get(key)), curve(theirs.get(key))
        if mine_curve is not None or their_curve is not None:
            out.append(("curves", (key, mine_curve, their_curve)))
    if measure and (measure in mine or measure in theirs):
        out.append(("bars", (measure, _float(mine.get(measure)), _float(theirs.get(measure)), bound, at_least)))
    return out


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return float("nan")


def _number(value):
    return f"{value:.4g}" if np.isfinite(value) else "none"


def draw(mine, theirs, measure=None, bound=None, points=None, box=None, unit="recorded step", at_least=True):
    """One palette PNG (as a data URI) with a panel per thing recorded, yours beside the
    reference's, and the words that read it; (None, '') when nothing was recorded. `bound` is the
    item's bar on `measure`: `at_least` that much, else at most."""
    chosen = panels(mine, theirs, measure, bound, points, box, at_least)
    if not chosen:
        return None, ""
    canvas = np.zeros((SIDE + 2 * GAP, len(chosen) * (SIDE + GAP) + GAP), dtype=np.uint8)
    words = []
    for index, (kind, args) in enumerate(chosen):
        left = GAP + index * (SIDE + GAP)
        canvas[GAP - 1:GAP + SIDE + 1, left - 1:left + SIDE + 1] = FRAME
        panel = canvas[GAP:GAP + SIDE, left:left + SIDE]
        panel[:] = 0
        if kind == "regions":
            _regions(panel, *args[:3])
            words.append(f"decision regions of {args[3]} (dots: the training points)")
        elif kind == "curves":
            key, mine_curve, their_curve = args
            low, high = _curves(panel, mine_curve, their_curve)
            finals = [f"{who} {_number(c[np.isfinite(c)][-1]) if c is not None and np.isfinite(c).any() else 'none'}"
                      for who, c in (("yours", mine_curve), ("the reference's", their_curve))]
            words.append(f"{CURVE_NAMES[key]} per {unit} from {_number(low)} (bottom) to {_number(high)} "
                         f"(top), blue yours, wide orange the reference's (last: {', '.join(finals)})")
        else:
            name, mine_value, their_value, bar, least = args
            top = 1.0 if name == "accuracy" else 1.3 * max([v for v in (mine_value, their_value, bar or 0.0)
                                                             if np.isfinite(v)] or [1.0]) or 1.0
            _bars(panel, mine_value, their_value, bar, top)
            words.append(f"{name} from 0 to {top:.3g}: yours {_number(mine_value)} (blue), the reference's "
                         f"{_number(their_value)} (orange)"
                         + ("" if bar is None else f", the bar: at {'least' if least else 'most'} {bar:g} (dashed)"))
    return png_uri(canvas), "Left to right: " + "; ".join(words) + "."


def png_uri(canvas):
    """A canvas of palette indices as a PNG data URI (colour type 3: one byte a pixel)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    height, width = canvas.shape
    rows = np.hstack([np.zeros((height, 1), dtype=np.uint8), canvas]).tobytes()  # filter 0 on every row
    palette = b"".join(bytes.fromhex(color[1:]) for color in PALETTE)
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
           + chunk(b"PLTE", palette) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def figure(title, caption, mine, theirs, **how):
    """(title, data URI or None, caption) for an item's run, the caption followed by the words that
    read the picture: a drawing failure becomes the caption."""
    def make():
        uri, words = draw(mine, theirs, **how)
        return title, uri, f"{caption} {words}".strip()
    return safely(title, make)


def of_training(training, number):
    """(title, data URI or None, caption) of a graded_run's record of both runs, as the check
    leaves it (`check.__training__`: item, run, limits, student, reference; docs/decisions.md,
    "Training runs"): the student's run beside the reference's, and the item's bar."""
    title = f"{number}: your training beside the reference's"

    def make():
        def flat(run):
            run = run if isinstance(run, dict) else {}
            measures = run.get("measures") if isinstance(run.get("measures"), dict) else {}
            return {**measures, **{key: value for key, value in run.items() if key != "measures"}}
        mine, theirs = flat(training.get("student")), flat(training.get("reference"))
        bars = [(name, kind, bound) for name, kind, bound in training.get("limits") or ()
                if name in ("accuracy", "error")]
        measure, kind, bound = bars[0] if bars else (None, "min", None)
        points = box = None
        source = mine if "points_X" in mine else theirs
        if "points_X" in source:
            points = np.asarray(source["points_X"], dtype=float), np.asarray(source.get("points_y"), dtype=int)
            box = box_of(points[0])
        unit = str(mine.get("history_unit", theirs.get("history_unit", "step")))
        uri, words = draw(mine, theirs, measure=measure, bound=_float(bound) if bound is not None else None,
                          points=points, box=box, unit=unit, at_least=kind == "min")
        said = ("Your code's run beside the reference's from the same start." if training.get("reference")
                else "Your code's run (the reference's is not run for this item).")
        return title, uri, f"{said} {words}".strip()
    return safely(title, make)


def safely(title, make):
    """`make()`, a (title, data URI, caption); whatever goes wrong becomes the caption instead."""
    try:
        return make()
    except Exception as problem:  # noqa: BLE001  a picture must never cost a grade
        return title, None, NOT_DRAWN.format(type(problem).__name__)


def html_of(title, uri, caption):
    """The HTML a figure entry shows (Gradescope's "html" output format; it sanitizes it)."""
    image = f'<img alt="{html.escape(title)}" src="{uri}">' if uri else ""
    return f"<figure>{image}<figcaption>{html.escape(caption)}</figcaption></figure>"


def entries(item):
    """The informational results.json entries for an item's figures: no points, the item's
    visibility, numbered under it ("5.1.0"), so nothing that reads an item by its number (grades.csv,
    the class table) mistakes one for the item."""
    return [{"name": title, "number": f"{item.number}.0", "score": 0, "max_score": 0, "status": "passed",
             "output": html_of(title, uri, caption), "output_format": "html", "visibility": item.visibility,
             "extra_data": {"figure": {"title": title, "caption": caption}}}
            for title, uri, caption in item.figures]


def figures_of(results, shown_only=True):
    """(title, data URI or None, caption) of every figure in a results dict, in order; with
    `shown_only`, not those of hidden entries."""
    out = []
    for test in results.get("tests", []):
        figure = (test.get("extra_data") or {}).get("figure")
        if not isinstance(figure, dict) or (shown_only and test.get("visibility") == "hidden"):
            continue
        found = URI.search(str(test.get("output", "")))
        out.append((str(figure.get("title", "")), found.group(1) if found else None, str(figure.get("caption", ""))))
    return out
