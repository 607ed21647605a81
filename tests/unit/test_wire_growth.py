"""A child's reply may not grow once it has arrived: the caps on what crosses the pipe also
hold for what decoding makes of it (an array referenced again is decoded as a copy; each
JSON object or list costs the grader far more than its bytes of header)."""
import json
import struct
import tracemalloc
from io import BytesIO

import numpy as np
import pytest

from grader.sandbox import server

ONE = {"$nd": 0}


def forged(body, arrays):
    """A reply as a child could write it by hand onto the grader's channel."""
    header = json.dumps({"body": body, "arrays": [[a.dtype.str, list(a.shape)] for a in arrays]}).encode()
    return BytesIO(b"".join([struct.pack(">I", len(header)), header]
                            + [struct.pack(">Q", a.nbytes) + a.tobytes() for a in arrays]))


def handle(tag, payload):
    assert tag == "$handle"
    return ("handle", payload["id"])


def test_one_large_array_referenced_hundreds_of_times_is_refused_before_any_copy():
    array = np.zeros(2**23)  # 64 MB, referenced 300 times: 19 GB if every reference were copied
    stream = forged({"$list": [ONE] * 300}, [array])
    del array
    tracemalloc.start()
    try:
        with pytest.raises(server.WireError, match="copied for each reference"):
            server.read_message(stream, bounded=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**26  # the array as read (twice, briefly), and no copy of it


@pytest.mark.parametrize("body", [
    {"$list": [ONE] * 9},                                                           # many times in a list
    {"$dict": {"a": {"$tuple": [ONE, {"$dict": {"b": ONE}}]}, "c": {"$list": [{"$tuple": [ONE]}] * 7}}},  # nested
    {"$list": [{"$tuple": [1.5, {"$dict": {"W": ONE, "b": ONE}}]}] * 5},             # results of a batch, combined
], ids=["list", "nested", "batch"])
def test_references_past_the_limit_are_refused_wherever_they_sit(monkeypatch, body):
    monkeypatch.setattr(server, "MAX_MESSAGE_BYTES", 2**20)
    array = np.ones(2**14)  # 128 kB: eight copies reach the (lowered) limit
    with pytest.raises(server.WireError, match="copied for each reference"):
        server.read_message(forged(body, [array]), bounded=True)
    assert server.read_message(forged(body, [array])) is not None  # the grader's own requests are not bounded


def test_many_small_references_are_refused_by_their_count():
    stream = forged({"$list": [ONE] * (server.MAX_CONTAINERS + 1)}, [np.ones(1)])
    with pytest.raises(server.WireError, match="objects and lists"):
        server.read_message(stream, bounded=True)
    stream = forged({"$list": [{"$dict": {}}] * server.MAX_CONTAINERS}, [])  # the same without arrays
    with pytest.raises(server.WireError, match="objects and lists"):
        server.read_message(stream, bounded=True)


def test_references_inside_a_handle_are_never_decoded_and_count_all_the_same(monkeypatch):
    monkeypatch.setattr(server, "MAX_MESSAGE_BYTES", 2**20)
    array = np.ones(2**14)
    stuffed = {"$handle": {"id": 1, "type": "Net", "W": {"$list": [ONE] * 3}}}
    assert server.read_message(forged({"$list": [stuffed] * 2}, [array]), handle, bounded=True) == [("handle", 1)] * 2
    with pytest.raises(server.WireError, match="copied for each reference"):
        server.read_message(forged({"$list": [stuffed] * 3}, [array]), handle, bounded=True)


def test_a_reply_within_the_limits_still_gives_each_reference_its_own_array():
    array = np.arange(3.0)
    first, second = server.read_message(forged({"$list": [ONE, {"$dict": {"again": ONE}}]}, [array]), bounded=True)
    first += 1
    np.testing.assert_array_equal(second["again"], array)
