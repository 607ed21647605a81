"""Text that came out of a child is untrusted: printable and bounded before anyone shows it."""
import re

_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text, limit=4000):
    """Printable, bounded text from anything a submission produced."""
    text = _CONTROL.sub("", str(text)).encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
    if len(text) > limit:
        text = text[:limit] + f"\n[... {len(text) - limit} more characters cut]"
    return text
