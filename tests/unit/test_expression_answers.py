"""Expression answers as hostile text (issue 23): growth the grader must never
compute, answers that restate the question, and the rule that every question
of every assignment declares what it asks for."""
import ast
import importlib.util
from types import SimpleNamespace

import numpy as np
import pytest

from grader import expressions
from grader.assignment.config import all_slugs, load_assignment
from grader.expressions import evaluate, grade_answer, parse
from grader.failures import CheckFailure
from grader.kit import items, matrix_answers


def draw_linear(rng):
    """As a4's question 1.1 draws it: one example through Linear(m, n), m != n."""
    m, n = (int(k) for k in rng.choice(np.arange(2, 7), 2, replace=False))
    A, W, W0, dLdZ = rng.normal(size=(m, 1)), rng.normal(size=(m, n)), rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
    return dict(A=A, W=W, W0=W0, Z=W.T @ A + W0, dLdZ=dLdZ, dLdA=W @ dLdZ)


def grade(text, language=matrix_answers, asks="dLdA", expected="W @ dLdZ"):
    grade_answer("Q1_1_A", text, expected, draw_linear, np.random.default_rng(5), asks=asks, language=language)


GROWTH = [  # each would cost the grader minutes or gigabytes if numbers were exact integers
    "9**9**9**9", "-9**9**9**9", "(9)**(9)**(9)**(9)", "W @ dLdZ * 9**9**9**9", "-(W @ dLdZ) ** 9**9**9",
    "W @ (dLdZ + 9**9**9**9 - 9**9**9**9)", "((9**9)**9)**9**9 * W @ dLdZ", "sum(dLdZ, 9**9**9)",
    "np.sum(dLdZ, axis=9**9**9)", "sum(dLdZ, axis=-(9**9**9), keepdims=True)", "np.sum(W, 99999999999999)",
    "W @ dLdZ * " + "*".join(["99999999999"] * 40),                  # repeated multiplication
    "W @ dLdZ * " + "*".join(str(k) for k in range(1, 70)),         # factorial-like growth
    "W @ dLdZ + " + "9" * 400,                                      # a literal too large for a float
    "1 << 10**9", "W @ dLdZ << 9**9", "(1 << 100) >> 99",         # shifts
    "(" * 240 + "W @ dLdZ" + ")" * 240,                             # nesting the parser refuses
    "-" * 300 + "W @ dLdZ", "exp(" * 60 + "W" + ")" * 60,
    "W @ dLdZ ** 9**9**9**9", "abs(dLdZ) ** abs(dLdZ) ** 9**9**9**9",
]


@pytest.mark.parametrize("language", [expressions, matrix_answers], ids=["a2", "a4"])
def test_growth_in_any_spelling_fails_the_item_at_once(language):
    """Every variant ends and earns nothing, with a message; none needed the process's limits
    (the evaluator refuses or overflows to inf first: the limits are the second line)."""
    for text in GROWTH:
        with pytest.raises(CheckFailure) as info:
            grade(text, language)
        assert info.value.message.startswith("Q1_1_A: ") and info.value.tags[0] in (
            "unparsable-expression", "shape-mismatch", "wrong-expression", "wrong-shape"), (text, info.value.message)


def test_results_too_large_are_refused_before_computing():
    env = {"x": np.ones((3000, 1)), "y": np.ones((1, 3000)), "s": np.ones(())}
    for text in ["x * y", "x + y", "x ** y", "x @ y", "(x * s) - y"]:
        with pytest.raises(ValueError, match="more than 1,000,000 numbers"):
            evaluate(parse(text, env), env)
    with pytest.raises(ValueError, match="more than 1,000,000 numbers"):
        evaluate(matrix_answers.parse("x.dot(y)", env), env, matrix_answers.multiply)
    assert evaluate(parse("x.T @ x", env), env) == 3000.0


def test_numbers_are_floats_in_every_language():
    """2 ** 1024 overflows to inf, as floats do, instead of becoming a 309-digit integer;
    a literal option stays a whole number."""
    env = {"W": np.array([[1.0, 2.0], [3.0, 4.0]])}
    for language in (expressions, matrix_answers):
        assert evaluate(language.parse("2 ** 1024 - 2 ** 1024", env), env).dtype == np.float64
        assert np.isinf(evaluate(language.parse("2 ** 1024", env), env))
        assert evaluate(language.parse("sum(W, 1)", env), env, language.multiply).tolist() == [3.0, 7.0]


@pytest.mark.parametrize("text", ["dLdA", "1*dLdA", "(dLdA)", "dLdA + 0*W", "dLdA.T.T", "np.dot(W, dLdZ) + 0*dLdA",
                                  "-(-dLdA)", "sum(dLdA, axis=1, keepdims=True)",
                                  "dLdA @ dLdZ.T @ dLdZ / (dLdZ.T @ dLdZ)"])
def test_an_answer_naming_what_is_asked_earns_nothing(text):
    with pytest.raises(CheckFailure) as info:
        grade(text)
    assert "the quantity the question asks for" in info.value.message and info.value.tags == ("restates-question",)
    assert "dLdA" not in info.value.message.split("asks for")[1]  # the names offered never include it


def test_other_refusals_never_list_the_asked_quantity_as_allowed():
    with pytest.raises(CheckFailure) as info:
        grade("W @ x")
    assert "the name 'x'" in info.value.message and "dLdA" not in info.value.message


def test_a_question_must_declare_what_it_asks_for():
    with pytest.raises(ValueError, match="must declare"):
        grade("W @ dLdZ", asks=())


def _reference_answers(slug):
    path = load_assignment(slug).reference / "answers.py"
    if not path.is_file():
        return {}
    tree = ast.parse(path.read_text())
    return {node.targets[0].id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}


def _questions():
    """(slug, number, case arguments) of every expression question in every assignment's checks."""
    found = []
    for slug in all_slugs():
        for folder in load_assignment(slug).checks:
            for path in sorted(folder.glob("test_*.py")):
                if "grade_answer" not in path.read_text():
                    continue
                loader = importlib.util.spec_from_file_location(f"questions_{slug}_{path.stem}", path)
                module = importlib.util.module_from_spec(loader)
                loader.loader.exec_module(module)
                found += [(slug, number, args, module) for name, f in sorted(vars(module).items())
                          if name.startswith("test_") and "grade_answer" in getattr(f, "__code__", f).co_names
                          for number, _, args in items.expand(f)]
    return found


QUESTIONS = _questions()


def test_every_question_of_every_answers_file_is_walked():
    walked = {(slug, args.get("name")) for slug, _, args, _ in QUESTIONS}
    assert {slug for slug, _ in walked} >= {"a2_two_layer_mlp", "a4_modular_nn"}
    for slug in {slug for slug, _ in walked}:
        assert {name for s, name in walked if s == slug} == set(_reference_answers(slug)), slug


@pytest.mark.parametrize("slug, number, args, module", QUESTIONS, ids=[f"{s}-{n}" for s, n, _, _ in QUESTIONS])
def test_no_question_can_be_answered_by_naming_its_quantity(slug, number, args, module):
    """Each question declares what it asks for; naming it earns nothing, and no other variable
    equals the answer unless the reference's answer is that variable itself."""
    assert args.get("asks"), f"{slug} {number} does not declare what it asks for"
    asked = {args["asks"]} if isinstance(args["asks"], str) else set(args["asks"])
    draw = args.get("draw") or module.draw_linear
    language = matrix_answers if "matrix_answers" in vars(module) else expressions
    expected = _reference_answers(slug)[args["name"]]

    def answer(text):
        grade_answer(args["name"], text, expected, draw, np.random.default_rng(1), asks=args["asks"], language=language)
    answer(expected)
    variables = draw(np.random.default_rng(1))
    for name in asked & set(variables):
        for text in (name, f"1*{name}", f"({name})", f"{name} + 0*{name}"):
            with pytest.raises(CheckFailure, match="the quantity the question asks for"):
                answer(text)
    rng = np.random.default_rng(2)
    envs = [draw(rng) for _ in range(10)]
    wants = [evaluate(parse(expected, env), env) for env in envs]
    for name in set(variables) - asked - {expected.strip()}:
        same = all(np.shape(env[name]) == want.shape and np.allclose(env[name], want) for env, want in zip(envs, wants))
        assert not same, f"{slug} {number}: the variable {name} is the answer itself; declare it in `asks`"


def test_the_limited_process_is_reused_and_killed_past_its_deadline(monkeypatch):
    """One process serves a run's answers; one that overruns its deadline is killed from
    outside, the answer fails as too costly, and the next answer gets a fresh process."""
    grade("W @ dLdZ")
    first = expressions._EVALUATOR.proc
    grade("W.dot(dLdZ)")
    assert expressions._EVALUATOR.proc is first
    real = expressions._EVALUATOR.ask
    monkeypatch.setattr(expressions._EVALUATOR, "ask", lambda *a, **k: real(*a, seconds=0.001))
    slow = "x" + " @ x" * 45  # a tenth of a second or more of matrix products, each within the size bound
    reply = expressions._student_values("Q", slow, {"y"}, expressions, [{"x": np.full((400, 400), 1e-3)}])
    assert "within the grader's limits" in reply["problem"] and reply["tags"] == ["too-costly"]
    assert first.poll() is not None
    monkeypatch.undo()
    grade("W @ dLdZ")
    assert expressions._EVALUATOR.proc is not first


def test_a2_answers_right_for_one_label_only_fail_on_every_seed():
    """a2's question 1 has y in {0, 1}: `yhat` equals dJ/da2 = yhat - y whenever y = 0, and so
    do the answers built on it. Every hidden seed must draw both labels, or about one
    submission in 32 earns such an item with a wrong answer."""
    module = next(m for slug, _, _, m in QUESTIONS if slug == "a2_two_layer_mlp")
    ref = SimpleNamespace(answers=SimpleNamespace(**_reference_answers("a2_two_layer_mlp")))
    for answer, name in [("yhat", "Q1_1"), ("yhat", "Q1_2"), ("yhat @ h1.T", "Q1_3"), ("W2.T @ yhat", "Q1_4")]:
        student = SimpleNamespace(fetch=lambda value: value, answers=SimpleNamespace(**{name: answer}))
        for seed in range(40):
            with pytest.raises(CheckFailure):
                module.test_answer(student, ref, np.random.default_rng(seed), name, "dJ", module.draw_backprop)
