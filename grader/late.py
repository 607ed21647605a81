"""Late work: how late a Gradescope submission is, and what the policy takes off.

assignment.toml may hold
    [late_policy]
    kind = "per_day"        # or "none" (the default): no deduction
    percent_per_day = 10    # off the score for every started day late
    max_days = 5            # later than this scores 0
"""
import json
import math
from datetime import datetime

DAY = 86400.0


def seconds_late(metadata):
    """Seconds after the due date (a student's own extension first), or 0."""
    created = datetime.fromisoformat(metadata["created_at"])
    users = metadata.get("users") or [{}]
    due = (users[0].get("assignment") or {}).get("due_date") or (metadata.get("assignment") or {}).get("due_date")
    if not due:
        return 0.0
    return max(0.0, (created - datetime.fromisoformat(due)).total_seconds())


def describe(seconds):
    days, rest = divmod(int(seconds), 86400)
    return f"{days} day(s) {rest // 3600} hour(s)" if days else f"{rest // 3600} hour(s) {rest % 3600 // 60} minute(s)"


def apply_policy(results, policy, late):
    """Deduct from the top-level score as `policy` says; say so in the output."""
    if late <= 0:
        return results
    kind = policy.get("kind", "none")
    note = f"Submitted {describe(late)} late."
    if kind == "none":
        note += " This assignment has no late penalty."
    elif kind == "per_day":
        days = math.ceil(late / DAY)
        factor = 0.0 if days > policy.get("max_days", math.inf) else max(0.0, 1 - days * policy["percent_per_day"] / 100)
        before = results["score"]
        results["score"] = round(before * factor, 4)
        note += (f" Late policy: {policy['percent_per_day']:g}% per started day"
                 f"{', nothing after ' + str(policy['max_days']) + ' days' if 'max_days' in policy else ''}"
                 f"; score {before:g} -> {results['score']:g}.")
    else:
        raise ValueError(f"assignment.toml: [late_policy] kind {kind!r} is not 'none' or 'per_day'")
    results["output"] = (results.get("output", "") + "\n" + note).strip()
    return results


def load_metadata(path):
    with open(path) as f:
        return json.load(f)
