"""The business-matching schedule: one-to-one meetings between firms and organizations.

Pure code (plain data in, plain data out, no Django), like the ranker: the events app passes
the registrations, the ranker's scores and the curator's locks; this module returns the
meetings. Two mixed-integer programs, both solved by HiGHS through scipy.optimize.milp:

1. **Which pairs meet.** A binary x per candidate pair (firm, organization), maximising the
   sum of the ranker's scores, with each participant's meetings at most K and at most the
   number of slots they are available for, all meetings at most the tables × slots, the
   curator's locked pairs fixed to 1 and the "not interested" pairs left out. Three soft
   constraints carry penalties far above any score, in this order: a "must meet" pair that
   does not meet, an organization with no meeting (every organization at least one, where
   possible), a lying dragon with fewer than `dragon_meetings` meetings (so the big names do
   not take every table).
2. **When they meet.** The chosen pairs are placed in slots: a binary y per (pair, slot)
   that both sides are available for, one meeting per participant per slot, at most the
   slot's tables, the locked ones where the curator put them. Whatever cannot be placed is
   dropped, and free tables are then filled greedily with the best remaining candidates.

The bound reported beside the objective is the linear relaxation of step 1 over *every*
admissible pair (not only the pruned candidates). Step 1 relaxes the full problem (it forgets
which slot), so that bound is at least the full problem's own LP bound: the ratio of the
objective to it understates, never overstates, how close the schedule is to the optimum.
When the slots bind (step 2 could not seat every chosen pair) that bound is loose, and the
LP relaxation of the whole pair × slot model over every admissible pair is bounded too: the
LP over the candidates, its duals pricing every pair left out (Lagrangian duality), and the
pairs priced as profitable added until none is (column generation). The smaller bound is
reported.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

# Penalties per unit of shortfall, in multiples of the largest score: each step dwarfs what
# any reshuffle of the scores below it could win back.
MUST_MEET_PENALTY = 1000.0
COVERAGE_PENALTY = 100.0
DRAGON_PENALTY = 10.0
ZERO_SCORE_COST = 1e-3


@dataclass(frozen=True)
class Participant:
    """A registered firm or organization: its id and the slots (0-based) it can attend."""

    id: int
    available: frozenset[int]


@dataclass(frozen=True)
class Meeting:
    firm: int
    organization: int
    slot: int
    table: int = 0
    locked: bool = False


@dataclass(frozen=True)
class Issue:
    """A request the schedule could not honour, or a lock it cannot keep.

    `kind` is a code the caller turns into words: must_meet_no_common_slot,
    must_meet_not_interested, must_meet_unmet, no_possible_partner, uncovered,
    dragon_short, lock_unavailable, lock_double_booked, lock_tables_full, lock_repeated.
    """

    kind: str
    firm: int | None = None
    organization: int | None = None
    slot: int | None = None


class ScheduleError(ValueError):
    """The curator's locks contradict each other or the registrations: nothing to solve."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(_describe(issue) for issue in issues))


def _describe(issue: Issue) -> str:
    parts = [issue.kind]
    if issue.firm is not None:
        parts.append(f"firm {issue.firm}")
    if issue.organization is not None:
        parts.append(f"organization {issue.organization}")
    if issue.slot is not None:
        parts.append(f"slot {issue.slot}")
    return " ".join(parts)


@dataclass(frozen=True)
class Problem:
    firms: Sequence[Participant]
    organizations: Sequence[Participant]
    # (firm id, organization id) → the ranker's score; a pair not named scores 0.
    scores: Mapping[tuple[int, int], float]
    slots: int
    # Tables per slot: one number for every slot, or one per slot.
    tables: int | Sequence[int]
    max_meetings: int
    must_meet: frozenset[tuple[int, int]] = frozenset()
    not_interested: frozenset[tuple[int, int]] = frozenset()
    locked: Sequence[Meeting] = ()
    lying_dragons: frozenset[int] = frozenset()
    dragon_meetings: int = 2
    # Candidate pairs kept for the integer program: each firm's best, each organization's
    # best, and every request and lock. The bound is computed over all pairs.
    candidates_per_firm: int = 25
    candidates_per_organization: int = 4
    time_limit: float = 8.0

    def tables_in(self, slot: int) -> int:
        return self.tables if isinstance(self.tables, int) else self.tables[slot]


@dataclass(frozen=True)
class Schedule:
    meetings: tuple[Meeting, ...]
    score: float  # the sum of the ranker's scores of the meetings
    objective: float  # score less the penalties of unmet requests, coverage and dragons
    bound: float  # LP relaxation of the pair model over all admissible pairs
    seconds: float
    issues: tuple[Issue, ...] = ()
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.objective / self.bound if self.bound > 0 else 1.0


class _Model:
    """The pair model's data, indexed: firms 0..F-1, organizations 0..O-1."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.firm_ids = [f.id for f in problem.firms]
        self.org_ids = [o.id for o in problem.organizations]
        self.firm_index = {fid: i for i, fid in enumerate(self.firm_ids)}
        self.org_index = {oid: j for j, oid in enumerate(self.org_ids)}
        self.firm_slots = [f.available & set(range(problem.slots)) for f in problem.firms]
        self.org_slots = [o.available & set(range(problem.slots)) for o in problem.organizations]
        shape = (len(self.firm_ids), len(self.org_ids))
        self.score = np.zeros(shape)
        for (fid, oid), value in problem.scores.items():
            if fid in self.firm_index and oid in self.org_index:
                self.score[self.firm_index[fid], self.org_index[oid]] = max(0.0, value)
        self.scale = max(float(self.score.max(initial=0.0)), 1e-6)
        self.locks = [
            (self.firm_index[m.firm], self.org_index[m.organization], m) for m in problem.locked
        ]
        locked_pairs = {(i, j) for i, j, _ in self.locks}
        firm_locks: dict[int, int] = defaultdict(int)
        org_locks: dict[int, int] = defaultdict(int)
        for i, j in locked_pairs:
            firm_locks[i] += 1
            org_locks[j] += 1
        # Locks may exceed K (the curator's call); they never lower anyone's allowance.
        self.firm_cap = [
            max(min(problem.max_meetings, len(s)), firm_locks[i])
            for i, s in enumerate(self.firm_slots)
        ]
        self.org_cap = [
            max(min(problem.max_meetings, len(s)), org_locks[j])
            for j, s in enumerate(self.org_slots)
        ]
        self.total_cap = sum(problem.tables_in(s) for s in range(problem.slots))
        common = np.zeros(shape, dtype=bool)
        for i, fs in enumerate(self.firm_slots):
            for j, os_ in enumerate(self.org_slots):
                common[i, j] = not fs.isdisjoint(os_)
        refused = np.zeros(shape, dtype=bool)
        for fid, oid in problem.not_interested:
            if fid in self.firm_index and oid in self.org_index:
                refused[self.firm_index[fid], self.org_index[oid]] = True
        self.admissible = common & ~refused
        for i, j in locked_pairs:
            self.admissible[i, j] = True
        self.locked_pairs = locked_pairs
        self.issues: list[Issue] = []
        self.must: set[tuple[int, int]] = set()
        for fid, oid in sorted(problem.must_meet):
            if fid not in self.firm_index or oid not in self.org_index:
                continue
            i, j = self.firm_index[fid], self.org_index[oid]
            if (i, j) in locked_pairs:
                continue
            if refused[i, j]:
                self.issues.append(Issue("must_meet_not_interested", fid, oid))
            elif not common[i, j]:
                self.issues.append(Issue("must_meet_no_common_slot", fid, oid))
            else:
                self.must.add((i, j))
        self.dragons = {self.org_index[o] for o in problem.lying_dragons if o in self.org_index}

    def check_locks(self) -> None:
        problem, issues = self.problem, []
        seen_pairs: set[tuple[int, int]] = set()
        busy: set[tuple[str, int, int]] = set()
        per_slot: dict[int, int] = defaultdict(int)
        for i, j, meeting in self.locks:
            slot = meeting.slot
            if (i, j) in seen_pairs:
                issues.append(Issue("lock_repeated", meeting.firm, meeting.organization))
            seen_pairs.add((i, j))
            if slot not in self.firm_slots[i] or slot not in self.org_slots[j]:
                issues.append(Issue("lock_unavailable", meeting.firm, meeting.organization, slot))
            for key in (("f", i, slot), ("o", j, slot)):
                if key in busy:
                    issues.append(
                        Issue("lock_double_booked", meeting.firm, meeting.organization, slot)
                    )
                busy.add(key)
            per_slot[slot] += 1
        for slot, count in sorted(per_slot.items()):
            if count > problem.tables_in(slot):
                issues.append(Issue("lock_tables_full", slot=slot))
        if issues:
            raise ScheduleError(issues)

    def pair_cost(self, i: int, j: int) -> float:
        """The pair's term in the programs (which minimise). A pair the ranker gave nothing
        costs a little, so it meets only to avert a penalty (coverage, a request), never
        merely because a table is free."""
        score = float(self.score[i, j])
        return -score if score > 0 else ZERO_SCORE_COST * self.scale

    def candidates(self) -> list[tuple[int, int]]:
        problem, score = self.problem, self.score
        keep = set(self.locked_pairs) | self.must
        masked = np.where(self.admissible, score, -1.0)
        n_firm = min(problem.candidates_per_firm, masked.shape[1])
        n_org = min(problem.candidates_per_organization, masked.shape[0])
        if masked.size:
            for i, row in enumerate(masked):
                for j in np.argsort(-row, kind="stable")[:n_firm]:
                    if row[j] >= 0:
                        keep.add((i, int(j)))
            for j, column in enumerate(masked.T):
                for i in np.argsort(-column, kind="stable")[:n_org]:
                    if column[i] >= 0:
                        keep.add((int(i), j))
        return sorted(keep)

    def all_pairs(self) -> list[tuple[int, int]]:
        rows, columns = np.nonzero(self.admissible)
        return list(zip(rows.tolist(), columns.tolist(), strict=True))

    def pair_program(
        self, pairs: Sequence[tuple[int, int]], *, exact: bool = False
    ) -> dict[str, Any]:
        """Step 1 as arrays for milp/linprog (which minimise): the objective is negated."""
        n = len(pairs)
        firms, orgs = len(self.firm_ids), len(self.org_ids)
        org_has_pair = [False] * orgs
        for _, j in pairs:
            org_has_pair[j] = True
        covered = [j for j in range(orgs) if org_has_pair[j] and self.org_cap[j] > 0]
        dragons = [j for j in sorted(self.dragons) if org_has_pair[j] and self.org_cap[j] > 0]
        must = [k for k, p in enumerate(pairs) if p in self.must]
        n_vars = n + len(covered) + len(dragons) + len(must)
        cost = np.zeros(n_vars)
        # The bound is of the true objective; the solver's adds a zero-score pair's small cost.
        cost[:n] = [-self.score[i, j] if exact else self.pair_cost(i, j) for i, j in pairs]
        offset = n
        cost[offset : offset + len(covered)] = COVERAGE_PENALTY * self.scale
        offset += len(covered)
        cost[offset : offset + len(dragons)] = DRAGON_PENALTY * self.scale
        offset += len(dragons)
        cost[offset:] = MUST_MEET_PENALTY * self.scale
        lower, upper = np.zeros(n_vars), np.ones(n_vars)
        for k, p in enumerate(pairs):
            if p in self.locked_pairs:
                lower[k] = 1.0
        dragon_target = [min(self.problem.dragon_meetings, self.org_cap[j]) for j in dragons]
        upper[n + len(covered) : n + len(covered) + len(dragons)] = dragon_target

        rows: list[int] = []
        cols: list[int] = []
        row_lb: list[float] = []
        row_ub: list[float] = []
        row = 0
        by_firm: dict[int, list[int]] = defaultdict(list)
        by_org: dict[int, list[int]] = defaultdict(list)
        for k, (i, j) in enumerate(pairs):
            by_firm[i].append(k)
            by_org[j].append(k)
        for i in range(firms):
            if by_firm[i]:
                rows += [row] * len(by_firm[i])
                cols += by_firm[i]
                row_lb.append(0.0)
                row_ub.append(self.firm_cap[i])
                row += 1
        for j in range(orgs):
            if by_org[j]:
                rows += [row] * len(by_org[j])
                cols += by_org[j]
                row_lb.append(0.0)
                row_ub.append(self.org_cap[j])
                row += 1
        rows += [row] * n
        cols += list(range(n))
        row_lb.append(0.0)
        row_ub.append(max(self.total_cap, len(self.locked_pairs)))
        row += 1
        for number, j in enumerate(covered):  # Σ x + shortfall ≥ 1
            rows += [row] * (len(by_org[j]) + 1)
            cols += [*by_org[j], n + number]
            row_lb.append(1.0)
            row_ub.append(np.inf)
            row += 1
        for number, j in enumerate(dragons):  # Σ x + shortfall ≥ target
            rows += [row] * (len(by_org[j]) + 1)
            cols += [*by_org[j], n + len(covered) + number]
            row_lb.append(dragon_target[number])
            row_ub.append(np.inf)
            row += 1
        for number, k in enumerate(must):  # x + shortfall ≥ 1
            rows += [row, row]
            cols += [k, n + len(covered) + len(dragons) + number]
            row_lb.append(1.0)
            row_ub.append(np.inf)
            row += 1
        matrix = sparse.csr_array(
            (np.ones(len(rows)), (np.array(rows), np.array(cols))), shape=(row, n_vars)
        )
        integrality = np.zeros(n_vars)
        integrality[:n] = 1
        return {
            "c": cost,
            "matrix": matrix,
            "row_lb": np.array(row_lb),
            "row_ub": np.array(row_ub),
            "lower": lower,
            "upper": upper,
            "integrality": integrality,
            "covered": covered,
        }

    def bound(self) -> float:
        program = self.pair_program(self.all_pairs(), exact=True)
        if program["matrix"].shape[1] == 0:
            return 0.0
        dense_rows = program["matrix"]
        finite = np.isfinite(program["row_ub"])
        a_ub = sparse.vstack([dense_rows[finite], -dense_rows]).tocsr()
        b_ub = np.concatenate([program["row_ub"][finite], -program["row_lb"]])
        result = linprog(
            program["c"],
            A_ub=a_ub,
            b_ub=b_ub,
            bounds=np.column_stack([program["lower"], program["upper"]]),
            method="highs",
        )
        if result.status != 0:
            raise RuntimeError(f"the LP relaxation failed: {result.message}")
        return float(-result.fun)

    def choose_pairs(self, pairs: Sequence[tuple[int, int]], time_limit: float) -> list[int]:
        if not pairs:
            return []
        program = self.pair_program(pairs)
        result = milp(
            program["c"],
            integrality=program["integrality"],
            bounds=Bounds(program["lower"], program["upper"]),
            constraints=LinearConstraint(program["matrix"], program["row_lb"], program["row_ub"]),
            options={"time_limit": time_limit, "mip_rel_gap": 1e-4},
        )
        if result.x is None:
            raise RuntimeError(f"choosing the pairs failed: {result.message}")
        return [k for k in range(len(pairs)) if result.x[k] > 0.5]

    def place(
        self, pairs: Sequence[tuple[int, int]], time_limit: float
    ) -> dict[tuple[int, int], int]:
        """Step 2, the whole model over these pairs: a slot for each meeting, one meeting per
        participant per slot, the tables, K, and the same penalties as step 1."""
        problem = self.problem
        locked = {(i, j): m.slot for i, j, m in self.locks}
        variables: list[tuple[int, int]] = []  # (pair number, slot)
        for k, (i, j) in enumerate(pairs):
            if (i, j) in locked:
                variables.append((k, locked[(i, j)]))
            else:
                variables += [(k, s) for s in sorted(self.firm_slots[i] & self.org_slots[j])]
        if not variables:
            return {}
        groups: dict[tuple[str, int, int], list[int]] = defaultdict(list)
        for v, (k, s) in enumerate(variables):
            i, j = pairs[k]
            groups[("pair", k, 0)].append(v)
            groups[("firm-slot", i, s)].append(v)
            groups[("org-slot", j, s)].append(v)
            groups[("slot", s, 0)].append(v)
            groups[("firm", i, 0)].append(v)
            groups[("org", j, 0)].append(v)
        n = len(variables)
        orgs_here = sorted({j for _, j in pairs if self.org_cap[j] > 0})
        dragons = [j for j in orgs_here if j in self.dragons]
        must = sorted({k for k, p in enumerate(pairs) if p in self.must})
        # Shortfall variables after the y's: coverage, dragons, must-meet.
        n_all = n + len(orgs_here) + len(dragons) + len(must)
        cost = np.zeros(n_all)
        # A slightly earlier slot breaks ties, so equal schedules come out the same each run.
        cost[:n] = [self.pair_cost(*pairs[k]) - 1e-7 * (problem.slots - s) for k, s in variables]
        cost[n : n + len(orgs_here)] = COVERAGE_PENALTY * self.scale
        cost[n + len(orgs_here) : n + len(orgs_here) + len(dragons)] = DRAGON_PENALTY * self.scale
        cost[n + len(orgs_here) + len(dragons) :] = MUST_MEET_PENALTY * self.scale
        lower = np.zeros(n_all)
        upper = np.ones(n_all)
        lower[:n] = [1.0 if pairs[k] in locked else 0.0 for k, _ in variables]
        targets = [min(problem.dragon_meetings, self.org_cap[j]) for j in dragons]
        upper[n + len(orgs_here) : n + len(orgs_here) + len(dragons)] = targets
        rows: list[int] = []
        cols: list[int] = []
        lb: list[float] = []
        ub: list[float] = []
        for row, (key, members) in enumerate(groups.items()):
            rows += [row] * len(members)
            cols += members
            lb.append(0.0)
            ub.append(
                problem.tables_in(key[1])
                if key[0] == "slot"
                else self.firm_cap[key[1]]
                if key[0] == "firm"
                else self.org_cap[key[1]]
                if key[0] == "org"
                else 1.0
            )
        row = len(groups)
        shortfalls = [
            *((groups[("org", j, 0)], 1.0) for j in orgs_here),
            *((groups[("org", j, 0)], float(t)) for j, t in zip(dragons, targets, strict=True)),
            *((groups[("pair", k, 0)], 1.0) for k in must),
        ]
        for number, (members, target) in enumerate(shortfalls):
            rows += [row] * (len(members) + 1)
            cols += [*members, n + number]
            lb.append(target)
            ub.append(np.inf)
            row += 1
        matrix = sparse.csr_array(
            (np.ones(len(rows)), (np.array(rows), np.array(cols))), shape=(row, n_all)
        )
        integrality = np.zeros(n_all)
        integrality[:n] = 1
        result = milp(
            cost,
            integrality=integrality,
            bounds=Bounds(lower, upper),
            constraints=LinearConstraint(matrix, np.array(lb), np.array(ub)),
            options={"time_limit": time_limit, "mip_rel_gap": 1e-4},
        )
        if result.x is None:
            raise RuntimeError(f"placing the meetings failed: {result.message}")
        return {pairs[k]: s for v, (k, s) in enumerate(variables) if result.x[v] > 0.5}

    def slot_bound(self, pairs: Sequence[tuple[int, int]], rounds: int = 4) -> float:
        """The bound below, tightened by column generation: the pairs it prices as
        profitable join the LP and it is solved again. Every round's bound is valid."""
        included = set(pairs)
        best = float("inf")
        for _ in range(rounds):
            bound, profitable = self._priced_bound(sorted(included))
            best = min(best, bound)
            if not profitable:
                break
            included |= profitable
        return best

    def _priced_bound(
        self, pairs: Sequence[tuple[int, int]]
    ) -> tuple[float, set[tuple[int, int]]]:
        """An upper bound on the LP relaxation of step 2's model over *every* admissible pair
        (the full problem's), from the LP over `pairs` alone and its duals.

        Any non-negative multipliers of the constraints bound the full LP (Lagrangian
        duality, every variable in [0, 1]): the restricted LP's optimal duals give its own
        optimum plus, for each pair × slot left out, its reduced profit where positive. So
        the bound is valid for every pair, at the cost of the candidates' LP.
        """
        problem = self.problem
        locked = {(i, j): m.slot for i, j, m in self.locks}
        in_model = set(pairs)
        orgs_here = sorted({j for j in range(len(self.org_ids)) if self.org_cap[j] > 0})
        dragon_target = {
            j: min(problem.dragon_meetings, self.org_cap[j])
            for j in orgs_here
            if j in self.dragons
        }
        # Rows: key → (members, upper) for ≤ rows; shortfall rows are ≥ rows with a slack.
        upper_rows: dict[tuple[str, int, int], list[int]] = defaultdict(list)
        lower_rows: dict[tuple[str, int, int], list[int]] = defaultdict(list)
        variables: list[tuple[int, int, int]] = []  # (i, j, slot)

        def rows_of(i: int, j: int, s: int) -> list[tuple[str, int, int]]:
            return [
                ("firm-slot", i, s),
                ("org-slot", j, s),
                ("slot", s, 0),
                ("firm", i, 0),
                ("org", j, 0),
            ]

        for i, j in pairs:
            slots = (
                [locked[(i, j)]]
                if (i, j) in locked
                else sorted(self.firm_slots[i] & self.org_slots[j])
            )
            for s in slots:
                v = len(variables)
                variables.append((i, j, s))
                upper_rows[("pair", i * len(self.org_ids) + j, 0)].append(v)
                for key in rows_of(i, j, s):
                    upper_rows[key].append(v)
                if self.org_cap[j] > 0:
                    lower_rows[("cover", j, 0)].append(v)
                if j in dragon_target:
                    lower_rows[("dragon", j, 0)].append(v)
                if (i, j) in self.must:
                    lower_rows[("must", i * len(self.org_ids) + j, 0)].append(v)
        if not variables:
            return 0.0, set()

        def capacity(key: tuple[str, int, int]) -> float:
            kind, a, _ = key
            if kind == "slot":
                return float(problem.tables_in(a))
            if kind == "firm":
                return float(self.firm_cap[a])
            if kind == "org":
                return float(self.org_cap[a])
            return 1.0

        def target(key: tuple[str, int, int]) -> float:
            return float(dragon_target[key[1]]) if key[0] == "dragon" else 1.0

        def penalty(key: tuple[str, int, int]) -> float:
            weight = {"cover": COVERAGE_PENALTY, "dragon": DRAGON_PENALTY}.get(key[0])
            return (weight or MUST_MEET_PENALTY) * self.scale

        up_keys, low_keys = list(upper_rows), list(lower_rows)
        n, m = len(variables), len(low_keys)
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for r, key in enumerate(up_keys):
            rows += [r] * len(upper_rows[key])
            cols += upper_rows[key]
            values += [1.0] * len(upper_rows[key])
        for r, key in enumerate(low_keys, start=len(up_keys)):  # −Σ y − shortfall ≤ −target
            rows += [r] * (len(lower_rows[key]) + 1)
            cols += [*lower_rows[key], n + r - len(up_keys)]
            values += [-1.0] * (len(lower_rows[key]) + 1)
        matrix = sparse.csr_array(
            (np.array(values), (np.array(rows), np.array(cols))),
            shape=(len(up_keys) + m, n + m),
        )
        b_ub = np.array([capacity(k) for k in up_keys] + [-target(k) for k in low_keys])
        cost = np.array(
            [-self.score[i, j] for i, j, _ in variables] + [penalty(k) for k in low_keys]
        )
        lower = np.array([1.0 if (i, j) in locked else 0.0 for i, j, _ in variables] + [0.0] * m)
        upper = np.array([1.0] * n + [target(k) for k in low_keys])
        result = linprog(
            cost,
            A_ub=matrix,
            b_ub=b_ub,
            bounds=np.column_stack([lower, upper]),
            method="highs-ds",
        )
        if result.status != 0:
            raise RuntimeError(f"the LP relaxation failed: {result.message}")
        duals = -np.asarray(result.ineqlin.marginals)  # ≥ 0 for ≤ rows of a minimisation
        lam = {key: float(duals[r]) for r, key in enumerate(up_keys)}
        mu = {key: float(duals[len(up_keys) + r]) for r, key in enumerate(low_keys)}
        # Lagrangian: −λ·b + Σ over every variable of min over its bounds of its reduced cost.
        dual_value = -float(duals @ b_ub)
        reduced_all = cost + matrix.T @ duals
        dual_value += float(np.sum(np.minimum(reduced_all * lower, reduced_all * upper)))
        profitable: set[tuple[int, int]] = set()
        for i, j in self.all_pairs():
            if (i, j) in in_model:
                continue
            for s in sorted(self.firm_slots[i] & self.org_slots[j]):
                reduced = -self.score[i, j] + sum(lam.get(key, 0.0) for key in rows_of(i, j, s))
                if self.org_cap[j] > 0:
                    reduced -= mu.get(("cover", j, 0), 0.0)
                if j in dragon_target:
                    reduced -= mu.get(("dragon", j, 0), 0.0)
                if reduced < -1e-9:
                    dual_value += reduced
                    profitable.add((i, j))
        return -dual_value, profitable


def solve(problem: Problem) -> Schedule:
    """Propose the schedule: the meetings, their objective, the LP bound and the time taken."""
    started = time.perf_counter()
    model = _Model(problem)
    model.check_locks()
    issues = list(model.issues)
    candidates = model.candidates()
    chosen_numbers = model.choose_pairs(candidates, problem.time_limit / 2)
    chosen = [candidates[k] for k in chosen_numbers]
    pair_seconds = time.perf_counter() - started

    remaining = max(problem.time_limit - (time.perf_counter() - started), 1.0)
    placed = model.place(chosen, remaining)
    dropped = len(chosen) - len(placed)
    if dropped:
        # The slots could not seat every chosen pair: place again over every candidate, so
        # another partner can stand in for one that did not fit.
        remaining = max(problem.time_limit - (time.perf_counter() - started), 1.0)
        placed = model.place(candidates, remaining)
    filled = _fill(model, placed, candidates)
    meetings = _tables(model, placed)
    seconds = time.perf_counter() - started

    bound_started = time.perf_counter()
    pair_bound = model.bound()
    bound = pair_bound
    if dropped:
        # The pair model forgot a constraint that binds (the slots): the LP relaxation of the
        # whole model, slower, is the tighter bound.
        bound = min(bound, model.slot_bound(candidates))
    bound_seconds = time.perf_counter() - bound_started

    objective, shortfall_issues = _evaluate(model, placed)
    issues += shortfall_issues
    score = float(sum(model.score[i, j] for i, j in placed))
    return Schedule(
        meetings=meetings,
        score=score,
        objective=objective,
        bound=max(bound, objective),
        seconds=seconds,
        issues=tuple(issues),
        stats={
            "candidates": len(candidates),
            "admissible": int(model.admissible.sum()),
            "chosen": len(chosen),
            "dropped": dropped,
            "filled": filled,
            "pair_seconds": pair_seconds,
            "pair_model_bound": pair_bound,
            "bound_seconds": bound_seconds,
        },
    )


def _fill(
    model: _Model, placed: dict[tuple[int, int], int], candidates: Iterable[tuple[int, int]]
) -> int:
    """Seat the best remaining candidates at free tables (after pairs that did not fit)."""
    problem = model.problem
    firm_busy: dict[int, set[int]] = defaultdict(set)
    org_busy: dict[int, set[int]] = defaultdict(set)
    per_slot: dict[int, int] = defaultdict(int)
    for (i, j), s in placed.items():
        firm_busy[i].add(s)
        org_busy[j].add(s)
        per_slot[s] += 1
    free = [s for s in range(problem.slots) if per_slot[s] < problem.tables_in(s)]
    if not free:
        return 0
    org_count = {j: len(org_busy[j]) for j in range(len(model.org_ids))}

    def priority(pair: tuple[int, int]) -> tuple[bool, float]:
        return (org_count.get(pair[1], 0) == 0, float(model.score[pair]))

    added = 0
    for i, j in sorted((p for p in candidates if p not in placed), key=priority, reverse=True):
        if len(firm_busy[i]) >= model.firm_cap[i] or len(org_busy[j]) >= model.org_cap[j]:
            continue
        if model.score[i, j] <= 0 and org_busy[j]:
            continue
        options = [
            s
            for s in sorted(model.firm_slots[i] & model.org_slots[j])
            if s not in firm_busy[i]
            and s not in org_busy[j]
            and per_slot[s] < problem.tables_in(s)
        ]
        if options:
            s = options[0]
            placed[(i, j)] = s
            firm_busy[i].add(s)
            org_busy[j].add(s)
            per_slot[s] += 1
            added += 1
    return added


def _tables(model: _Model, placed: dict[tuple[int, int], int]) -> tuple[Meeting, ...]:
    """Number the tables of each slot: locked meetings keep theirs, the rest take the
    lowest free numbers, best score first."""
    locked = {(i, j): m for i, j, m in model.locks}
    taken: dict[int, set[int]] = defaultdict(set)
    for m in locked.values():
        if m.table:
            taken[m.slot].add(m.table)
    meetings = []
    order = sorted(placed.items(), key=lambda item: (item[1], -model.score[item[0]], item[0]))
    for (i, j), s in order:
        lock = locked.get((i, j))
        if lock is not None and lock.table:
            table = lock.table
        else:
            table = 1
            while table in taken[s]:
                table += 1
            taken[s].add(table)
        meetings.append(
            Meeting(
                firm=model.firm_ids[i],
                organization=model.org_ids[j],
                slot=s,
                table=table,
                locked=lock is not None,
            )
        )
    return tuple(sorted(meetings, key=lambda m: (m.slot, m.table)))


def _evaluate(model: _Model, placed: Mapping[tuple[int, int], int]) -> tuple[float, list[Issue]]:
    """The schedule's objective (score less penalties) and the shortfalls it leaves."""
    issues: list[Issue] = []
    score = float(sum(model.score[p] for p in placed))
    penalty = 0.0
    per_org: dict[int, int] = defaultdict(int)
    for _, j in placed:
        per_org[j] += 1
    for i, j in sorted(model.must):
        if (i, j) not in placed:
            penalty += MUST_MEET_PENALTY * model.scale
            issues.append(Issue("must_meet_unmet", model.firm_ids[i], model.org_ids[j]))
    possible = model.admissible.any(axis=0)
    for j, oid in enumerate(model.org_ids):
        if per_org[j]:
            pass
        elif not possible[j] or model.org_cap[j] == 0:
            issues.append(Issue("no_possible_partner", organization=oid))
        else:
            penalty += COVERAGE_PENALTY * model.scale
            issues.append(Issue("uncovered", organization=oid))
        if j in model.dragons and possible[j] and model.org_cap[j] > 0:
            short = min(model.problem.dragon_meetings, model.org_cap[j]) - per_org[j]
            if short > 0:
                penalty += DRAGON_PENALTY * model.scale * short
                issues.append(Issue("dragon_short", organization=oid))
    return score - penalty, issues


def evaluate(problem: Problem, meetings: Iterable[Meeting]) -> tuple[float, list[Issue]]:
    """Any list of meetings' objective (score less penalties) and the shortfalls it leaves:
    how the benchmark scores its greedy baseline and the curator's edited schedule."""
    model = _Model(problem)
    placed = {
        (model.firm_index[m.firm], model.org_index[m.organization]): m.slot for m in meetings
    }
    objective, issues = _evaluate(model, placed)
    return objective, [*model.issues, *issues]


def violations(problem: Problem, meetings: Iterable[Meeting]) -> list[str]:
    """Every hard rule a list of meetings breaks (empty when the schedule is valid): used by
    the tests and before the curator's swaps are saved."""
    found: list[str] = []
    firm_slots = {f.id: f.available for f in problem.firms}
    org_slots = {o.id: o.available for o in problem.organizations}
    firm_count: dict[int, int] = defaultdict(int)
    org_count: dict[int, int] = defaultdict(int)
    pairs: set[tuple[int, int]] = set()
    seats: set[tuple[int, int]] = set()
    busy: set[tuple[str, int, int]] = set()
    per_slot: dict[int, int] = defaultdict(int)
    locked_pairs = {(m.firm, m.organization) for m in problem.locked}
    for m in meetings:
        pair = (m.firm, m.organization)
        if m.firm not in firm_slots or m.organization not in org_slots:
            found.append(f"unknown participant in {m}")
            continue
        if not 0 <= m.slot < problem.slots:
            found.append(f"slot out of range: {m}")
        if m.slot not in firm_slots[m.firm] or m.slot not in org_slots[m.organization]:
            found.append(f"outside availability: {m}")
        if pair in problem.not_interested and pair not in locked_pairs:
            found.append(f"not interested: {m}")
        if pair in pairs:
            found.append(f"pair twice: {m}")
        pairs.add(pair)
        for key in (("f", m.firm, m.slot), ("o", m.organization, m.slot)):
            if key in busy:
                found.append(f"double booked: {m}")
            busy.add(key)
        if (m.slot, m.table) in seats or not 1 <= m.table <= problem.tables_in(m.slot):
            found.append(f"table taken or out of range: {m}")
        seats.add((m.slot, m.table))
        per_slot[m.slot] += 1
        firm_count[m.firm] += 1
        org_count[m.organization] += 1
    locks_of: dict[int, int] = defaultdict(int)
    for lock in problem.locked:
        locks_of[lock.firm] += 1
        locks_of[lock.organization + 10**12] += 1
    for fid, count in firm_count.items():
        if count > max(problem.max_meetings, locks_of[fid]):
            found.append(f"firm {fid} has {count} meetings")
    for oid, count in org_count.items():
        if count > max(problem.max_meetings, locks_of[oid + 10**12]):
            found.append(f"organization {oid} has {count} meetings")
    placed = {(m.firm, m.organization, m.slot) for m in meetings}
    for lock in problem.locked:
        if (lock.firm, lock.organization, lock.slot) not in placed:
            found.append(f"lock not kept: {lock}")
    return found
