"""Who may grade on a Dask cluster, in-process: the addresses --cluster refuses, the
credentials `cluster-certs` writes and `--cluster-certs` reads, and what a worker may
send back. tests/test_cluster.py runs real clusters over TLS."""
import stat
from types import SimpleNamespace

import pytest

from grader.classroom.cluster import Cluster, ClusterAddressError, _outcome, plan
from grader.classroom.isolated import EnvironmentFailure
from grader.cli import main

SLUG = "a1_softsign"
ROLE_FILES = ["client.key", "client.pem", "scheduler.key", "scheduler.pem", "worker.key", "worker.pem"]


@pytest.mark.parametrize("address, advice", [
    ("tcp://127.0.0.1:8786", "pass --insecure-cluster"),
    ("tls://127.0.0.1:8786", "--cluster-certs DIR"),
    ("127.0.0.1:8786", "tls://host:port with --cluster-certs"),
    ("ws://127.0.0.1:8786", "tcp://host:port with --insecure-cluster"),
    ("local:0", "a positive integer"),
    ("local:two", "a positive integer"),
])
def test_grade_all_refuses_a_cluster_before_reading_anything(tmp_path, capsys, monkeypatch, address, advice):
    monkeypatch.delenv("GRADER_CLUSTER_CERTS", raising=False)
    status = main(["grade-all", SLUG, str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--cluster", address])
    said = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(said) == 1 and said[0].startswith(f"error: --cluster {address}: "), said
    assert advice in said[0] and not (tmp_path / "out").exists()


def test_what_each_allowed_address_plans():
    assert plan("local:3") == Cluster("local:3", workers=3)
    assert plan("tcp://10.0.0.1:8786", insecure=True) == Cluster("tcp://10.0.0.1:8786")
    with pytest.raises(ClusterAddressError, match="--insecure-cluster"):
        plan("tcp://10.0.0.1:8786", certs="anything")  # credentials do not make tcp:// encrypted


@pytest.fixture
def certs(tmp_path):
    folder = tmp_path / "certs"
    assert main(["cluster-certs", str(folder)]) == 0
    return folder


def test_cluster_certs_writes_a_private_set_that_one_authority_signed(certs):
    from cryptography import x509
    assert sorted(p.name for p in certs.iterdir()) == sorted(["ca.pem"] + ROLE_FILES)  # the authority's key is not kept
    assert stat.S_IMODE(certs.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in certs.iterdir()} == {0o600}
    authority = x509.load_pem_x509_certificate((certs / "ca.pem").read_bytes())
    assert authority.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for role in ("scheduler", "worker", "client"):
        cert = x509.load_pem_x509_certificate((certs / f"{role}.pem").read_bytes())
        cert.verify_directly_issued_by(authority)
        assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_cluster_certs_never_replaces_a_set(certs, capsys):
    before = {p.name: p.read_bytes() for p in certs.iterdir()}
    capsys.readouterr()
    assert main(["cluster-certs", str(certs)]) == 2
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "already holds ca.pem" in said[0], said
    assert {p.name: p.read_bytes() for p in certs.iterdir()} == before


def test_a_tls_cluster_is_planned_with_the_client_credentials(certs):
    security = plan("tls://10.0.0.1:8786", certs=str(certs)).security
    assert security.require_encryption and security.tls_client_key == str(certs / "client.key")


@pytest.mark.parametrize("spoil, complaint", [
    (lambda folder: (folder / "client.key").unlink(), "there is no client.key"),
    (lambda folder: (folder / "client.key").chmod(0o644), r"open to other users \(mode 644\)"),
    (lambda folder: (folder / "client.key").chmod(0o620), r"open to other users \(mode 620\)"),
    (lambda folder: (folder / "client.pem").write_text("not a certificate\n"), "cannot be used"),
    (lambda folder: (folder / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\nAAAA\n"), "cannot be used"),
])
def test_unusable_client_credentials_are_named_before_grading(certs, spoil, complaint):
    spoil(certs)
    with pytest.raises(ClusterAddressError, match=complaint) as refused:
        plan("tls://10.0.0.1:8786", certs=str(certs))
    assert str(refused.value).startswith(f"--cluster-certs {certs}: ") and "\n" not in str(refused.value)


GRADED = {"score": 10, "tests": [{"number": "1.1", "score": 10, "max_score": 10}]}


@pytest.mark.parametrize("reply", [None, "10 / 10", {}, {"results": None}, {"results": {"score": 10}},
                                   {"results": {"score": 10, "tests": "all passed"}}, {"refused": 1}])
def test_a_worker_reply_that_is_not_a_graders_results_stops_the_run(reply):
    finished = SimpleNamespace(status="finished", result=lambda: reply)
    with pytest.raises(EnvironmentFailure, match="sent back something that is not a grader's results"):
        _outcome(finished, "tls://10.0.0.1:8786")


@pytest.mark.parametrize("reply", [{"results": GRADED}, {"results": GRADED, "problem": ""}, {"refused": "why"}])
def test_a_worker_reply_of_results_or_a_refusal_is_taken(reply):
    assert _outcome(SimpleNamespace(status="finished", result=lambda: reply), "tls://10.0.0.1:8786") == reply
