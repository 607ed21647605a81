"""report.html for instructors, and a feedback page per student.

report.html says who was graded (names, SIDs, a link to each student's
page), how the class did (median and spread), which submissions need a
person to look at them (wrong file, unusable upload, import errors,
timeouts, grader failures, an untouched template or a zero), the most
common bug classes, each counted once per submission and naming who had
it, and each item at a glance: how many had full marks, part or none, and
the bug classes found in it (a table, readable however many items). A bug
class is written in its tag's one sentence (grader.vocabulary; an
assignment's own tag in the words its bugs.toml gives, carried in
`extra_data.bugs` of results.json).

The pages are templates (grader/templates/html/, autoescaped): this module
computes what they show. Self-contained: the score histogram is a PNG
embedded as a data URI, so the files can be mailed or opened offline.
"""
import base64
import io
import statistics
import urllib.parse
from collections import Counter, namedtuple

import matplotlib

from ..assignment.late import summary
from ..grading.figures import figures_of
from ..grading.results import grader_faults
from ..render import render
from ..vocabulary import ATTENTION, TAGS, counted

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import MaxNLocator  # noqa: E402

UNTOUCHED = "submitted the unmodified template: no item was attempted"
MAX_BARS = 25  # distinct scores drawn one bar each; more are binned


def words(tag, tests=()):
    """How a tag reads to a person: its sentence in grader.vocabulary, else the one a check gave
    (an assignment's own tag), else its words."""
    if tag in TAGS:
        return TAGS[tag].sentence
    for test in tests:
        sentence = ((test.get("extra_data") or {}).get("bugs") or {}).get(tag)
        if sentence:
            return sentence
    return tag.replace("-", " ").replace("_", " ")


def failed_tests(result):
    return [t for t in result.get("tests", []) if t.get("max_score") and t["score"] < t["max_score"]]


def specific_tags(test):
    """The tags of a test that name a bug: not the generic ones, nor a reason to look at it."""
    return set(filter(counted, test.get("tags", [])))


BugClass = namedtuple("BugClass", "tag count items tests entries")  # entries: the submissions with it


def bug_classes(graded):
    """The bug classes, most common first: each with how many submissions had it anywhere, the
    items it was found in, the tests that named it, and those submissions."""
    counts, items, named, who = Counter(), {}, {}, {}
    for entry in graded:
        seen = set()
        for test in failed_tests(entry.results):
            for tag in specific_tags(test):
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


class ItemTally(namedtuple("ItemTally", "label full partial none bugs")):  # bugs: [(sentence, submissions)]
    @property
    def rate(self):
        """The share of submissions with full marks."""
        return self.full / (self.full + self.partial + self.none)


def item_tallies(graded, most=3):
    """Per item, in the order the results give them: how many submissions had full marks, part of
    the marks, none, and the `most` commonest bug classes found in it (once per submission)."""
    scores, tags, tests = {}, {}, {}
    for entry in graded:
        for test in entry.results.get("tests", []):
            if test.get("max_score"):
                label = f"{test['number']} {test['name']}"
                scores.setdefault(label, []).append(test["score"] / test["max_score"])
                if test["score"] < test["max_score"]:
                    tags.setdefault(label, Counter()).update(specific_tags(test))
                    tests.setdefault(label, []).append(test)
    tallies = []
    for label, fractions in scores.items():
        bugs = [(words(tag, tests[label]), n) for tag, n in tags.get(label, Counter()).most_common(most)]
        full = sum(f >= 1 for f in fractions)
        partial = sum(0 < f < 1 for f in fractions)
        tallies.append(ItemTally(label, full, partial, len(fractions) - full - partial, bugs))
    return tallies


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


def _who(submission, key):
    return "; ".join(p.get(key, "") for p in submission.people)


def _late(results):
    """How late, and what the late policy took, in a few words ('' without a due date)."""
    words, deduction = summary(results)
    return f"{words} (-{deduction:g})" if deduction else words


def write_report(path, assignment, graded):
    """graded: [batch.Graded]."""
    title = f"{assignment.title}: grading report" if graded else "No submissions"
    scores = [e.results["score"] for e in graded]
    page = render("html", "report.html", title=title, assignment=assignment, graded=graded,
                  summary=scores and spread(scores), needs=[(e, r) for e in graded if (r := attention(e))],
                  items=item_tallies(graded), bugs=bug_classes(graded)[:10], words=words,
                  histogram=scores and score_histogram(assignment, scores),
                  names=lambda e: _who(e.submission, "name"), sids=lambda e: _who(e.submission, "sid"),
                  late=lambda e: _late(e.results))
    path.write_text(page)
    return path


VISIBILITY_NOTE = {"after_due_date": "shown to the student after the due date",
                   "after_published": "shown to the student once grades are published"}


def figure_source(source):
    """An <img> source for a figure: a PNG data URI as it is, anything else a file name beside
    the page, percent-encoded, so it can never become a script, another site or a fragment."""
    return source if source.startswith("data:image/png;base64,") else urllib.parse.quote(source, safe="")


def write_feedback(path, assignment, entry, figures=None):
    """What the student sees on Gradescope for this results.json: hidden items left out; then
    `figures` [(title, source, caption)], a PNG data URI or a file name beside the page each: by
    default the pictures of the student's training runs that results.json carries."""
    result = entry.results
    shown = [t for t in result.get("tests", []) if t.get("visibility", "visible") != "hidden"
             and not (t.get("extra_data") or {}).get("figure")]
    total = sum(t.get("max_score", 0) for t in result.get("tests", [])) or assignment.total_points
    page = render("html", "feedback.html", title=f"{assignment.title}: {entry.submission.name}",
                  assignment=assignment, submission=entry.submission.name, who=_who(entry.submission, "name"),
                  result=result, total=total, shown=shown, visibility_note=VISIBILITY_NOTE,
                  figures=[(title, figure_source(source), caption) for title, source, caption
                           in (figures_of(result) if figures is None else figures)])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page)
    return path
