"""Command line: each command forwards to one module's function."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .assignment.config import ConfigError, all_slugs
from .assignment.late import parse_time
from .sandbox.errors import SandboxUnavailable


def _slugs(names: str | list[str]) -> list[str]:
    """Slugs named on the command line, in order and once each; 'all' stands for every one."""
    names = [names] if isinstance(names, str) else names
    found = [slug for name in names for slug in (all_slugs() if name == "all" else [name])]
    return list(dict.fromkeys(found))


def cmd_grade(args: argparse.Namespace) -> int:
    from .api import FAILURES, NotFinal, exit_code, grade
    try:
        graded, problem = grade(args.slug, args.submission, args.output, metadata=args.metadata,
                                verbose=args.verbose), None
    except NotFinal as failed:  # written all the same: say what it was, then why it is not final
        graded, problem = failed.results, failed
    except FAILURES as failed:
        print(f"error: {failed}", file=sys.stderr)
        return exit_code(failed)
    if args.verbose:
        cpu = graded.raw.get("extra_data", {}).get("cpu_s", {})
        print(f"CPU s per item (grader and sandbox children; {sum(cpu.values()):.2f} in all):")
        names = {item.number: item.name for item in graded.items}
        for item, seconds in cpu.items():
            print(f"  {item:>6} {seconds:7.3f}  {names.get(item, '')}")
    print(f"{args.slug}: {graded.score:g} / {graded.max_score:g}; results written to {graded.path}")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return exit_code(problem)
    return 0


def cmd_grade_all(args: argparse.Namespace) -> int:
    from .api import FAILURES, EnvironmentFailure, Stopped, exit_code, grade_class
    try:
        due = parse_time(args.due) if args.due else None
    except ValueError as problem:
        print(f"error: --due {args.due!r}: {problem}", file=sys.stderr)
        return 2
    try:
        grade_class(args.slug, args.folder, args.output, jobs=args.jobs, force=args.force, cluster=args.cluster,
                    cluster_certs=args.cluster_certs, insecure_cluster=args.insecure_cluster,
                    timeout=args.timeout, due=due)
    except Stopped as stopped:  # grades.csv and report.html hold what was graded; nothing more to say
        return exit_code(stopped)
    except EnvironmentFailure as problem:
        print(f"error: grading stopped, no grades.csv written: {problem}", file=sys.stderr)
        return exit_code(problem)
    except FAILURES as problem:
        print(f"error: {problem}", file=sys.stderr)
        return exit_code(problem)
    return 0


def cmd_manual_pdfs(args: argparse.Namespace) -> int:
    from .classroom.batch import BatchError
    from .classroom.manual import NEEDS, extra_installed, write_pdfs
    if not extra_installed():
        print(f"error: manual-pdfs needs {NEEDS}", file=sys.stderr)
        return 2
    try:
        failed = write_pdfs(args.slug, Path(args.folder), Path(args.output), jobs=args.jobs)
    except BatchError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    return 2 if failed else 0


def cmd_check(args: argparse.Namespace) -> int:
    from .student.check import check
    return 0 if check(args.slug, args.folder) is not None else 1


def cmd_check_config(args: argparse.Namespace) -> int:
    from .assignment.config import load_assignment
    from .authoring.mutants import problems as mutant_problems
    from .grading.grade import problems as found
    status = 0
    for slug in _slugs(args.slug):
        try:
            assignment = load_assignment(slug)
            problems = found(assignment) + mutant_problems(assignment)
        except ConfigError as problem:
            problems = [str(problem)]
        print("\n".join(f"error: {p}" for p in problems) if problems
              else f"{slug}: assignment.toml and mutants.toml are valid")
        status = 2 if problems else status
    return status


def cmd_similarity(args: argparse.Namespace) -> int:
    from .classroom.batch import BatchError
    from .classroom.similarity import SimilarityError, similarity
    try:
        entries, pairs = similarity(args.slug, Path(args.folder), Path(args.output), args.pairs, args.jobs)
    except (BatchError, SimilarityError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"{args.slug}: {len(entries)} submissions compared, the {len(pairs)} closest pairs written to "
          f"{Path(args.output).resolve()}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .build.scaffold import scaffold
    for folder in scaffold(args.slug, title=args.title):
        print(f"wrote {folder}")
    print(f"next: python -m grader check-config {args.slug}, then make test")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
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
            folder, zips = Path(args.dist) / "samples" / slug, samples.sample_zips(slug)
            written = samples.write_samples(folder, zips)
            print(f"{slug}: sample submissions in {folder}: {len(written)} written, "
                  f"{len(zips) - len(written)} already up to date")
    return status


def cmd_thresholds(args: argparse.Namespace) -> int:
    from .authoring.thresholds import measure, report
    overrides = dict(_setting(text) for text in args.set)
    wrong = 0
    for slug in _slugs(args.slug):
        wrong += report(slug, measure(slug, seeds=args.seeds, overrides=overrides, items=args.item))
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


def cmd_cluster_certs(args: argparse.Namespace) -> int:
    from .classroom.cluster import NO_DASK, extra_installed
    from .classroom.cluster_certs import CertificateError, write_credentials
    if not extra_installed():
        print(f"error: {NO_DASK.replace('--cluster', 'cluster-certs')}", file=sys.stderr)
        return 2
    try:
        names = write_credentials(args.folder)
    except CertificateError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"wrote {', '.join(names)} into {args.folder} (README.md, 'On a Dask cluster', says which goes where)")
    return 0


def cmd_setup_sandbox(args: argparse.Namespace) -> int:
    from .sandbox.accounts import setup_pool
    made = setup_pool(args.accounts)
    print(f"sandbox accounts: {args.accounts} ready" + (f" (created {', '.join(made)})" if made else ""))
    return 0


def _class_input(p, output, what, jobs):
    """The arguments of a command that reads a class as grade-all does (similarity, manual-pdfs)."""
    p.add_argument("slug", help="the assignment, e.g. a3_three_layer_nn")
    p.add_argument("folder", help="a folder of submissions (zips or folders), a Gradescope export, its zip, "
                   "or a folder above it")
    p.add_argument("-o", "--output", default=output, help=f"{what} (default: %(default)s)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                   help=f"{jobs} (default: the number of CPUs, %(default)s here)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("grade", help="grade one submission (zip, folder or file)")
    p.add_argument("slug", help="the assignment, e.g. a1_softsign")
    p.add_argument("submission", help="a zip, folder, .py or .ipynb")
    p.add_argument("-o", "--output", default="results.json", help="where to write results.json (default: %(default)s)")
    p.add_argument("--metadata", help="Gradescope's submission_metadata.json (late policy)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="also print pytest's report of every check and its CPU seconds")
    p.set_defaults(func=cmd_grade)
    p = sub.add_parser("grade-all", help="grade a folder of submissions")
    p.add_argument("slug", help="the assignment, e.g. a1_softsign")
    p.add_argument("folder", help="a folder of submissions, a Gradescope export, its zip, or a folder above it")
    p.add_argument("-o", "--output", default="graded",
                   help="folder for each submission's results, grades.csv and report.html (default: %(default)s)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                   help="submissions graded at once on this machine (default: the number of CPUs, %(default)s here)")
    p.add_argument("--force", action="store_true", help="regrade everything, not only new or changed submissions")
    p.add_argument("--cluster", help="grade on Dask: local[:N] (N local processes), or a scheduler's address, "
                   "tls://host:port (with --cluster-certs) (default: no cluster, -j processes here)")
    p.add_argument("--cluster-certs", metavar="DIR", default=os.environ.get("GRADER_CLUSTER_CERTS"),
                   help="the folder `cluster-certs` wrote, for a tls:// scheduler (default: $GRADER_CLUSTER_CERTS)")
    p.add_argument("--insecure-cluster", action="store_true",
                   help="allow a tcp:// scheduler: anyone who can reach it can run code as root on its workers")
    p.add_argument("--timeout", type=float, help="seconds allowed per submission (default: assignment.toml's)")
    p.add_argument("--due", help="due date with UTC offset, e.g. 2026-03-01T23:59:00-05:00, for the late policy "
                   "(default: [late_policy] due_date; a student's own extension still counts)")
    p.set_defaults(func=cmd_grade_all)
    p = sub.add_parser("similarity", help="report the pairs of submissions that share the most code "
                       "beyond the template (HTML, matching regions side by side)")
    _class_input(p, "similarity.html", "the report", "processes tokenizing submissions")
    p.add_argument("--pairs", type=int, default=50, help="pairs shown (default: %(default)s)")
    p.set_defaults(func=cmd_similarity)
    p = sub.add_parser("manual-pdfs", help="the written answers of a class as PDFs for manual grading: one per "
                       "student, a page per [[manual]] question, and all-students.pdf")
    _class_input(p, "manual-pdfs", "folder for the PDFs", "students rendered at once")
    p.set_defaults(func=cmd_manual_pdfs)
    p = sub.add_parser("check", help="run the public checks on your working folder")
    p.add_argument("slug", help="the assignment, e.g. a1_softsign")
    p.add_argument("folder", nargs="?", default=".",
                   help="your working folder, or a file in it (default: the current folder)")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("check-config", help="validate assignment.toml (every key, type, range and file), "
                       "that each part's checks weigh its points, and mutants.toml")
    p.add_argument("slug", nargs="?", default="all", help="an assignment slug, or 'all'")
    p.set_defaults(func=cmd_check_config)
    p = sub.add_parser("new", help="scaffold a new assignment that grades (assignments/, reference/, template)")
    p.add_argument("slug", help="the new assignment's folder name")
    p.add_argument("--title", help="the assignment's title (default: from the slug)")
    p.set_defaults(func=cmd_new)
    p = sub.add_parser("build", help="generate templates, autograder and student zips, sample submissions")
    p.add_argument("what", choices=["template", "autograder", "student", "samples"], help="what to build")
    p.add_argument("slug", nargs="+", help="one or more assignment slugs, or 'all'")
    p.add_argument("--check", action="store_true", help="template: compare only, exit 1 on drift")
    p.add_argument("--dist", default="dist", help="folder for the zips and samples (default: %(default)s)")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("thresholds", help="train the reference and the broken-gradient mutants over seeds")
    p.add_argument("slug", nargs="+", help="one or more assignment slugs, or 'all'")
    p.add_argument("--seeds", type=int, default=10, help="training runs per variant (default: %(default)s)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="try another training setting or limit (repeatable)")
    p.add_argument("--item", action="append", metavar="NUMBER",
                   help="only this training item, e.g. 4.3 (repeatable; default: every one)")
    p.set_defaults(func=cmd_thresholds)
    p = sub.add_parser("cluster-certs", help="write the credentials of a Dask cluster that grades over TLS "
                       "(a CA's certificate; scheduler, worker and client certificates and keys)")
    p.add_argument("folder", help="a new folder for the credentials")
    p.set_defaults(func=cmd_cluster_certs)
    p = sub.add_parser("setup-sandbox", help="as root: create the grader's own sandbox accounts (once)")
    p.add_argument("--accounts", type=int, default=8, help="how many graders may run at once (default: %(default)s)")
    p.set_defaults(func=cmd_setup_sandbox)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, SandboxUnavailable) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
