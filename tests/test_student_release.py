"""The student zip: what it holds, and `grader check` run from it as a student would."""
import os
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import PurePosixPath

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from grader.assignment.config import all_slugs, load_assignment
from grader.build.student import build_student, imported_modules, release_requirements
from grader.student.check import answer_problems


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    return {slug: build_student(slug, dist) for slug in all_slugs()}


@pytest.mark.parametrize("slug", all_slugs())
def test_release_holds_templates_and_public_checks_only(slug, releases):
    spec = load_assignment(slug)
    names = zipfile.ZipFile(releases[slug]).namelist()
    for name in spec.submit + spec.support + spec.data:
        assert f"{slug}/{name}" in names
    assert f"{slug}/handout.md" in names and f"{slug}/grader/__main__.py" in names
    assert f"{slug}/grader_check.py" in names
    assert f"{slug}/grader/kit/__init__.py" in names and f"{slug}/grader/bench.py" not in names
    assert not any("bench_probe" in n or "grader-secret" in n for n in names)
    assert any("/checks/public/" in n for n in names)
    public = spec.folder / "checks" / "public"
    for catalogue in public.glob("bugs.toml"):
        assert f"{slug}/assignments/{slug}/checks/public/{catalogue.name}" in names
    assert not any("/checks/hidden/" in n or n.startswith(f"{slug}/reference") or "mutants" in n for n in names)
    with zipfile.ZipFile(releases[slug]) as archive:
        for name in spec.submit:
            assert "BEGIN SOLUTION" not in archive.read(f"{slug}/{name}").decode()


@pytest.mark.parametrize("slug", all_slugs())
def test_release_data_lacks_the_graded_labels(slug, releases, tmp_path):
    spec = load_assignment(slug)
    with zipfile.ZipFile(releases[slug]) as archive:
        archive.extractall(tmp_path)
    for name, withheld in spec.release_withhold.items():
        with np.load(tmp_path / slug / name) as data:
            assert withheld and not set(withheld) & set(data.files)


def unpacked(slug, releases, tmp_path):
    """The assignment and the folder its release unpacks to, as a student has it."""
    with zipfile.ZipFile(releases[slug]) as archive:
        archive.extractall(tmp_path)
    return load_assignment(slug), tmp_path / slug


@pytest.mark.parametrize("slug", all_slugs())
def test_student_runs_public_checks_from_the_release(slug, releases, tmp_path):
    spec, folder = unpacked(slug, releases, tmp_path)

    def check():
        return subprocess.run([sys.executable, "-m", "grader", "check", slug, "."], cwd=folder,
                              capture_output=True, text=True, timeout=300)
    before = check()
    assert before.returncode == 0, before.stderr[-2000:]
    assert "Not attempted" in before.stdout and before.stdout.splitlines()[-1].startswith("0 of")
    for name in spec.submit:
        (folder / name).write_text((spec.reference / name).read_text())
    with open(folder / spec.submit[0], "a") as code:  # a call of the checks left in, run when the check imports it
        code.write("\nfrom grader_check import check_all\ncheck_all()\n")
    after = check()
    assert "FAIL" not in after.stdout and "ANSWER" not in after.stdout, after.stdout
    assert "public items pass" in after.stdout


@pytest.mark.parametrize("slug", all_slugs())
def test_release_has_requirements_and_a_readme_on_the_check(slug, releases):
    with zipfile.ZipFile(releases[slug]) as archive:
        readme = archive.read(f"{slug}/README.md").decode()
    assert "pip install -r requirements.txt" in readme and f"-m grader check {slug} ." in readme
    assert "python3 -m venv" in readme and "py -m venv" in readme and "python -m venv" not in readme
    venv = readme.split("python3 -m venv ")[1].split()[0]
    assert venv.startswith("../"), venv  # beside the folder students zip, never inside it


@pytest.mark.parametrize("slug", all_slugs())
def test_requirements_provide_every_import_of_every_released_file(slug, releases):
    """What each released .py or notebook imports is the standard library, a file of the release,
    or a distribution requirements.txt names (as the installed packages map import names)."""
    providers = metadata.packages_distributions()  # not installed here (tomli on 3.11): its own name
    with zipfile.ZipFile(releases[slug]) as archive:
        names = archive.namelist()
        required = {canonicalize_name(Requirement(line).name)
                    for line in archive.read(f"{slug}/requirements.txt").decode().splitlines() if line}
        own = {PurePosixPath(n).stem for n in names} | {PurePosixPath(n).parent.name for n in names}
        for name in names:
            if not name.endswith((".py", ".ipynb")):
                continue
            text = archive.read(name).decode()
            for module in imported_modules(text, notebook=name.endswith(".ipynb")):
                if module in sys.stdlib_module_names or module in own or module == "__future__":
                    continue
                assert {canonicalize_name(d) for d in providers.get(module, [module])} & required, (name, module)
    assert "scikit-learn" in required or slug != "a3_three_layer_nn"  # three_layer_neural_network.py's data
    assert "matplotlib" in required  # the scripts' and notebooks' plots
    assert not any("cluster.py" in n for n in names)  # grading on Dask needs dask: not shipped


def test_an_import_nothing_provides_stops_the_build(tmp_path):
    (tmp_path / "x.py").write_text("import numpy\ntry:\n    import rare_thing\nexcept ImportError:\n    pass\n")
    assert release_requirements({"s/x.py": tmp_path / "x.py"}) == ["numpy>=1.24"]
    (tmp_path / "x.py").write_text("import numpy\nfrom torch import nn\n")
    with pytest.raises(ValueError, match="s/x.py imports torch"):
        release_requirements({"s/x.py": tmp_path / "x.py"})


@pytest.mark.parametrize("slug", all_slugs())
def test_scripts_run_from_the_release(slug, releases, tmp_path):
    """Every submitted file that runs as a script (`python models.py`) works with the release's data."""
    spec, folder = unpacked(slug, releases, tmp_path)
    for name in spec.submit:
        (folder / name).write_text((spec.reference / name).read_text())
    scripts = [n for n in spec.submit if "__main__" in (folder / n).read_text()]
    for name in scripts:
        proc = subprocess.run([sys.executable, name], cwd=folder, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "MPLBACKEND": "Agg"})
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_answers_are_read_locally_without_running_them():
    problems = answer_problems('Q1_1 = "yhat - y"\nQ1_2 = None\nQ1_3 = 3 * 2\nQ1_4 = "W2.T @ (yhat - y"\n'
                               'Q3_1 = "theta - eta * np.sign(theta)"\nimport os\nos.system("no")\n')
    assert problems[0] == "Q1_2: not answered yet."
    assert problems[1].startswith("Q1_3 should be a string holding an expression")
    assert problems[2].startswith("Q1_4: 'W2.T @ (yhat - y' is not a valid expression")
    assert "Q3_1: not allowed in an answer: the attribute '.sign'" in problems[3] and len(problems) == 4
    assert answer_problems("Q1_1 = 'a'\nif x\n")[0].startswith("answers.py, line 2:")


def test_local_check_runs_the_students_code_without_the_sandbox_and_says_so(releases, tmp_path):
    slug = "a2_two_layer_mlp"
    with zipfile.ZipFile(releases[slug]) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / slug
    mlp = (load_assignment(slug).reference / "mlp.py").read_text()
    (folder / "mlp.py").write_text(mlp.replace("dz1 = ", "dz1 = 1 / 0 + ", 1))
    proc = subprocess.run([sys.executable, "-m", "grader", "check", slug, "."], cwd=folder,
                          capture_output=True, text=True, timeout=300)
    assert "your code runs in this process, without the autograder's sandbox" in proc.stdout
    assert "Your code raised an exception in loss:" in proc.stdout and 'File "mlp.py", line' in proc.stdout
    assert "ZeroDivisionError" in proc.stdout and "tell course staff" not in proc.stdout, proc.stdout
    (folder / "mlp.py").write_text("import numpy as np\n")
    proc = subprocess.run([sys.executable, "-m", "grader", "check", slug, "mlp.py"], cwd=folder,
                          capture_output=True, text=True, timeout=300)  # a file: the folder it is in
    assert proc.returncode == 0 and f"public checks on {folder}" in proc.stdout, proc.stderr[-2000:]
    assert "module 'mlp' has no attribute 'TwoLayerMLP'" in proc.stdout and "tell course staff" not in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "grader", "check", slug, "nothing.py"], cwd=folder,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stdout.strip() == f"Cannot check {folder / 'nothing.py'}: there is no such file or folder."
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("slug", all_slugs())
def test_local_check_runs_without_unix_only_modules(slug, releases, tmp_path):
    """Windows has no fcntl, pwd or resource: the release's check must not need them, from the
    command line (its module imports) or from a script (grader_check, which both run)."""
    with zipfile.ZipFile(releases[slug]) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / slug
    spec = load_assignment(slug)
    for name in spec.submit:
        (folder / name).write_text((spec.reference / name).read_text())
    script = ("import sys\nfor name in ('fcntl', 'pwd', 'resource'):\n    sys.modules[name] = None\n"
              "import grader.cli\nfrom grader_check import check_all\ncheck_all()\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    last = proc.stdout.strip().splitlines()[-1]
    passed, total = last.split(" public items")[0].split(" of ")
    assert passed == total and int(total) > 0, proc.stdout[-2000:]
