"""The command line's own contract, in-process: several slugs where one was taken, and help
text with the default for every option."""
import argparse

from grader import cli
from grader.assignment.config import all_slugs


def subcommands():
    """name -> its argparse parser, as `python -m grader --help` builds them."""
    action = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_every_option_says_what_it_does_and_its_default():
    parsers = subcommands()
    assert {"grade", "grade-all", "build", "check"} <= set(parsers)
    for name, parser in parsers.items():
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help, (name, action.dest)
            if action.option_strings and action.default not in (None, False, [], argparse.SUPPRESS):
                assert "default" in action.help, (name, action.dest)
    grade_all = parsers["grade-all"].format_help()
    assert "(default: graded)" in grade_all and "number of CPUs" in grade_all


def test_build_takes_several_slugs(tmp_path, capsys):
    assert cli.main(["build", "samples", "a1_softsign", "a5_softmax_mlp", "--dist", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == ["a1_softsign", "a5_softmax_mlp"]
    assert (tmp_path / "samples" / "a5_softmax_mlp" / "reference.zip").is_file()
    assert cli.main(["build", "samples", "a1_softsign", "--dist", str(tmp_path)]) == 0
    assert "0 written, 8 already up to date" in capsys.readouterr().out  # unchanged sources: nothing rewritten
    assert cli._slugs(["a1_softsign", "all"])[0] == "a1_softsign" and cli._slugs(["all", "all"]) == all_slugs()
