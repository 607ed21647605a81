"""The similarity report ranks planted copies first, ignores the template, escapes what students named,
and a submission whose tokenizing never ends costs only its worker."""
import random
import re

from grader.build.template import template_files
from grader.classroom import similarity

SLUG = "a1_softsign"
STATEMENTS = [
    "    x{n} = a * {c} + b ** {d} - c / {e}\n",
    "    for i in range({c}):\n        b = b + i * {d} - {e}\n",
    "    if a > {c}:\n        b = b - {d}\n    else:\n        c = c + {e}\n",
    "    x{n} = [v * {c} for v in range({d}) if v % {e} == 0]\n",
    "    while c < {c}:\n        c = c * {d} + {e}\n",
    "    x{n} = max(a, b, {c}) - min(c, {d}) * {e}\n",
]


def own_code(seed, functions=6):
    """Functions no other seed writes alike: random statements and constants."""
    rng = random.Random(seed)
    out = []
    for k in range(functions):
        body = "".join(rng.choice(STATEMENTS).format(n=n, c=rng.randint(2, 999), d=rng.randint(2, 999),
                                                     e=rng.randint(2, 999)) for n in range(rng.randint(4, 7)))
        out.append(f"def helper_{seed}_{k}(a, b, c):\n{body}    return a + b - c\n")
    return out


def write(folder, name, functions, template=""):
    (folder / name).mkdir()
    (folder / name / "models.py").write_text(template + "\n\n" + "\n\n".join(functions))


def renamed(functions):
    return [re.sub(r"\bx(\d+)\b", r"total_\1", re.sub(r"\bb\b", "beta", f)).replace("helper_", "mine_")
            for f in functions]


def test_planted_copies_rank_first_and_the_template_is_not_a_match(tmp_path):
    template = template_files(SLUG)["models.py"]
    folder = tmp_path / "class"
    folder.mkdir()
    script = ['s = "</pre><script>alert(1)</script>"\n']  # copied along, so shown side by side
    for seed in range(12):
        write(folder, f"student{seed:02}", own_code(seed) + (script if seed == 3 else []), template)
    write(folder, "copy_renamed", renamed(own_code(3)) + script, template)
    moved = own_code(5)
    write(folder, "copy_reordered", moved[3:] + moved[:3], template)
    write(folder, "<img src=x onerror=alert(1)>", ["x = 1\n" * (similarity.MAX_FILE_BYTES // 6 + 1)])
    write(folder, "template_only_1", own_code(50, functions=1), template)  # the template, one function their own
    write(folder, "template_only_2", own_code(51, functions=1), template)
    (folder / "binary").mkdir()
    (folder / "binary" / "models.py").write_bytes(b"\x00\x01" * 100)
    out = tmp_path / "report.html"
    entries, pairs = similarity.similarity(SLUG, folder, out, pairs=10, jobs=2)
    ranked = [{p.first.name, p.second.name} for p in pairs]
    assert ranked[:2] in ([{"student03", "copy_renamed"}, {"student05", "copy_reordered"}],
                          [{"student05", "copy_reordered"}, {"student03", "copy_renamed"}])
    assert min(pairs[0].similarity + pairs[1].similarity) > 0.8 and max(pairs[2].similarity) < 0.5
    assert {"template_only_1", "template_only_2"} not in ranked[:2]
    page = out.read_text()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;: models.py left out: 256 KB" in page
    assert "binary: models.py left out: not UTF-8 text" in page.replace("<li>", "")


def test_without_the_template_removed_the_template_alone_looks_copied(tmp_path, monkeypatch):
    """The counterpart of the test above: the template's code is what would make them similar."""
    template = template_files(SLUG)["models.py"]
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "one", own_code(50, functions=1), template)
    write(folder, "two", own_code(51, functions=1), template)
    monkeypatch.setattr(similarity, "template_fingerprints", lambda assignment: [])
    _, pairs = similarity.similarity(SLUG, folder, tmp_path / "report.html", jobs=1)
    assert min(pairs[0].similarity) > 0.8


def spin(*args, **kwargs):
    """Catastrophic backtracking: a C-level loop that no Python signal handler interrupts."""
    re.match(r"(a+)+$", "a" * 64 + "b")


def test_a_tokenizer_that_never_ends_costs_its_worker_only(tmp_path, monkeypatch):
    import copydetect.detector
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "endless", own_code(1))
    monkeypatch.setattr(similarity, "CPU_SECONDS", 1)
    monkeypatch.setattr(similarity, "template_fingerprints", lambda assignment: [])  # tokenized here
    monkeypatch.setattr(copydetect.detector, "filter_code", spin)
    entries, pairs = similarity.similarity(SLUG, folder, tmp_path / "report.html", jobs=1)
    assert pairs == [] and entries[0].notes == ["not compared: tokenizing took too long (limit: 1 CPU seconds)"]



def test_the_command_writes_the_report_or_names_the_problem(tmp_path, capsys):
    from grader.cli import main
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "one", own_code(60, functions=1))
    assert main(["similarity", SLUG, str(folder), "-o", str(tmp_path / "r.html"), "-j", "1"]) == 0
    assert "1 submissions compared, the 0 closest pairs" in capsys.readouterr().out and (tmp_path / "r.html").is_file()
    assert main(["similarity", SLUG, str(tmp_path / "nowhere"), "-o", str(tmp_path / "r.html")]) == 2
    assert capsys.readouterr().err.strip().endswith("does not exist")
