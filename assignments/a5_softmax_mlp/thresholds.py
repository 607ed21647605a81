"""Derive and defend the training items' bars: `python thresholds.py [SEEDS]`.

For every [training.<run>] of assignment.toml it trains the reference from
SEEDS random starts (drawn as the checks draw them) and, from the same
starts, models with exactly one parameter's gradient wrong: zero (a frozen
layer), sign-flipped, or (MLPs) the ReLU mask inverted. It prints

- the reference's worst accuracy over the seeds (the bar must sit below it);
- for each broken model, its best accuracy, and the smallest relative
  distance of its final loss from the reference's over the seeds (the
  descent check's tolerance, 1e-8, must sit far below that).

Runs from the repository root or this folder; takes a minute or two.
"""
import importlib.util
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from grader.config import load_assignment  # noqa: E402
from grader.loader import load_modules  # noqa: E402

SLUG = 'a5_softmax_mlp'
HIDDEN = Path(__file__).resolve().parent / 'checks' / 'hidden' / 'test_a5_hidden.py'
_spec = importlib.util.spec_from_file_location('a5_hidden_checks', HIDDEN)
CHECKS = importlib.util.module_from_spec(_spec)  # the checks' own start() and backprop()
_spec.loader.exec_module(CHECKS)


def broken(grad, count, relu):
    """name -> gradient function with one parameter's gradient wrong."""
    out = {}
    for i in range(count):
        out['frozen %d' % i] = lambda X, y, t, r, i=i: tuple(0 * g if j == i else g
                                                             for j, g in enumerate(grad(X, y, t, r)))
        out['sign %d' % i] = lambda X, y, t, r, i=i: tuple(-g if j == i else g for j, g in enumerate(grad(X, y, t, r)))
    if relu:
        out['mask inverted'] = lambda X, y, t, r: tuple(CHECKS.backprop(X, y, t, r, mask="inverted"))
    return out


def accuracy(model, X, y, theta):
    return float(np.mean(np.argmax(model.predict(X, theta)[0], axis=1) == y))


def full_batch(ref, model, grad, X, y, theta, run):
    theta = ref.prob1a.gradient_descent(model.computeCost, grad, X, y, theta, run.iterations,
                                        run.learning_rate, run.reg, check=0)
    return theta, model.computeCost(X, y, theta, run.reg)


def report(name, seeds, results):
    """results: variant -> list over seeds of (accuracy, final loss)."""
    ref_acc = [a for a, _ in results['reference']]
    ref_loss = np.array([loss for _, loss in results['reference']])
    print('%s: reference accuracy over %d seeds: min %.3f, max %.3f' % (name, seeds, min(ref_acc), max(ref_acc)))
    for variant, values in results.items():
        if variant == 'reference':
            continue
        acc = [a for a, _ in values]
        loss = np.array([loss for _, loss in values])
        with np.errstate(all='ignore'):
            distance = np.nanmin(np.abs(loss / ref_loss - 1)) if np.isfinite(loss).any() else np.inf
        print('  %-14s best accuracy %.3f, loss off the reference by >= %.2g%s'
              % (variant, max(acc), distance, '' if distance > 100 * CHECKS.DESCENT_RTOL else '   <-- TOO CLOSE'))


def main(seeds=20):
    spec = load_assignment(SLUG)
    ref = load_modules(spec.reference, ['prob1a', 'prob1c', 'prob2a', 'prob2b', 'hw2_utils'])
    load = ref.hw2_utils.load_data
    xor, spiral = load('xor.dat'), load('spiral_train.dat')
    iris, iris_val = load('iris_train.dat'), load('iris_test.dat')
    full_runs = [('xor_softmax', ref.prob1a, xor, [2, 2]), ('xor_mlp', ref.prob1c, xor, [2, None, 2]),
                 ('spiral_softmax', ref.prob1a, spiral, [2, 3]), ('spiral_mlp', ref.prob1c, spiral, [2, None, 3])]
    for name, model, (X, y), sizes in full_runs:
        run = spec.run(name)
        sizes = [run.hidden_size if s is None else s for s in sizes]
        variants = {'reference': model.computeGrad, **broken(model.computeGrad, 2 * (len(sizes) - 1), len(sizes) > 2)}
        results = {v: [] for v in variants}
        for seed in range(seeds):
            theta0 = CHECKS.start(seed, sizes, run.std)
            for variant, grad in variants.items():
                theta, loss = full_batch(ref, model, grad, X, y, theta0, run)
                results[variant].append((accuracy(model, X, y, theta), loss))
        report(name, seeds, results)
    (X, y), (X_val, y_val) = iris, iris_val
    for name, model, depth in [('iris_mlp1', ref.prob1c, 1), ('iris_mlp2', ref.prob2b, 2)]:
        run = spec.run(name)
        sizes = [4] + [run.hidden_size] * depth + [3]
        variants = {'reference': model.computeGrad, **broken(model.computeGrad, 2 * (depth + 1), True)}
        results = {v: [] for v in variants}
        for seed in range(seeds):
            theta0 = CHECKS.start(seed, sizes, run.std)
            for variant, grad in variants.items():
                np.random.seed(seed)  # the shuffle order: students' shuffles differ, so vary it too
                theta = ref.prob2a.minibatch_descent(grad, X, y, theta0, run.epochs, run.batch_size,
                                                     run.learning_rate, run.reg)
                one_batch = ref.prob2a.minibatch_descent(grad, X, y, theta0, run.epochs, len(X),
                                                         run.learning_rate, run.reg)
                results[variant].append((accuracy(model, X_val, y_val, theta),
                                         model.computeCost(X, y, one_batch, run.reg)))
        report(name + ' (validation accuracy; loss after one batch per epoch)', seeds, results)


if __name__ == '__main__':
    main(*[int(a) for a in sys.argv[1:2]])
