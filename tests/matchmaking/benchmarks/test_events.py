"""The events benchmark's event (matchmaking/benchmarks/events.py): requests, locks and
dragons as the report describes them, and a greedy baseline that breaks no hard rule."""

from __future__ import annotations

import random

from matchmaking.benchmarks import events
from matchmaking.events.scheduling import solve, violations

SMALL = events.Scenario("small", firms=8, organizations=12, slots=4, tables=3, locks=3)


def fake_scores() -> dict[tuple[int, int], float]:
    rng = random.Random(3)
    return {(f, 1001 + o): rng.random() for f in range(1, SMALL.firms + 1) for o in range(12)}


def test_the_event_has_requests_locks_and_dragons_that_agree() -> None:
    problem = events.problem(SMALL, fake_scores())
    assert len(problem.firms) == 8 and len(problem.organizations) == 12
    assert not problem.must_meet & problem.not_interested
    assert problem.locked and violations(problem, []) == [
        f"lock not kept: {lock}" for lock in problem.locked
    ]
    assert len(problem.lying_dragons) == round(0.1 * 12)
    # The same seed, the same event.
    assert events.problem(SMALL, fake_scores()) == problem


def test_the_greedy_baseline_breaks_no_hard_rule_and_the_solver_beats_its_objective() -> None:
    problem = events.problem(SMALL, fake_scores())
    baseline = events.greedy(problem)
    assert violations(problem, baseline) == []
    schedule = solve(problem)
    assert schedule.objective >= events.figures(problem, baseline)["objective"]


def test_the_report_names_its_command_and_targets() -> None:
    result = {
        "scenario": SMALL.__dict__,
        "must_meet": 1,
        "not_interested": 2,
        "locks": 1,
        "dragons": 1,
        "schedule_p50_s": 0.5,
        "schedule_max_s": 0.6,
        "with_bound_p50_s": 0.7,
        "with_bound_max_s": 0.8,
        "objective": 9.7,
        "bound": 10.0,
        "ratio": 0.97,
        "ours": {
            "meetings": 3,
            "score": 9.7,
            "objective": 9.7,
            "organizations_met": 3,
            "dragons_with_2": 1,
            "must_meet_kept": 1,
        },
        "greedy": {
            "meetings": 3,
            "score": 9.9,
            "objective": -90.0,
            "organizations_met": 2,
            "dragons_with_2": 0,
            "must_meet_kept": 0,
        },
        "greedy_ratio": 0.99,
        "issues": {},
        "stats": {"candidates": 5},
    }
    text = events.markdown([result], when="2026-12-06", machine="2 cores", command="x --runs 5")
    assert "`x --runs 5`" in text and "**97.0%**" in text and "≤ 10 s" in text
