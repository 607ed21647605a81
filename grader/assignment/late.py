"""Late work: how late a submission is, and what the policy takes off.

The one place that computes lateness and deductions, for `grade` (Gradescope's
submission_metadata.json) and `grade-all` (an export's submission times).
assignment.toml may hold
    [late_policy]
    kind = "per_day"        # or "none" (the default): no deduction
    percent_per_day = 10    # off the score for every started day late (required by per_day)
    max_days = 5            # later than this scores 0
    due_date = "2026-03-01T23:59:00-05:00"       # for grade-all (Gradescope's own metadata wins in grade)
    extensions = {"12345" = "2026-03-04T23:59:00-05:00"}   # SID or email -> that student's due date
"""
import json
import math
from datetime import datetime, timezone

DAY = 86400.0


def parse_time(value):
    """A date and time with its UTC offset (ISO 8601, 'Z' allowed; a datetime as is);
    ValueError says what is wrong. A time without an offset would be read in the machine's zone."""
    if isinstance(value, datetime):
        when = value
    else:
        text = str(value).strip()
        when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    if when.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset (write e.g. 2026-03-01T23:59:00-05:00)")
    return when


def lateness(submitted, due):
    """Seconds `submitted` came after `due` (0 if on time); None if either is unknown."""
    if submitted is None or due is None:
        return None
    return max(0.0, (submitted - due).total_seconds())


def seconds_late(metadata):
    """From Gradescope's submission_metadata.json: seconds after the due date (a student's own
    extension first), or 0."""
    users = metadata.get("users") or [{}]
    due = (users[0].get("assignment") or {}).get("due_date") or (metadata.get("assignment") or {}).get("due_date")
    if not due:
        return 0.0
    return lateness(parse_time(metadata["created_at"]), parse_time(due))


def describe(seconds):
    days, rest = divmod(int(seconds), 86400)
    return f"{days} day(s) {rest // 3600} hour(s)" if days else f"{rest // 3600} hour(s) {rest % 3600 // 60} minute(s)"


def apply_policy(results, policy, late):
    """Deduct from the top-level score as `policy` says; say so in the output, and record
    lateness and deduction in extra_data.late (None: lateness unknown)."""
    before = results["score"]
    if late:
        kind = policy.get("kind", "none")
        note = f"Submitted {describe(late)} late."
        if kind == "none":
            note += " This assignment has no late penalty."
        elif kind == "per_day":
            days = math.ceil(late / DAY)
            too_late = days > policy.get("max_days", math.inf)
            factor = 0.0 if too_late else max(0.0, 1 - days * policy["percent_per_day"] / 100)
            results["score"] = round(before * factor, 4)
            note += (f" Late policy: {policy['percent_per_day']:g}% per started day"
                     f"{', nothing after ' + str(policy['max_days']) + ' days' if 'max_days' in policy else ''}"
                     f"; score {before:g} -> {results['score']:g}.")
        else:
            raise ValueError(f"assignment.toml: [late_policy] kind {kind!r} is not 'none' or 'per_day'")
        results["output"] = (results.get("output", "") + "\n" + note).strip()
    results.setdefault("extra_data", {})["late"] = {"seconds": late, "deduction": round(before - results["score"], 4)}
    return results


def summary(results):
    """(lateness in words, points deducted) for tables; ('', 0) when no due date applied."""
    late = (results.get("extra_data") or {}).get("late")
    if not late:
        return "", 0
    seconds = late.get("seconds")
    words = "unknown" if seconds is None else describe(seconds) if seconds > 0 else "on time"
    return words, late.get("deduction", 0)


def load_metadata(path):
    with open(path) as f:
        return json.load(f)


def utc(when):
    """A datetime PyYAML read without an offset is UTC (YAML's rule)."""
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when
