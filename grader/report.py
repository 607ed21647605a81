"""report.html for instructors, and a feedback page per student.

report.html says who was graded (names, SIDs, a link to each student's
page), how the class did (median and spread), which submissions need a
person to look at them (wrong file, unusable upload, import errors,
timeouts, grader failures, an untouched template or a zero), the most
common bug classes, each counted once per submission and naming who had
it, and each item's pass rate (a table, readable however many items). A
bug class is written in the words the check gave (`extra_data.bugs` in
results.json), else in the words of its tag.

Self-contained: the score histogram is a PNG embedded as a data URI, so the
files can be mailed or opened offline.
"""
import base64
import html
import io
import statistics
import urllib.parse
from collections import Counter, namedtuple

import matplotlib

from .figures import figures_of
from .late import summary
from .results import grader_faults

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import MaxNLocator  # noqa: E402

UNTOUCHED = "submitted the unmodified template: no item was attempted"
MAX_BARS = 25  # distinct scores drawn one bar each; more are binned
GENERIC_TAGS = {"wrong-values", "gradient-check", "printed-derivatives"}  # no specific bug named
ATTENTION = {  # tag or intake flag -> why a person should look at the submission
    "missing-file": "a required file is missing or misnamed",
    "renamed-file": "a required file was found under another name",
    "bad-submission": "the upload could not be used",
    "zip-in-zip": "a zip inside the zip",
    "python2": "Python 2 code",
    "import-error": "a file failed to import",
    "timeout": "a check timed out",
    "submission-timeout": "grading hit the overall time limit",
    "crash": "the sandboxed code crashed",
}
STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em} img{max-width:100%}
#pass-rates td:last-child{width:40%} .bar{background:#55a868;height:.8em} details{display:inline;margin-left:.5em}
td,th{padding:.1em 1em .1em 0;text-align:left;vertical-align:top}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}
.passed{color:#276b2a} .failed{color:#a12a2a}"""


def words(tag, tests=()):
    """How a tag reads to a person: the sentence a check gave for it, else its words."""
    for test in tests:
        sentence = ((test.get("extra_data") or {}).get("bugs") or {}).get(tag)
        if sentence:
            return sentence
    return tag.replace("-", " ").replace("_", " ")


def failed_tests(result):
    return [t for t in result.get("tests", []) if t.get("max_score") and t["score"] < t["max_score"]]


BugClass = namedtuple("BugClass", "tag count items tests entries")  # entries: the submissions with it


def bug_classes(graded):
    """The bug classes, most common first: each with how many submissions had it anywhere, the
    items it was found in, the tests that named it, and those submissions."""
    counts, items, named, who = Counter(), {}, {}, {}
    for entry in graded:
        seen = set()
        for test in failed_tests(entry.results):
            for tag in set(test.get("tags", [])) - GENERIC_TAGS - set(ATTENTION) - {"not-attempted"}:
                seen.add(tag)
                items.setdefault(tag, set()).add(test["number"])
                named.setdefault(tag, []).append(test)
        for tag in seen:
            who.setdefault(tag, []).append(entry)
        counts.update(seen)
    return [BugClass(tag, n, sorted(items[tag]), named[tag], who[tag]) for tag, n in counts.most_common()]


def attention(entry):
    """Why this submission needs a person to look at it: a list of reasons, once each."""
    reasons = [entry.problem] if entry.problem else []
    tests = entry.results.get("tests", [])
    flags = list((entry.results.get("extra_data") or {}).get("intake", []))  # what intake noticed
    flags += [tag for t in tests if t["score"] < t.get("max_score", 0) for tag in t.get("tags", [])]
    for flag in flags:
        reason = ATTENTION.get(flag)
        if reason and reason not in reasons:
            reasons.append(reason)
    if grader_faults(entry.results):
        reasons.append("the grader failed on it (tell whoever maintains the grader)")
    graded = [t for t in tests if t.get("max_score")]
    if graded and all("not-attempted" in t.get("tags", []) for t in graded):
        reasons.append(UNTOUCHED)
    elif graded and not reasons and not any(t["score"] for t in graded):
        reasons.append("scored 0 on every item")
    return reasons


def pass_rates(graded):
    """Item 'number name' -> fraction of submissions with full marks on it."""
    rates = {}
    for entry in graded:
        for test in entry.results.get("tests", []):
            if test.get("max_score"):
                rates.setdefault(f"{test['number']} {test['name']}", []).append(test["score"] >= test["max_score"])
    return {k: sum(v) / len(v) for k, v in rates.items()}


def spread(scores):
    """Median, quartiles, extremes and standard deviation, in words."""
    quartiles = statistics.quantiles(scores, n=4) if len(scores) > 1 else scores * 3
    deviation = statistics.pstdev(scores)
    return (f"median {statistics.median(scores):.2f}, middle half {quartiles[0]:.2f} to {quartiles[2]:.2f}, "
            f"range {min(scores):g} to {max(scores):g}, mean {statistics.mean(scores):.2f} "
            f"(standard deviation {deviation:.2f})")


def figure_uri(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def score_histogram(assignment, scores):
    """One bar per distinct score (up to MAX_BARS of them, else equal bins); whole-number counts."""
    fig, ax = plt.subplots(figsize=(7, 3))
    total = assignment.total_points
    distinct = sorted(set(scores))
    if len(distinct) <= MAX_BARS:
        ax.bar(distinct, [scores.count(v) for v in distinct], width=total / 60, color="#4c72b0")
    else:
        ax.hist(scores, bins=MAX_BARS, range=(0, total), color="#4c72b0", edgecolor="white")
    ax.set_xlim(-total / 40, total * 41 / 40)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"score (out of {total:g})")
    ax.set_ylabel("submissions")
    ax.set_title("Score distribution")
    return figure_uri(fig)


def pass_rate_rows(graded):
    """Table rows, one per item: text stays readable however many items there are."""
    return "".join(f'<tr><td>{html.escape(label)}</td><td>{100 * rate:.0f}%</td><td><div class="bar" '
                   f'style="width:{100 * rate:.0f}%"></div></td></tr>' for label, rate in pass_rates(graded).items())


def _page(title, body, script=""):
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style>{script}</head>\n<body>{body}</body></html>\n")


def feedback_link(submission):
    """The relative address of a student's page: the folder name percent-encoded, so a name such
    as `javascript:alert(1)` or `bob#2` stays a path and cannot become a script or a fragment."""
    return html.escape(urllib.parse.quote(submission.name, safe="") + "/feedback.html")


def _who(submission, key):
    return "; ".join(p.get(key, "") for p in submission.people)


def _late(results):
    """How late, and what the late policy took, in a few words ('' without a due date)."""
    words, deduction = summary(results)
    return f"{words} (-{deduction:g})" if deduction else words
def _link(entry):
    """The submission, linked to its feedback page, and the students' names if known."""
    name, who = html.escape(entry.submission.name), html.escape(_who(entry.submission, "name"))
    return f'<a href="{feedback_link(entry.submission)}">{name}</a>' + (f" ({who})" if who else "")


def write_report(path, assignment, graded):
    """graded: [batch.Graded]."""
    esc = html.escape
    if not graded:
        path.write_text(_page("No submissions", "<p>No submissions were graded.</p>"))
        return path
    sentences = "".join(f"<li>{100 * bug.count / len(graded):.0f}% ({bug.count} of {len(graded)}): "
                        f"{esc(words(bug.tag, bug.tests))} (in {esc(', '.join(bug.items))})<details><summary>"
                        f"who</summary>{', '.join(_link(e) for e in bug.entries)}</details></li>"
                        for bug in bug_classes(graded)[:10])
    needs = "".join(f"<li>{_link(e)}: {esc('; '.join(reasons))}</li>" for e in graded if (reasons := attention(e)))
    rows = "".join(f'<tr><td><a href="{feedback_link(e.submission)}">{esc(e.submission.name)}</a></td>'
                   f"<td>{esc(_who(e.submission, 'name'))}</td><td>{esc(_who(e.submission, 'sid'))}</td>"
                   f"<td>{esc(_late(e.results))}</td><td>{e.results['score']:g}</td></tr>" for e in graded)
    histogram = score_histogram(assignment, [e.results["score"] for e in graded])
    script = """<script>window.addEventListener("load", () => {
  document.body.dataset.figuresShown = [...document.images].filter(i => i.naturalWidth > 0).length;
});</script>"""
    scores = esc(spread([e.results['score'] for e in graded]))
    header = "<tr><th>submission</th><th>name</th><th>SID</th><th>late</th><th>score</th></tr>"
    body = f"""<h1>{esc(assignment.slug)}: {esc(assignment.title)}</h1>
<p id="summary">{len(graded)} submissions, out of {assignment.total_points:g}: {scores}.</p>
<h2>Needs attention</h2><ul id="attention">{needs or '<li>Nothing: every submission was graded normally.</li>'}</ul>
<h2>What went wrong most often</h2><ul id="bugs">{sentences or '<li>No bug class was found.</li>'}</ul>
<h2>Score distribution</h2><img alt="Score distribution" src="{histogram}">
<h2>Pass rate per item</h2><p>The share of submissions with full marks on each item.</p>
<table id="pass-rates">{pass_rate_rows(graded) or '<tr><td>No graded items.</td></tr>'}</table>
<h2>Scores</h2><table id="scores">{header}{rows}</table>"""
    path.write_text(_page(f"{assignment.title}: grading report", body, script))
    return path


VISIBILITY_NOTE = {"after_due_date": "shown to the student after the due date",
                   "after_published": "shown to the student once grades are published"}


def figures_section(figures):
    """The pictures of the student's training runs, each with its caption ('' without any)."""
    if not figures:
        return ""
    return "<h2>Your training, drawn</h2>" + "".join(
        "<figure>" + (f'<img alt="{html.escape(title)}" src="{uri}">' if uri else "")
        + f"<figcaption><strong>{html.escape(title)}</strong>. {html.escape(caption)}</figcaption></figure>"
        for title, uri, caption in figures)


def write_feedback(path, assignment, entry):
    """What the student sees on Gradescope for this results.json: hidden items left out."""
    esc = html.escape
    result = entry.results
    shown = [t for t in result.get("tests", []) if t.get("visibility", "visible") != "hidden"
             and not (t.get("extra_data") or {}).get("figure")]
    total = sum(t.get("max_score", 0) for t in result.get("tests", [])) or assignment.total_points
    items = "".join(
        f'<h3 class="{esc(t.get("status", "failed"))}">{esc(str(t.get("number", "")))} {esc(t["name"])}: '
        f'{t["score"]:g} / {t.get("max_score", 0):g}</h3>'
        + (f"<p><em>{esc(VISIBILITY_NOTE[t['visibility']])}</em></p>" if t.get("visibility") in VISIBILITY_NOTE else "")
        + (f"<pre>{esc(t['output'])}</pre>" if t.get("output") else "") for t in shown)
    who = _who(entry.submission, "name")
    body = (f"<h1>{esc(assignment.title)}</h1><p>{esc(entry.submission.name)}{': ' + esc(who) if who else ''}</p>"
            f'<h2 id="score">Autograder score: {result["score"]:g} / {total:g}</h2>'
            + (f"<pre>{esc(result['output'])}</pre>" if result.get("output") else "") + items
            + figures_section(figures_of(result)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_page(f"{assignment.title}: {entry.submission.name}", body))
    return path
