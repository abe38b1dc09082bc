"""Origins, groups and cycles, over plain values: no database."""

import pytest

from claims.independence import (
    ancestors,
    find_path,
    group_of,
    origins_of,
    path_that_a_link_would_close,
    suggest_credibility,
)


def steps_from(edges):
    calls = []

    def next_steps(frontier):
        calls.append(set(frontier))
        return {node: edges.get(node, []) for node in frontier}

    next_steps.calls = calls
    return next_steps


def test_find_path_returns_the_shortest_path():
    edges = {1: [2, 3], 2: [4], 3: [4], 4: [5]}
    assert find_path(1, 5, steps_from(edges)) == [1, 2, 4, 5]


def test_find_path_returns_none_when_unreachable():
    assert find_path(1, 9, steps_from({1: [2], 2: [3]})) is None


def test_find_path_asks_for_one_frontier_per_level():
    steps = steps_from({1: [2, 3], 2: [4], 3: [5]})
    find_path(1, 99, steps)
    assert steps.calls == [{1}, {2, 3}, {4, 5}]


def test_find_path_survives_existing_cycles():
    assert find_path(1, 9, steps_from({1: [2], 2: [1]})) is None


def test_a_link_back_to_an_ancestor_closes_a_cycle():
    # 2 repeats 1, 3 is based on 2: a link 1 -> 3 closes 1 -> 3 -> 2 -> 1.
    edges = {2: [1], 3: [2]}
    assert path_that_a_link_would_close(1, 3, steps_from(edges)) == [1, 3, 2, 1]


def test_a_link_to_an_unrelated_claim_closes_no_cycle():
    assert path_that_a_link_would_close(1, 4, steps_from({2: [1], 3: [2]})) is None


def test_ancestors_are_listed_nearest_first():
    parents = {"former official": "kremlin", "kremlin": "russia", "russia": None}
    assert ancestors("former official", parents) == ["kremlin", "russia"]


def test_the_group_is_the_top_of_the_parent_chain():
    parents = {10: 1, 11: 10, 1: None, 20: None}
    assert group_of(11, parents) == 1
    assert group_of(20, parents) == 20


def test_ancestors_stop_at_a_loop_instead_of_spinning():
    assert ancestors(1, {1: 2, 2: 1}) == [2]


def test_a_claim_without_deriving_links_is_its_own_origin():
    assert origins_of(7, {}) == [7]


def test_origins_follow_repeats_and_based_on_to_the_end():
    # 3 repeats 2, 2 is based on 1.
    assert origins_of(3, {3: [2], 2: [1]}) == [1]


def test_a_claim_based_on_two_others_has_both_origins():
    assert origins_of(5, {5: [3, 4], 3: [1], 4: [2]}) == [1, 2]


def test_origins_of_a_cycle_terminate():
    assert origins_of(1, {1: [2], 2: [1]}) == [1]


# Suggested credibility: every rule of the domain ------------------------------------


@pytest.mark.parametrize(
    "c, x, grade, words",
    [
        (
            2,
            0,
            1,
            "Confirmed: 2 independent groups corroborate it and no independent "
            "groups contradict it.",
        ),
        (5, 0, 1, "Confirmed"),
        (1, 0, 2, "Probably true: 1 independent group corroborates it"),
        (
            2,
            1,
            3,
            "Possibly true: 2 independent groups corroborate it and 1 "
            "independent group contradicts it",
        ),
        (4, 3, 3, "more corroborate than contradict"),
        (0, 0, 6, "Cannot be judged"),
        (
            0,
            1,
            4,
            "Doubtful: no independent groups corroborate it and 1 independent "
            "group contradicts it.",
        ),
        (0, 2, 5, "Improbable"),
        (0, 7, 5, "Improbable"),
        (1, 1, 4, "at least as many contradict as corroborate"),
        (2, 5, 4, "Doubtful"),
    ],
)
def test_suggested_credibility_follows_the_domain_rules(c, x, grade, words):
    suggestion = suggest_credibility(c, x)
    assert suggestion.credibility == grade
    assert words in suggestion.reason


def test_every_count_pair_gets_a_grade_on_the_scale():
    for c in range(6):
        for x in range(6):
            assert 1 <= suggest_credibility(c, x).credibility <= 6


# Property-based tests: any graph, cycles and all --------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

nodes = st.integers(0, 12)
graphs = st.dictionaries(nodes, st.lists(nodes, max_size=4), max_size=12)
parent_maps = st.dictionaries(nodes, st.one_of(st.none(), nodes), max_size=12)


def reachable(start, edges):
    seen, stack = {start}, [start]
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


@given(graphs, nodes, nodes)
def test_find_path_is_a_real_path_exactly_when_one_exists(edges, start, target):
    path = find_path(start, target, steps_from(edges))
    if path is None:
        assert target not in reachable(start, edges)
    else:
        assert path[0] == start and path[-1] == target
        assert all(b in edges.get(a, ()) for a, b in zip(path, path[1:], strict=False))
        assert len(set(path)) == len(path)


@given(graphs, nodes)
def test_origins_end_every_chain_and_never_loop(edges, claim):
    origins = origins_of(claim, edges)
    assert origins and origins == sorted(set(origins))
    assert set(origins) <= reachable(claim, edges)
    sinks = {n for n in reachable(claim, edges) if not edges.get(n)}
    assert sinks <= set(origins)
    if sinks:
        assert set(origins) == sinks


@given(parent_maps, nodes)
def test_a_group_is_the_top_of_the_parent_chain_even_with_cycles(parents, source):
    chain = ancestors(source, parents)
    assert len(chain) == len(set(chain)) and source not in chain
    group = group_of(source, parents)
    assert group == (chain[-1] if chain else source)


@given(st.integers(0, 50), st.integers(0, 50))
def test_a_suggestion_is_a_grade_with_a_reason_and_more_support_never_lowers_it(c, x):
    suggestion = suggest_credibility(c, x)
    assert 1 <= suggestion.credibility <= 6 and suggestion.reason
    assert suggest_credibility(c + 1, x).credibility <= suggestion.credibility
