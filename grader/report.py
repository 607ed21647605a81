"""report.html for instructors: where a class lost points, and to which bugs.

Self-contained: figures are PNGs embedded as data URIs, so the file can be
mailed or opened offline. Bug classes come from the tags checks emit, worded
by the sentences each check puts in its results (`extra_data.bugs`).
"""
import base64
import html
import io
from collections import Counter

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

GENERIC_TAGS = {"wrong-values", "gradient-check", "printed-derivatives"}  # no specific bug named


def figure_uri(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def bug_counts(graded):
    """(item number, item name, tag) -> submissions that lost points there with that tag."""
    counts = Counter()
    for _, result in graded:
        for test in result["tests"]:
            if test.get("max_score") and test["score"] < test["max_score"]:
                for tag in set(test.get("tags", [])) - GENERIC_TAGS:
                    counts[(test["number"], test["name"], tag)] += 1
    return counts


def bug_sentences(graded):
    """(item number, tag) -> the sentence the check gave for that bug."""
    return {(test["number"], tag): text for _, result in graded for test in result["tests"]
            for tag, text in test.get("extra_data", {}).get("bugs", {}).items()}


def pass_rates(graded):
    """Item 'number name' -> fraction of submissions with full marks on it."""
    rates = {}
    for _, result in graded:
        for test in result["tests"]:
            if test.get("max_score"):
                key = f"{test['number']} {test['name']}"
                rates.setdefault(key, []).append(test["score"] >= test["max_score"])
    return {k: sum(v) / len(v) for k, v in rates.items()}


def figures(assignment, graded):
    scores = [r["score"] for _, r in graded]
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.hist(scores, bins=min(20, max(5, len(scores))), range=(0, assignment.total_points), color="#4c72b0")
    ax.set_xlabel(f"score (out of {assignment.total_points:g})")
    ax.set_ylabel("submissions")
    ax.set_title("Score distribution")
    yield "Score distribution", figure_uri(fig)

    rates = pass_rates(graded)
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(rates) + 1))
    ax.barh(list(rates)[::-1], [100 * r for r in list(rates.values())[::-1]], color="#55a868")
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of submissions with full marks")
    ax.set_title("Pass rate per item")
    yield "Pass rate per item", figure_uri(fig)

    counts, words = bug_counts(graded).most_common(10), bug_sentences(graded)
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(len(counts), 1) + 1))
    labels = [f"{number}: {words.get((number, tag), tag)}" for (number, _, tag), _ in counts][::-1]
    ax.barh(labels or ["(no bug classes found)"], [100 * n / len(graded) for _, n in counts][::-1] or [0],
            color="#c44e52")
    ax.set_xlabel("% of submissions")
    ax.set_title("Most common bug classes")
    yield "Most common bug classes", figure_uri(fig)


def write_report(path, assignment, graded):
    """graded: [(submission name, results dict)]."""
    if not graded:
        path.write_text("<!doctype html><title>No submissions</title><p>No submissions were found.</p>")
        return path
    esc, words = html.escape, bug_sentences(graded)
    sentences = [f"<li>{100 * n / len(graded):.0f}% {esc(words.get((number, tag), tag))} in {esc(number)} "
                 f"<em>{esc(name)}</em></li>" for (number, name, tag), n in bug_counts(graded).most_common(8)]
    rows = "".join(f"<tr><td>{esc(name)}</td><td>{r['score']:g}</td></tr>" for name, r in graded)
    images = "".join(f'<h2>{esc(title)}</h2><img alt="{esc(title)}" src="{uri}">'
                     for title, uri in figures(assignment, graded))
    mean = sum(r["score"] for _, r in graded) / len(graded)
    path.write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(assignment.title)}: grading report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}} img{{max-width:100%}}
td,th{{padding:0 1em;text-align:left}}</style>
<script>window.addEventListener("load", () => {{
  document.body.dataset.figuresShown = [...document.images].filter(i => i.naturalWidth > 0).length;
}});</script></head>
<body><h1>{esc(assignment.slug)}: {esc(assignment.title)}</h1>
<p>{len(graded)} submissions, mean score {mean:.2f} of {assignment.total_points:g}.</p>
<h2>What went wrong most often</h2><ul>{''.join(sentences) or '<li>Nothing: every item passed.</li>'}</ul>
{images}
<h2>Scores</h2><table><tr><th>submission</th><th>score</th></tr>{rows}</table>
</body></html>
""")
    return path
