"""Pictures of a student's training run beside the reference's, for the feedback.

A training item trains the student's model and the reference from the same
start. What the run records (`history`: the loss per epoch or step;
`grad_history`: a gradient's size per step; `grid`: the predicted class on a
GRID x GRID lattice over the data's box) is drawn here, in the trusted
process, with matplotlib's Agg backend: student code never runs to draw. The
student's numbers arrive as any value from the child does, so they are checked
here again (shape, size, type); a value that is not finite is left out of a
curve, as a gap. A figure never costs a point: whatever goes wrong while
drawing becomes a sentence in its place.

In results.json each drawn item gets an informational entry after its own
(no points, the item's visibility) whose output is HTML: a data-URI PNG and
a caption. `figures_of(results)` gives (title, data URI, caption) for
feedback.html.
"""
import base64
import html
import io
import re

import numpy as np

GRID = 40  # cells per side of a decision-boundary lattice
MAX_CURVE = 5000  # points kept of a curve (evenly spaced); a longer history is thinned
DPI = 60
PANEL = (2.6, 2.3)  # inches per panel
COLORS = ("#4c72b0", "#dd8452")  # the student's, the reference's
CLASS_COLORS = ("#a6c8e6", "#f4c59a", "#b8dcb0", "#e6a6a6", "#cdbde6")
URI = re.compile(r'src="(data:image/png;base64,[A-Za-z0-9+/=]+)"')
NOT_DRAWN = "The picture of this run could not be drawn ({}); the score does not depend on it."


def lattice(X, cells=GRID):
    """A GRID x GRID lattice over the box of the 2-D points `X` (a margin of a tenth each side):
    the inputs (cells*cells, 2) to predict on, and the box (x0, x1, y0, y1)."""
    X = np.asarray(X, dtype=float)
    low, high = X.min(axis=0), X.max(axis=0)
    margin = (high - low) / 10
    low, high = low - margin, high + margin
    xs, ys = np.linspace(low[0], high[0], cells), np.linspace(low[1], high[1], cells)
    inputs = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    return inputs, (low[0], high[0], low[1], high[1])


def curve(value):
    """A history as a 1-D float array (at most MAX_CURVE points, non-finite values as NaN), or
    None if it is not a flat sequence of numbers."""
    try:
        values = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
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
    except (TypeError, ValueError):
        return None
    if values.size != cells * cells or not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        return None
    if values.min() < 0 or values.max() > 9:
        return None
    return values.astype(int).reshape(cells, cells)


def _boundary(ax, grid, box, points, title):
    from matplotlib.colors import ListedColormap
    ax.imshow(grid % len(CLASS_COLORS), origin="lower", extent=box, cmap=ListedColormap(CLASS_COLORS), vmin=0,
              vmax=len(CLASS_COLORS) - 1, aspect="auto", interpolation="nearest")
    if points is not None:
        X, y = points
        ax.scatter(X[:, 0], X[:, 1], c=np.asarray(y) % 2, s=4, cmap="coolwarm", linewidths=0)
    ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])


def _curves(ax, mine, theirs, title):
    for values, color, label in ((theirs, COLORS[1], "reference"), (mine, COLORS[0], "yours")):
        if values is not None:
            ax.plot(np.arange(len(values)), values, color=color, linewidth=1, label=label)
    ax.set_title(title, fontsize=8)
    ax.tick_params(labelsize=6)
    ax.legend(fontsize=6, frameon=False)


def _bar(ax, name, mine, theirs, bound):
    ax.barh([1, 0], [mine, theirs], color=COLORS, height=0.6)
    ax.set_yticks([1, 0], ["yours", "reference"], fontsize=7)
    if bound is not None:
        ax.axvline(bound, color="#333333", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_title(f"{name}" + (f" (bar {bound:g})" if bound is not None else ""), fontsize=8)
    ax.tick_params(labelsize=6)


def panels(mine, theirs, measure=None, bound=None, points=None, box=None):
    """What can be drawn of two runs' records: a list of (kind, arguments), in order."""
    out = []
    grids = classes(mine.get("grid")), classes(theirs.get("grid"))
    if box is not None and grids[0] is not None and grids[1] is not None:
        out += [("boundary", (grids[0], box, points, "your model")),
                ("boundary", (grids[1], box, points, "the reference's"))]
    for key, title in (("history", "loss"), ("grad_history", "gradient magnitude")):
        mine_curve, their_curve = curve(mine.get(key)), curve(theirs.get(key))
        if mine_curve is not None or their_curve is not None:
            out.append(("curves", (mine_curve, their_curve, title)))
    if measure and measure in mine and measure in theirs:
        out.append(("bar", (measure, float(mine[measure]), float(theirs[measure]), bound)))
    return out


def draw(mine, theirs, measure=None, bound=None, points=None, box=None):
    """One PNG (as a data URI) with a panel per thing recorded, yours beside the reference's;
    None when nothing was recorded."""
    chosen = panels(mine, theirs, measure, bound, points, box)
    if not chosen:
        return None
    from .report import plt  # Agg, chosen where report.html's figures are drawn
    fig, axes = plt.subplots(1, len(chosen), figsize=(PANEL[0] * len(chosen), PANEL[1]), squeeze=False)
    try:
        painters = {"boundary": _boundary, "curves": _curves, "bar": _bar}
        for ax, (kind, args) in zip(axes[0], chosen):
            painters[kind](ax, *args)
        fig.tight_layout()
        return png_uri(fig)
    finally:
        plt.close(fig)


def png_uri(fig):
    """The figure as a small PNG data URI: low dpi, reduced to a palette of at most 64 colours."""
    from PIL import Image
    raw = io.BytesIO()
    fig.savefig(raw, format="png", dpi=DPI)
    raw.seek(0)
    small = io.BytesIO()
    Image.open(raw).convert("RGB").quantize(colors=64).save(small, format="png", optimize=True)
    return "data:image/png;base64," + base64.b64encode(small.getvalue()).decode()


def figure(title, caption, mine, theirs, **how):
    """(title, data URI or None, caption) for an item's run: a drawing failure becomes the caption."""
    return safely(title, lambda: (title, draw(mine, theirs, **how), caption))


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
