"""The schedule's solver (matchmaking/events/scheduling.py), checked against brute force on
small events and for its hard rules on random ones."""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections import Counter

import pytest

from matchmaking.events.scheduling import (
    COVERAGE_PENALTY,
    DRAGON_PENALTY,
    MUST_MEET_PENALTY,
    Issue,
    Meeting,
    Participant,
    Problem,
    ScheduleError,
    solve,
    violations,
)

ALL = frozenset(range(3))


def objective(problem: Problem, meetings: list[tuple[int, int, int]]) -> float:
    """Score less penalties, computed afresh from the rules in the module's docstring."""
    scale = max([*problem.scores.values(), 1e-6])
    score = sum(problem.scores.get((f, o), 0.0) for f, o, _ in meetings)
    met = {(f, o) for f, o, _ in meetings}
    per_org = Counter(o for _, o, _ in meetings)
    penalty = 0.0
    available = {p.id: p.available for p in [*problem.firms, *problem.organizations]}
    for pair in problem.must_meet:
        # A refused pair, or one with no common slot, is reported rather than penalised.
        common = available[pair[0]] & available[pair[1]]
        if pair not in problem.not_interested and common and pair not in met:
            penalty += MUST_MEET_PENALTY * scale
    for org in problem.organizations:
        possible = any(
            (f.id, org.id) not in problem.not_interested and f.available & org.available
            for f in problem.firms
        )
        cap = min(problem.max_meetings, len(org.available))
        if possible and cap and not per_org[org.id]:
            penalty += COVERAGE_PENALTY * scale
        if org.id in problem.lying_dragons and possible and cap:
            short = min(problem.dragon_meetings, cap) - per_org[org.id]
            penalty += DRAGON_PENALTY * scale * max(short, 0)
    return score - penalty


def valid(problem: Problem, meetings: list[tuple[int, int, int]]) -> bool:
    as_meetings = []
    tables: Counter[int] = Counter()
    for f, o, s in meetings:
        tables[s] += 1
        as_meetings.append(Meeting(f, o, s, tables[s]))
    return not violations(problem, as_meetings)


def brute_force(problem: Problem) -> float:
    """The best objective over every way of giving each pair no slot or one slot."""
    pairs = [(f.id, o.id) for f in problem.firms for o in problem.organizations]
    best = -float("inf")
    for choice in itertools.product([None, *range(problem.slots)], repeat=len(pairs)):
        meetings = [(f, o, s) for (f, o), s in zip(pairs, choice, strict=True) if s is not None]
        if valid(problem, meetings):
            best = max(best, objective(problem, meetings))
    return best


def random_problem(rng: random.Random, *, firms: int, orgs: int, slots: int) -> Problem:
    def availability() -> frozenset[int]:
        return frozenset(s for s in range(slots) if rng.random() < 0.7)

    firm_list = [Participant(i, availability()) for i in range(1, firms + 1)]
    org_list = [Participant(100 + j, availability()) for j in range(1, orgs + 1)]
    scores = {
        (f.id, o.id): round(rng.random(), 2)
        for f in firm_list
        for o in org_list
        if rng.random() < 0.8
    }
    pairs = [(f.id, o.id) for f in firm_list for o in org_list]
    return Problem(
        firms=firm_list,
        organizations=org_list,
        scores=scores,
        slots=slots,
        tables=rng.randint(1, 3),
        max_meetings=rng.randint(1, 3),
        must_meet=frozenset(rng.sample(pairs, 2)),
        not_interested=frozenset(rng.sample(pairs, 3)),
        lying_dragons=frozenset(rng.sample([o.id for o in org_list], 1)),
        candidates_per_firm=2,
        candidates_per_organization=1,
    )


@pytest.mark.parametrize("seed", range(12))
def test_it_finds_the_brute_force_optimum_of_small_events(seed: int) -> None:
    rng = random.Random(seed)
    problem = random_problem(rng, firms=2, orgs=3, slots=2)
    problem = dataclasses.replace(problem, candidates_per_firm=3, candidates_per_organization=2)
    schedule = solve(problem)
    assert not violations(problem, schedule.meetings)
    assert schedule.objective == pytest.approx(brute_force(problem), abs=1e-6)
    assert schedule.bound >= schedule.objective - 1e-9


@pytest.mark.parametrize("seed", range(40))
def test_it_never_breaks_a_hard_rule(seed: int) -> None:
    rng = random.Random(1000 + seed)
    problem = random_problem(
        rng, firms=rng.randint(2, 9), orgs=rng.randint(2, 12), slots=rng.randint(1, 5)
    )
    schedule = solve(problem)
    assert violations(problem, schedule.meetings) == []
    met = {(m.firm, m.organization) for m in schedule.meetings}
    unmet = {(i.firm, i.organization) for i in schedule.issues if i.kind.startswith("must_meet")}
    assert problem.must_meet <= met | unmet
    assert not met & problem.not_interested
    per_org = Counter(m.organization for m in schedule.meetings)
    reported = {
        i.organization for i in schedule.issues if i.kind in {"uncovered", "no_possible_partner"}
    }
    assert {o.id for o in problem.organizations} <= set(per_org) | reported
    assert schedule.bound >= schedule.objective - 1e-6
    assert schedule.score == pytest.approx(
        sum(problem.scores.get((m.firm, m.organization), 0.0) for m in schedule.meetings)
    )


def test_it_meets_a_must_meet_pair_even_at_a_lower_score() -> None:
    firm = Participant(1, ALL)
    low, high = Participant(101, ALL), Participant(102, ALL)
    problem = Problem(
        firms=[firm],
        organizations=[low, high],
        scores={(1, 101): 0.1, (1, 102): 0.9},
        slots=3,
        tables=1,
        max_meetings=1,
        must_meet=frozenset({(1, 101)}),
    )
    schedule = solve(problem)
    assert [(m.firm, m.organization) for m in schedule.meetings] == [(1, 101)]
    assert Issue("uncovered", organization=102) in schedule.issues


def test_it_leaves_out_a_not_interested_pair_whatever_its_score() -> None:
    problem = Problem(
        firms=[Participant(1, ALL)],
        organizations=[Participant(101, ALL), Participant(102, ALL)],
        scores={(1, 101): 0.9, (1, 102): 0.1},
        slots=3,
        tables=1,
        max_meetings=3,
        not_interested=frozenset({(1, 101)}),
    )
    schedule = solve(problem)
    assert [(m.firm, m.organization) for m in schedule.meetings] == [(1, 102)]
    assert Issue("no_possible_partner", organization=101) in schedule.issues


def test_it_reports_a_must_meet_pair_with_no_common_slot() -> None:
    problem = Problem(
        firms=[Participant(1, frozenset({0}))],
        organizations=[Participant(101, frozenset({1, 2}))],
        scores={(1, 101): 0.5},
        slots=3,
        tables=1,
        max_meetings=2,
        must_meet=frozenset({(1, 101)}),
    )
    schedule = solve(problem)
    assert schedule.meetings == ()
    assert Issue("must_meet_no_common_slot", 1, 101) in schedule.issues


def test_it_reports_a_must_meet_pair_the_other_side_refused() -> None:
    problem = Problem(
        firms=[Participant(1, ALL)],
        organizations=[Participant(101, ALL)],
        scores={(1, 101): 0.5},
        slots=3,
        tables=1,
        max_meetings=2,
        must_meet=frozenset({(1, 101)}),
        not_interested=frozenset({(1, 101)}),
    )
    schedule = solve(problem)
    assert Issue("must_meet_not_interested", 1, 101) in schedule.issues
    assert schedule.meetings == ()


def test_it_reports_must_meet_pairs_beyond_the_tables() -> None:
    # One table, one slot, two firms that must each meet the same organization.
    problem = Problem(
        firms=[Participant(1, frozenset({0})), Participant(2, frozenset({0}))],
        organizations=[Participant(101, frozenset({0}))],
        scores={(1, 101): 0.2, (2, 101): 0.8},
        slots=1,
        tables=1,
        max_meetings=2,
        must_meet=frozenset({(1, 101), (2, 101)}),
    )
    schedule = solve(problem)
    assert len(schedule.meetings) == 1
    assert [i.kind for i in schedule.issues] == ["must_meet_unmet"]


def test_it_keeps_locked_meetings_where_the_curator_put_them() -> None:
    firms = [Participant(i, ALL) for i in (1, 2)]
    orgs = [Participant(j, ALL) for j in (101, 102)]
    lock = Meeting(1, 102, slot=2, table=1, locked=True)
    problem = Problem(
        firms=firms,
        organizations=orgs,
        # The lock is the worst pair; without it 1–101 and 2–102 would win.
        scores={(1, 101): 0.9, (2, 102): 0.9, (1, 102): 0.1, (2, 101): 0.1},
        slots=3,
        tables=1,
        max_meetings=1,
        locked=[lock],
    )
    schedule = solve(problem)
    assert lock in schedule.meetings
    assert not violations(problem, schedule.meetings)
    assert {(m.firm, m.organization) for m in schedule.meetings} == {(1, 102), (2, 101)}


def test_it_refuses_locks_that_contradict_each_other() -> None:
    problem = Problem(
        firms=[Participant(1, ALL)],
        organizations=[Participant(101, ALL), Participant(102, frozenset({0}))],
        scores={},
        slots=3,
        tables=1,
        max_meetings=2,
        locked=[Meeting(1, 101, 0, locked=True), Meeting(1, 102, 0, locked=True)],
    )
    with pytest.raises(ScheduleError) as raised:
        solve(problem)
    assert Issue("lock_double_booked", 1, 102, 0) in raised.value.issues
    assert Issue("lock_tables_full", slot=0) in raised.value.issues


def test_it_gives_every_organization_a_meeting_before_a_second_one_to_a_big_name() -> None:
    firms = [Participant(i, ALL) for i in (1, 2)]
    big, small = Participant(101, ALL), Participant(102, ALL)
    problem = Problem(
        firms=firms,
        organizations=[big, small],
        scores={(1, 101): 0.9, (2, 101): 0.9, (1, 102): 0.05, (2, 102): 0.04},
        slots=3,
        tables=1,
        max_meetings=1,
    )
    schedule = solve(problem)
    assert Counter(m.organization for m in schedule.meetings) == {101: 1, 102: 1}


def test_it_reserves_meetings_for_a_lying_dragon() -> None:
    firms = [Participant(i, ALL) for i in (1, 2, 3)]
    big, dragon = Participant(101, ALL), Participant(102, ALL)
    scores = {(f.id, 101): 0.9 for f in firms} | {(f.id, 102): 0.2 for f in firms}
    common = Problem(
        firms=firms,
        organizations=[big, dragon],
        scores=scores,
        slots=3,
        tables=1,
        max_meetings=3,
    )
    plain = solve(common)
    assert Counter(m.organization for m in plain.meetings) == {101: 2, 102: 1}
    protected = solve(
        dataclasses.replace(common, lying_dragons=frozenset({102}), dragon_meetings=2)
    )
    assert Counter(m.organization for m in protected.meetings) == {101: 1, 102: 2}


def test_it_numbers_tables_from_one_in_each_slot() -> None:
    firms = [Participant(i, ALL) for i in (1, 2, 3)]
    orgs = [Participant(j, ALL) for j in (101, 102, 103)]
    problem = Problem(
        firms=firms,
        organizations=orgs,
        scores={(f.id, o.id): 0.5 for f in firms for o in orgs},
        slots=3,
        tables=3,
        max_meetings=3,
    )
    schedule = solve(problem)
    assert len(schedule.meetings) == 9
    for slot in range(3):
        assert sorted(m.table for m in schedule.meetings if m.slot == slot) == [1, 2, 3]
    assert schedule.ratio == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(10))
def test_the_priced_slot_bound_is_the_lp_over_every_pair(seed: int) -> None:
    from matchmaking.events.scheduling import _Model

    rng = random.Random(500 + seed)
    problem = random_problem(rng, firms=6, orgs=9, slots=4)
    model = _Model(problem)
    everything = model.slot_bound(model.all_pairs(), rounds=1)  # no pair left to price
    first_round = model.slot_bound(model.candidates(), rounds=1)
    generated = model.slot_bound(model.candidates())
    assert first_round >= everything - 1e-6
    assert generated == pytest.approx(everything, abs=1e-6)
    assert solve(problem).objective <= everything + 1e-6
