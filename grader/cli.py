"""Command line: each command forwards to one module's function."""
import argparse
import os
import sys
from pathlib import Path

from .config import ConfigError, all_slugs
from .sandbox.errors import SandboxUnavailable


def _slugs(name):
    return all_slugs() if name == "all" else [name]


def cmd_grade(args):
    from .grade import grade
    if not Path(args.submission).exists():
        print(f"error: no file or folder {args.submission}", file=sys.stderr)
        return 2
    if not Path(args.output).resolve().parent.is_dir():
        print(f"error: no folder {Path(args.output).resolve().parent} to write {Path(args.output).name} into",
              file=sys.stderr)
        return 2
    graded = grade(args.slug, args.submission, args.output, metadata=args.metadata, verbose=args.verbose)
    total = sum(t["max_score"] for t in graded["tests"])
    if args.verbose:
        cpu = graded.get("extra_data", {}).get("cpu_s", {})
        print(f"CPU s per item (grader and sandbox children; {sum(cpu.values()):.2f} in all):")
        names = {t.get("number"): t["name"] for t in graded["tests"]}
        for item, seconds in cpu.items():
            print(f"  {item:>6} {seconds:7.3f}  {names.get(item, '')}")
    print(f"{args.slug}: {graded['score']:g} / {total:g}; results written to {Path(args.output).resolve()}")
    return 0


def cmd_grade_all(args):
    from .batch import BatchError, grade_all
    from .cluster import ClusterAddressError
    from .isolated import EnvironmentFailure
    try:
        _, interrupted = grade_all(args.slug, Path(args.folder), Path(args.output), jobs=args.jobs,
                                   force=args.force, cluster=args.cluster, timeout=args.timeout)
    except (BatchError, ClusterAddressError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    except EnvironmentFailure as problem:
        print(f"error: grading stopped, no grades.csv written: {problem}", file=sys.stderr)
        return 2
    return 130 if interrupted else 0


def cmd_check(args):
    from .check import check
    return 0 if check(args.slug, args.folder) is not None else 1


def cmd_check_config(args):
    from .config import check_files, load_assignment
    from .grade import check_weights
    status = 0
    for slug in _slugs(args.slug):
        try:
            spec = load_assignment(slug)
            problems = check_files(spec) or check_weights(spec)
        except ConfigError as problem:
            problems = [str(problem)]
        print("\n".join(f"error: {p}" for p in problems) if problems else f"{slug}: assignment.toml is valid")
        status = 2 if problems else status
    return status


def cmd_new(args):
    from .scaffold import scaffold
    for folder in scaffold(args.slug, title=args.title):
        print(f"wrote {folder}")
    print(f"next: python -m grader check-config {args.slug}, then make test")
    return 0


def cmd_build(args):
    from .build import autograder, samples, student, template
    status = 0
    for slug in _slugs(args.slug):
        if args.what == "template":
            drift = template.build_template(slug, check=args.check)
            if args.check and drift:
                print(f"{slug}: student_template/ differs from the generator: {', '.join(drift)}")
                status = 1
            elif not args.check:
                print(f"{slug}: wrote student_template/{slug}/")
        elif args.what == "autograder":
            print(f"{slug}: wrote {autograder.build_autograder(slug, Path(args.dist))}")
        elif args.what == "student":
            print(f"{slug}: wrote {student.build_student(slug, Path(args.dist))}")
        elif args.what == "samples":
            folder = samples.build_samples(slug, Path(args.dist) / "samples" / slug)
            print(f"{slug}: wrote sample submissions to {folder}")
    return status


def cmd_thresholds(args):
    from .thresholds import measure, report
    overrides = dict(_setting(text) for text in args.set)
    wrong = 0
    for slug in _slugs(args.slug):
        wrong += report(slug, measure(slug, seeds=args.seeds, overrides=overrides))
    return 1 if wrong else 0


def _setting(text):
    """`key=value` from the command line, the value read as a number where it is one."""
    key, _, value = text.partition("=")
    for kind in (int, float):
        try:
            return key, kind(value)
        except ValueError:
            pass
    return key, value


def cmd_setup_sandbox(args):
    from .sandbox.accounts import setup_pool
    made = setup_pool(args.accounts)
    print(f"sandbox accounts: {args.accounts} ready" + (f" (created {', '.join(made)})" if made else ""))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("grade", help="grade one submission (zip, folder or file)")
    p.add_argument("slug")
    p.add_argument("submission")
    p.add_argument("-o", "--output", default="results.json")
    p.add_argument("--metadata", help="Gradescope's submission_metadata.json (late policy)")
    p.add_argument("-v", "--verbose", action="store_true", help="also print pytest's report of every check and its CPU seconds")
    p.set_defaults(func=cmd_grade)
    p = sub.add_parser("grade-all", help="grade a folder of submissions")
    p.add_argument("slug")
    p.add_argument("folder")
    p.add_argument("-o", "--output", default="graded")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--force", action="store_true", help="regrade everything, not only new or changed submissions")
    p.add_argument("--cluster", help="grade on Dask: a scheduler address (tcp://host:port) or local[:N]")
    p.add_argument("--timeout", type=float, help="seconds allowed per submission (default: assignment.toml's)")
    p.set_defaults(func=cmd_grade_all)
    p = sub.add_parser("check", help="run the public checks on your working folder")
    p.add_argument("slug")
    p.add_argument("folder", nargs="?", default=".")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("check-config", help="validate assignment.toml (every key, type, range and file) "
                       "and that each part's checks weigh its points")
    p.add_argument("slug", nargs="?", default="all", help="an assignment slug, or 'all'")
    p.set_defaults(func=cmd_check_config)
    p = sub.add_parser("new", help="scaffold a new assignment that grades (assignments/, reference/, template)")
    p.add_argument("slug")
    p.add_argument("--title", help="the assignment's title (default: from the slug)")
    p.set_defaults(func=cmd_new)
    p = sub.add_parser("build", help="generate templates, autograder and student zips, sample submissions")
    p.add_argument("what", choices=["template", "autograder", "student", "samples"])
    p.add_argument("slug", help="an assignment slug, or 'all'")
    p.add_argument("--check", action="store_true", help="template: compare only, exit 1 on drift")
    p.add_argument("--dist", default="dist")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("thresholds", help="train the reference and the broken-gradient mutants over seeds")
    p.add_argument("slug", help="an assignment slug, or 'all'")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="try another training setting or limit (repeatable)")
    p.set_defaults(func=cmd_thresholds)
    p = sub.add_parser("setup-sandbox", help="as root: create the grader's own sandbox accounts (once)")
    p.add_argument("--accounts", type=int, default=8, help="how many graders may run at once")
    p.set_defaults(func=cmd_setup_sandbox)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, SandboxUnavailable) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
