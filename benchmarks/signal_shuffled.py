"""How often the no-signal check calls a model fitted on shuffled labels "working".

Breast cancer (scikit-learn, 569 rows), a 60/40 train/dev split per seed, train's labels shuffled:
nothing can be learnt, so every "works" is a false pass of the pipeline-bug check. A sound test
passes at about its level (5 %).

    python benchmarks/signal_shuffled.py --seeds 41
"""

from __future__ import annotations

import argparse

import numpy as np


def main(argv: list[str] | None = None) -> int:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    from unstuck.context import Context
    from unstuck.problem import Problem

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=41)
    args = parser.parse_args(argv)
    frame = load_breast_cancer(as_frame=True).frame
    passed = []
    for seed in range(args.seeds):
        train, dev = train_test_split(frame, test_size=0.4, random_state=seed)
        # the shuffle's generator is not the diagnosis's (seeded with ``seed``), as a user's bug would not be
        shuffle = np.random.default_rng(10_000 + seed)
        train = train.assign(target=shuffle.permutation(train["target"].to_numpy()))
        signal = Context(Problem.from_frames(train, dev=dev, target="target", seed=seed)).signal
        if signal.works:
            passed.append(seed)
        test = signal.on_permutation
        on_train = signal.on_permutation_train
        print(
            f"seed {seed:3d}: {'works' if signal.works else 'none '}  permutation p on dev "
            f"{'-' if test is None else f'{test.p_value:.3f}'}, out of fold on train "
            f"{'-' if on_train is None else f'{on_train.p_value:.3f}'}",
            flush=True,
        )
    print(f"called working: {len(passed)} of {args.seeds} ({len(passed) / args.seeds:.1%}); seeds {passed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
