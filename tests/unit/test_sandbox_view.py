"""What the sandbox may read is found the same way on every supported Python."""
import sys

from grader.sandbox import readable


def test_a_package_without_top_level_txt_is_found_by_its_files(tmp_path, monkeypatch):
    """numpy's wheels ship no top_level.txt, which Python 3.10's packages_distributions needs."""
    info = tmp_path / "madeup_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: madeup-pkg\nVersion: 1.0\n")
    (info / "RECORD").write_text("madeup_mod/__init__.py,,\nmadeup_pkg-1.0.dist-info/METADATA,,\n")
    (tmp_path / "madeup_mod").mkdir()
    (tmp_path / "madeup_mod" / "__init__.py").write_text("")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert readable._distribution_of("madeup_mod").metadata["Name"] == "madeup-pkg"
    assert str(tmp_path / "madeup_mod") in readable.package_paths(["madeup_mod"])


def test_a_shared_libpython_is_in_the_view_when_the_interpreter_has_one():
    """A pyenv Python built as a shared library loads libpython from its own prefix."""
    readable_paths, _ = readable.sandbox_view()
    for path in readable.interpreter_library():
        assert "libpython" in path
        assert any(path == p or path.startswith(p + "/") for p in readable_paths), path


def test_top_entries_from_record_text_are_those_of_the_file_list(tmp_path, monkeypatch):
    """RECORD read as text names the same top-level entries as `dist.files` (quoted names, a
    path outside site-packages and the package's own files included), for a made-up package
    and for every package the sandbox may offer."""
    import importlib.metadata
    info = tmp_path / "madeup_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: madeup-pkg\nVersion: 1.0\n")
    (info / "RECORD").write_text('madeup_mod/__init__.py,sha256=x,1\n"odd,name.py",,\n../outside_record.txt,,\n'
                                 "top.py,,\nmadeup_pkg-1.0.dist-info/RECORD,,\n")
    # every file exists: some versions of `dist.files` leave out the missing ones
    for name in ("madeup_mod/__init__.py", "odd,name.py", "top.py", "../outside_record.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    for name in ("madeup-pkg", "numpy", "scikit-learn", "matplotlib"):
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        assert readable._top_entries(dist) == {file.parts[0] for file in dist.files if file.parts}, name
    assert readable._top_entries(importlib.metadata.distribution("madeup-pkg")) == {
        "madeup_mod", "odd,name.py", "..", "top.py", "madeup_pkg-1.0.dist-info"}
