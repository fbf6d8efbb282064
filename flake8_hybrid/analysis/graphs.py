"""Graph algorithms, on any graph given as its nodes and a function from a node to its successors."""

from __future__ import annotations

from typing import Callable, Hashable, Iterable, TypeVar

Node = TypeVar("Node", bound=Hashable)


def strongly_connected(nodes: Iterable[Node], successors: Callable[[Node], Iterable[Node]]) -> list[list[Node]]:
    """Every strongly connected component of the graph reachable from ``nodes``, singletons
    included, each completed before any component that reaches it (Tarjan's algorithm, without
    recursion: call graphs are deeper than Python's stack)."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    components: list[list[Node]] = []
    for start in nodes:
        if start in index:
            continue
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        work = [(start, iter(successors(start)))]
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def on_cycles(nodes: Iterable[Node], successors: Callable[[Node], Iterable[Node]]) -> set[Node]:
    """The nodes on a cycle: in a strongly connected component of more than one, or their own
    successor."""
    result: set = set()
    for component in strongly_connected(nodes, successors):
        if len(component) > 1 or component[0] in successors(component[0]):
            result.update(component)
    return result
