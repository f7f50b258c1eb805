"""Mutation testing: does any test fail when one line of a module is wrong?

``scripts/mutate`` runs this module (see CONTRIBUTING.md, "Mutation testing"). For each module
it makes *mutants*, copies of the module with one small change (an operator, a comparison, a
constant, ``and``/``or``, a condition negated, a returned value dropped, a statement or a
collection item removed), runs the tests that reach the module against each one, and reports
which mutants no test noticed (*survivors*). A survivor is a line whose behaviour no test
pins down, unless the change cannot be observed at all (an *equivalent* mutant): those are
listed, each with its reason, in ``tests/support/equivalent_mutants.json`` and left out of
the score.

How it works:

* Mutants are made on the AST (stdlib :mod:`ast`) and written back by replacing the changed
  node's source text only, so line numbers, comments and the rest of the file are kept. A
  mutant whose text does not parse back to exactly the intended tree is dropped (precedence,
  f-strings), so every mutant run is the change it claims to be.
* The repository is copied to a temporary directory per worker; the working tree is never
  written to. Tests run there with ``python -m pytest -x`` (the copy's package first on
  ``sys.path``, also for the plugin processes the harness starts; no bytecode written, so a
  stale ``.pyc`` can never stand in for a mutant) under ``CI=true`` (hypothesis derandomised).
* Each module's tests are listed in :data:`TESTS_FOR` (fast ones first: most mutants die in
  the first seconds); ``--tests`` overrides them. The unmutated run must pass first; its
  duration sets each mutant's timeout (a mutant that loops is *timeout*, counted as found).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The known-equivalent mutants: module, function, original and mutated text, and why no
#: test can tell the mutant apart (they are left out of the score).
EQUIVALENTS_FILE = REPO_ROOT / "tests" / "support" / "equivalent_mutants.json"

#: The tests that reach each module, fastest first (``-x`` stops at the first failure); a
#: pattern (``test_members_*engine.py``) stands for the files it matches, in name order.
TESTS_FOR: dict[str, tuple[str, ...]] = {
    "pulumi_avosms/_text.py": (
        "tests/providers/test_short_keys_and_quotes.py",
        "tests/providers/test_message_edges.py",
        "tests/client/test_accounts_config_messages.py",
        "tests/providers/test_message_safety.py",
        "tests/providers/test_key_guard.py",
        "tests/providers/test_refused_values_quoted.py",
        "tests/client/test_reply_text_in_errors.py",
        "tests/providers/test_input_messages.py",
        "tests/client/test_error_family.py",
        "tests/client/test_reply_fuzz.py",
        "tests/client/test_errors.py",
    ),
    "pulumi_avosms/client/retry_policy.py": (
        "tests/client/test_retry_decisions.py",
        "tests/client/test_errors.py",
        "tests/client/test_error_family.py",
        "tests/client/test_client.py",
    ),
    "pulumi_avosms/_adoption.py": (
        "tests/providers/test_message_safety.py",
        "tests/providers/test_adoption.py",
        "tests/providers/test_account_input.py",
        "tests/providers/test_import_rules.py",
        "tests/providers/test_contact_list_provider.py",
        "tests/providers/test_contact_provider.py",
        "tests/providers/test_contact_list_members_provider.py",
    ),
    "pulumi_avosms/contact_list_rules.py": (
        "tests/providers/test_message_safety.py",
        "tests/providers/test_contact_list_provider.py",
        "tests/providers/test_adoption.py",
        "tests/providers/test_account_input.py",
        "tests/providers/test_import_rules.py",
        "tests/providers/test_check_properties.py",
        "tests/plugin/test_contact_list_outputs.py",
        "tests/plugin/test_contact_list_engine.py",
    ),
    "pulumi_avosms/contact_rules.py": (
        "tests/providers/test_contact_provider.py",
        "tests/providers/test_adoption.py",
        "tests/providers/test_account_input.py",
        "tests/providers/test_import_rules.py",
        "tests/providers/test_check_properties.py",
        "tests/plugin/test_contact_engine.py",
    ),
    "pulumi_avosms/_members_rules.py": (
        "tests/providers/test_key_guard.py",
        "tests/providers/test_message_safety.py",
        "tests/providers/test_refused_values_quoted.py",
        "tests/providers/test_members_unknowns.py",
        "tests/providers/test_members_check_failures.py",
        "tests/providers/test_members_opt_in.py",
        "tests/providers/test_account_input.py",
        "tests/providers/test_contact_list_members_provider.py",
        "tests/providers/test_members_csv.py",
        "tests/providers/test_adoption.py",
        "tests/providers/test_import_rules.py",
        "tests/plugin/test_contact_list_members_engine.py",
        "tests/plugin/test_members_*engine.py",
    ),
    "pulumi_avosms/_members_plan.py": (
        "tests/providers/test_members_plan.py",
        "tests/providers/test_members_import_differences.py",
        "tests/providers/test_contact_list_members_provider.py",
        "tests/plugin/test_contact_list_members_engine.py",
        "tests/plugin/test_members_*engine.py",
        "tests/plugin/test_upgrade.py",
    ),
    "pulumi_avosms/_members_state.py": (
        "tests/providers/test_members_plan.py",
        "tests/providers/test_contact_list_members_provider.py",
        "tests/providers/test_members_at_scale.py",
        "tests/plugin/test_members_removal_rule_engine.py",
        "tests/plugin/test_contact_list_members_engine.py",
        "tests/plugin/test_members_*engine.py",
        "tests/plugin/test_upgrade.py",
    ),
    "pulumi_avosms/_accounts.py": (
        "tests/client/test_endpoint_key.py",
        "tests/providers/test_key_guard.py",
        "tests/providers/test_message_safety.py",
        "tests/client/test_accounts_config_messages.py",
        "tests/client/test_accounts.py",
        "tests/providers/test_account_identity.py",
        "tests/providers/test_account_input.py",
        "tests/plugin/test_accounts_engine.py",
    ),
}

#: Directories not copied into a worker's repository copy.
_NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv*", "venv", "__pycache__", "*.pyc", "*.egg-info", "build", "dist",
    ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", ".avosms", ".pulumi-state",
    ".pulumi-cli",
)  # fmt: skip

# -- making mutants ---------------------------------------------------------------------------

_BINOP_SWAPS: dict[type, tuple[type, ...]] = {
    ast.Add: (ast.Sub,),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div,),
    ast.Div: (ast.Mult,),
    ast.FloorDiv: (ast.Mult,),
    ast.Mod: (ast.Mult,),
    ast.Pow: (ast.Mult,),
    ast.LShift: (ast.RShift,),
    ast.RShift: (ast.LShift,),
    ast.BitOr: (ast.BitAnd,),
    ast.BitAnd: (ast.BitOr,),
    ast.BitXor: (ast.BitOr,),
}
_COMPARE_SWAPS: dict[type, tuple[type, ...]] = {
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
#: Names whose subscript is a type (``Mapping[str, int]``): nothing in it to mutate.
_GENERIC_TYPES = frozenset(
    [
        "tuple",
        "dict",
        "list",
        "set",
        "frozenset",
        "type",
        "Callable",
        "Mapping",
        "MutableMapping",
        "Sequence",
        "Iterable",
        "Iterator",
        "Optional",
        "Union",
        "Awaitable",
        "Generator",
        "ClassVar",
        "Final",
        "Literal",
    ]
)
#: Built-in calls swapped for their opposite.
_CALL_SWAPS = {"min": "max", "max": "min", "any": "all", "all": "any"}


@dataclass(frozen=True)
class Mutant:
    """One change to one module: the source span ``[start, end)`` (bytes) becomes ``mutated``."""

    path: str  # relative to the repository root
    line: int
    function: str  # the qualified name of the enclosing function or class, or "<module>"
    kind: str
    original: str  # what is shown of the change (for an item removed: the item, and "")
    mutated: str
    start: int
    end: int
    replacement: str  # the text that replaces [start, end)
    #: 1 for the first mutant with this function, original and mutated text, 2 for the next...
    occurrence: int = 1

    def apply(self, source: str) -> str:
        data = source.encode("utf-8")
        return (data[: self.start] + self.replacement.encode("utf-8") + data[self.end :]).decode(
            "utf-8"
        )

    def key(self) -> tuple[str, str, str, str, int]:
        """What identifies it in the equivalents file (line numbers move; the text does not)."""
        return (
            self.path,
            self.function,
            _squash(self.original),
            _squash(self.mutated),
            self.occurrence,
        )

    def shown(self) -> str:
        """``path:line function: original -> mutated``, on one line."""
        change = (
            f"{_cut(self.original)}  removed"
            if self.kind == "item removed"
            else f"{_cut(self.original)}  ->  {_cut(self.mutated)}"
        )
        nth = f" (occurrence {self.occurrence})" if self.occurrence > 1 else ""
        return f"{self.path}:{self.line} {self.function} [{self.kind}]: {change}{nth}"


def _squash(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str, limit: int = 120) -> str:
    text = _squash(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_docstring(node: ast.AST, parent: ast.AST | None) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and isinstance(parent, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and bool(parent.body)
        and parent.body[0] is node
    )


def _negated(test: ast.expr) -> ast.expr | None:
    """``not (test)``, or None where another mutation already negates it (a comparison's
    opposite operator, ``not`` removed)."""
    if isinstance(test, ast.Compare) or (
        isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    ):
        return None
    return ast.UnaryOp(op=ast.Not(), operand=copy.deepcopy(test))


def _replacements(node: ast.AST, parent: ast.AST | None) -> Iterator[tuple[str, ast.AST]]:
    """(kind, replacement node) for every mutation of ``node`` itself (not its children)."""
    if isinstance(node, ast.BinOp):
        for op in _BINOP_SWAPS.get(type(node.op), ()):
            yield "operator", ast.BinOp(copy.deepcopy(node.left), op(), copy.deepcopy(node.right))
    elif isinstance(node, ast.AugAssign):
        for op in _BINOP_SWAPS.get(type(node.op), ()):
            yield "operator", ast.AugAssign(copy.deepcopy(node.target), op(), node.value)
    elif isinstance(node, ast.Compare):
        for i, old in enumerate(node.ops):
            for op in _COMPARE_SWAPS.get(type(old), ()):
                ops = [copy.deepcopy(o) for o in node.ops]
                ops[i] = op()
                yield "comparison", ast.Compare(copy.deepcopy(node.left), ops, node.comparators)
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "boolean", ast.BoolOp(other, copy.deepcopy(node.values))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub, ast.Invert)):
        yield "unary", copy.deepcopy(node.operand)
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield "constant", ast.Constant(not value)
        elif isinstance(value, (int, float)):
            yield "constant", ast.Constant(value + 1)
        elif isinstance(value, str):
            yield "constant", ast.Constant("" if value else "mutant")
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in _CALL_SWAPS:
            call = copy.deepcopy(node)
            call.func = ast.Name(_CALL_SWAPS[node.func.id], ast.Load())
            yield "call", call
    elif isinstance(node, (ast.Set, ast.List, ast.Tuple)) and len(node.elts) > 1:
        if isinstance(getattr(node, "ctx", ast.Load()), ast.Load) and not any(
            isinstance(e, ast.Starred) for e in node.elts
        ):
            for i in range(len(node.elts)):
                rest = [copy.deepcopy(e) for j, e in enumerate(node.elts) if j != i]
                smaller = (
                    ast.Set(rest) if isinstance(node, ast.Set) else type(node)(rest, ast.Load())
                )
                yield f"item removed {i}", smaller
    elif isinstance(node, ast.Dict) and len(node.keys) > 1 and None not in node.keys:
        for i in range(len(node.keys)):
            keys = [copy.deepcopy(k) for j, k in enumerate(node.keys) if j != i]
            values = [copy.deepcopy(v) for j, v in enumerate(node.values) if j != i]
            yield f"item removed {i}", ast.Dict(keys, values)
    elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
        if (negated := _negated(node.test)) is not None:
            yield "condition", negated  # replaces the test only (see mutants_of)
    elif isinstance(node, ast.comprehension):
        for i, test in enumerate(node.ifs):
            if (negated := _negated(test)) is not None:
                yield f"condition {i}", negated
    elif isinstance(node, ast.Return):
        if node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None
        ):
            yield "return", ast.Return(ast.Constant(None))
        else:
            yield "statement removed", ast.Pass()
    elif isinstance(node, (ast.Expr, ast.Raise, ast.Continue, ast.Break)) and not _is_docstring(
        node, parent
    ):
        yield "statement removed", ast.Pass()
    if isinstance(node, ast.AugAssign):
        yield "statement removed", ast.Pass()
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and all(
        isinstance(t, (ast.Attribute, ast.Subscript))
        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
    ):
        yield "statement removed", ast.Pass()  # a side effect on an object (a name is used later)


def _skipped_children(node: ast.AST) -> set[int]:
    """Ids of the children not to mutate: annotations, ``__all__``, decorators' targets."""
    skipped: list[ast.AST | None] = []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        skipped.append(node.returns)
    elif isinstance(node, (ast.arg, ast.AnnAssign)):
        skipped.append(node.annotation)
    elif isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
    ):
        skipped.append(node.value)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        skipped += list(ast.iter_child_nodes(node))
    elif (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id in _GENERIC_TYPES
    ):
        skipped.append(node.slice)  # a generic type (an alias): no behaviour to mutate
    return {id(n) for n in skipped if n is not None}


def _walk(tree: ast.Module) -> Iterator[tuple[ast.AST, ast.AST | None, str, tuple[Any, ...]]]:
    """(node, parent, enclosing qualified name, path from the root) for every mutable node."""

    def visit(
        node: ast.AST, parent: ast.AST | None, scope: str, path: tuple[Any, ...]
    ) -> Iterator[tuple[ast.AST, ast.AST | None, str, tuple[Any, ...]]]:
        if _is_docstring(node, parent) or isinstance(node, (ast.Import, ast.ImportFrom)):
            return
        yield node, parent, scope, path
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            scope = node.name if scope == "<module>" else f"{scope}.{node.name}"
        skipped = _skipped_children(node)
        for name, value in ast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for index, child in enumerate(items):
                if isinstance(child, ast.AST) and id(child) not in skipped:
                    where = (name, index) if isinstance(value, list) else (name, None)
                    yield from visit(child, node, scope, (*path, where))

    yield from visit(tree, None, "<module>", ())


def _at(tree: ast.AST, path: tuple[Any, ...]) -> ast.AST:
    node = tree
    for name, index in path:
        value = getattr(node, name)
        node = value[index] if index is not None else value
    return node


def _replace_at(tree: ast.Module, path: tuple[Any, ...], new: ast.AST) -> None:
    *head, (name, index) = path
    parent = _at(tree, tuple(head))
    if index is None:
        setattr(parent, name, new)
    else:
        getattr(parent, name)[index] = new


def _offsets(source: str) -> list[int]:
    """Byte offset of the start of each line (1-based lines: index 0 is line 1)."""
    starts, total = [], 0
    for line in source.encode("utf-8").splitlines(keepends=True):
        starts.append(total)
        total += len(line)
    return [*starts, total]


def _span(node: ast.AST, line_starts: list[int]) -> tuple[int, int, int] | None:
    """(line, start, end) byte span of ``node``; of its test for ``if``/``while``/``for``."""
    target: Any = node.test if isinstance(node, (ast.If, ast.While)) else node
    if isinstance(node, ast.comprehension):
        return None  # its ``if`` filters are spanned one by one (see mutants_of)
    if getattr(target, "end_lineno", None) is None:
        return None
    start = line_starts[target.lineno - 1] + target.col_offset
    end = line_starts[target.end_lineno - 1] + target.end_col_offset
    return target.lineno, start, end


def _text_of(node: ast.AST, parenthesised: bool) -> str:
    text = ast.unparse(node)
    return f"({text})" if parenthesised and isinstance(node, ast.expr) else text


def mutants_of(path: Path, function: str | None = None) -> list[Mutant]:
    """Every mutant of the module at ``path``; with ``function``, only those inside it.

    ``function`` is a qualified name (``RetryPolicy.classify``) or its last part; each
    mutant's text parses back to exactly the intended tree, or the mutant is dropped.
    """
    source = path.read_text(encoding="utf-8")
    data = source.encode("utf-8")
    tree = ast.parse(source)
    line_starts = _offsets(source)
    resolved = path.resolve()
    relative = str(resolved.relative_to(REPO_ROOT) if resolved.is_relative_to(REPO_ROOT) else path)
    found: list[Mutant] = []
    seen: set[tuple[int, int, str]] = set()
    for node, parent, scope, where in _walk(tree):
        if function is not None and not (
            scope == function or scope.endswith(f".{function}") or scope.startswith(f"{function}.")
        ):
            continue
        for kind, new in _replacements(node, parent):
            # Which node of the tree the text replacement stands for.
            if isinstance(node, (ast.If, ast.While, ast.IfExp)) and kind == "condition":
                span_node: ast.AST = node.test
                span_where = (*where, ("test", None))
            elif isinstance(node, ast.comprehension):
                index = int(kind.split()[1])
                span_node, span_where = node.ifs[index], (*where, ("ifs", index))
                kind = "condition"
            else:
                span_node, span_where = node, where
            span = _span(span_node, line_starts)
            if span is None:
                continue
            line, start, end = span
            expected = ast.parse(source)
            _replace_at(expected, span_where, new)
            wanted = ast.dump(expected)
            original = data[start:end].decode("utf-8")
            shown = (original, None)
            if kind.startswith("item removed"):
                # Shown as the item that goes: the whole collection would hide it.
                index = int(kind.split()[2])
                kind = "item removed"
                first: Any = node.keys[index] if isinstance(node, ast.Dict) else node.elts[index]  # type: ignore[attr-defined]
                last: Any = node.values[index] if isinstance(node, ast.Dict) else first
                line = first.lineno
                a = line_starts[first.lineno - 1] + first.col_offset
                b = line_starts[last.end_lineno - 1] + last.end_col_offset
                shown = (data[a:b].decode("utf-8"), "")
            for parenthesised in (False, True):
                text = _text_of(new, parenthesised)
                mutated = text if shown[1] is None else shown[1]
                mutant = Mutant(relative, line, scope, kind, shown[0], mutated, start, end, text)
                try:
                    if ast.dump(ast.parse(mutant.apply(source))) != wanted:
                        continue
                except SyntaxError:
                    continue
                if (start, end, text) not in seen:
                    seen.add((start, end, text))
                    found.append(mutant)
                break
    counts: dict[tuple[str, str, str, str, int], int] = {}
    numbered = []
    for mutant in found:
        counts[mutant.key()] = counts.get(mutant.key(), 0) + 1
        numbered.append(dataclasses.replace(mutant, occurrence=counts[mutant.key()]))
    return numbered


def test_files(listed: Sequence[str]) -> list[str]:
    """``listed`` with each pattern expanded, each file once, in the order given."""
    found: list[str] = []
    for entry in listed:
        path = entry.split("::")[0]
        matches = sorted(str(p.relative_to(REPO_ROOT)) for p in REPO_ROOT.glob(path))
        if not matches:
            raise SystemExit(f"no test file matches {entry}")
        for match in [entry] if "::" in entry else matches:
            if match not in found:
                found.append(match)
    return found


# -- the known-equivalent mutants -------------------------------------------------------------


def load_equivalents(path: Path = EQUIVALENTS_FILE) -> list[dict[str, str]]:
    """The entries of the equivalents file (each with module, function, original, mutated,
    reason)."""
    entries: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))["equivalents"]
    for entry in entries:
        missing = {"module", "function", "original", "mutated", "reason"} - entry.keys()
        if missing or not entry["reason"].strip():
            raise SystemExit(f"{path}: entry {entry} lacks {sorted(missing) or ['a reason']}")
    return entries


def equivalent_keys(entries: Sequence[dict[str, Any]]) -> set[tuple[str, str, str, str, int]]:
    """The :meth:`Mutant.key` of each entry (``occurrence`` is 1 unless the entry says)."""
    return {
        (
            e["module"],
            e["function"],
            _squash(e["original"]),
            _squash(e["mutated"]),
            int(e.get("occurrence", 1)),
        )
        for e in entries
    }


# -- running them -----------------------------------------------------------------------------


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed, survived, timeout, equivalent
    seconds: float = 0.0
    by: str = ""  # the first test that failed


@dataclass
class Workspace:
    """A copy of the repository where one worker writes its mutants."""

    root: Path
    lock: threading.Lock = field(default_factory=threading.Lock)


def _copy_repository(into: Path) -> Path:
    root = into / "repo"
    shutil.copytree(REPO_ROOT, root, ignore=_NOT_COPIED, symlinks=True)
    # The copy's package must win over the editable install of the working tree.
    where = subprocess.run(
        [sys.executable, "-c", "import pulumi_avosms; print(pulumi_avosms.__file__)"],
        cwd=root, env=_environment(root), capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not Path(where).is_relative_to(root):
        raise SystemExit(f"the tests would import {where}, not the copy in {root}")
    return root


def _environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["CI"] = "true"  # hypothesis: the ci profile (derandomised, no database)
    env.pop("HYPOTHESIS_PROFILE", None)
    return env


#: The process groups of the pytest runs in flight, ended at once on Ctrl-C.
_RUNNING: set[int] = set()
_RUNNING_LOCK = threading.Lock()


def _end_running() -> None:
    with _RUNNING_LOCK:
        groups = list(_RUNNING)
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def _pytest(root: Path, tests: Sequence[str], timeout: float) -> tuple[str, float, str]:
    """Run ``tests`` in ``root``: (passed | failed | timeout | error, seconds, first failure)."""
    command = [
        sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
        "-o", "addopts=", "-rf", "--no-header", *tests,
    ]  # fmt: skip
    began = time.monotonic()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            command, cwd=root, env=_environment(root), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a timeout ends the plugins too
        )  # fmt: skip
        with _RUNNING_LOCK:
            _RUNNING.add(process.pid)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return "timeout", time.monotonic() - began, ""
        finally:
            # Whatever a test started and left behind (a plugin, an emulator) goes with it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with _RUNNING_LOCK:
                _RUNNING.discard(process.pid)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    seconds = time.monotonic() - began
    failed = re.search(r"^(?:FAILED|ERROR) (\S+)", text, re.MULTILINE)
    if code == 0:
        return "passed", seconds, ""
    if code in (1, 2):  # tests failed, or collection failed (the mutant broke an import)
        return "failed", seconds, failed.group(1) if failed else "(collection)"
    return "error", seconds, text[-2000:]


def run_module(
    module: str,
    tests: Sequence[str],
    mutants: Sequence[Mutant],
    equivalents: set[tuple[str, str, str, str, int]],
    workspaces: Sequence[Workspace],
    *,
    verbose: bool,
) -> list[Outcome]:
    """Each mutant of ``module`` against ``tests``; each workspace runs one mutant at a time."""
    source = (REPO_ROOT / module).read_text(encoding="utf-8")
    for workspace in workspaces:
        (workspace.root / module).write_text(source, encoding="utf-8")
    status, baseline, detail = _pytest(workspaces[0].root, tests, timeout=1800)
    if status != "passed":
        raise SystemExit(f"{module}: the tests fail without any mutant ({detail}); fix them first")
    timeout = 2 * baseline + 20
    print(f"{module}: {len(mutants)} mutants, tests {baseline:.0f}s unmutated", flush=True)
    free: list[Workspace] = list(workspaces)
    free_lock = threading.Lock()

    def one(mutant: Mutant) -> Outcome:
        if mutant.key() in equivalents:
            return Outcome(mutant, "equivalent")
        with free_lock:
            workspace = free.pop()
        try:
            target = workspace.root / module
            target.write_text(mutant.apply(source), encoding="utf-8")
            result, seconds, by = _pytest(workspace.root, tests, timeout)
            target.write_text(source, encoding="utf-8")
        finally:
            with free_lock:
                free.append(workspace)
        status = {"failed": "killed", "passed": "survived"}.get(result, result)
        if status == "error":
            raise SystemExit(f"pytest could not run for {mutant.shown()}:\n{by}")
        outcome = Outcome(mutant, status, seconds, by)
        if verbose or status == "survived":
            print(f"  {status:9} {mutant.shown()}", flush=True)
        return outcome

    pool = ThreadPoolExecutor(max_workers=len(workspaces))
    try:
        return list(pool.map(one, mutants))
    except KeyboardInterrupt:
        # Ctrl-C reaches this thread only (each pytest runs in its own session): end the runs
        # in flight now, so the workers return and the scratch copies are removed.
        pool.shutdown(wait=False, cancel_futures=True)
        _end_running()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def score(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    counts = {s: sum(o.status == s for o in outcomes) for s in ("killed", "timeout", "survived")}
    counts["equivalent"] = sum(o.status == "equivalent" for o in outcomes)
    judged = counts["killed"] + counts["timeout"] + counts["survived"]
    counts["score"] = 100.0 * (counts["killed"] + counts["timeout"]) / judged if judged else 100.0
    return counts


def report(results: dict[str, list[Outcome]]) -> str:
    """The table of scores, then every survivor (and every equivalent mutant) by module."""
    lines = [
        f"{'module':42} {'killed':>6} {'timeout':>7} {'survived':>8} {'equiv.':>6} {'score':>7}"
    ]
    for module, outcomes in results.items():
        s = score(outcomes)
        lines.append(
            f"{module:42} {s['killed']:>6} {s['timeout']:>7} {s['survived']:>8} "
            f"{s['equivalent']:>6} {s['score']:>6.1f}%"
        )
    for module, outcomes in results.items():
        for status in ("survived", "equivalent"):
            chosen = [o for o in outcomes if o.status == status]
            if chosen:
                lines.append(f"\n{module}: {status}")
                lines += [f"  {o.mutant.shown()}" for o in chosen]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/mutate",
        description="Mutation testing: which one-line changes of a module no test notices.",
    )
    parser.add_argument(
        "modules",
        nargs="*",
        help=f"module paths (default: every module of {', '.join(TESTS_FOR)})",
    )
    parser.add_argument("--function", help="only mutants inside this function (or class)")
    parser.add_argument("--tests", nargs="+", help="test files to run instead of TESTS_FOR's")
    parser.add_argument("--workers", type=int, default=1, choices=(1, 2))
    parser.add_argument("--list", action="store_true", help="list the mutants; run nothing")
    parser.add_argument("--json", type=Path, help="also write every outcome to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every mutant")
    args = parser.parse_args(argv)

    modules = [str(Path(m)) for m in args.modules] or list(TESTS_FOR)
    for module in modules:
        if not (REPO_ROOT / module).is_file():
            parser.error(f"{module}: no such module (give its path from the repository root)")
        if not (args.tests or args.list) and module not in TESTS_FOR:
            parser.error(f"{module}: no tests listed in TESTS_FOR; name them with --tests")
    equivalents = equivalent_keys(load_equivalents())
    mutants = {m: mutants_of(REPO_ROOT / m, args.function) for m in modules}
    if args.list:
        for found in mutants.values():
            for mutant in found:
                mark = " (equivalent)" if mutant.key() in equivalents else ""
                print(mutant.shown() + mark)
        return 0

    results: dict[str, list[Outcome]] = {}
    with tempfile.TemporaryDirectory(prefix="mutate-") as scratch:
        workspaces = [
            Workspace(_copy_repository(Path(scratch) / str(i))) for i in range(args.workers)
        ]
        for module in modules:
            tests = test_files(args.tests or TESTS_FOR[module])
            results[module] = run_module(
                module, tests, mutants[module], equivalents, workspaces, verbose=args.verbose
            )
    print()
    print(report(results))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    m: {
                        "score": score(o),
                        "outcomes": [
                            {**asdict(x.mutant), "status": x.status, "by": x.by} for x in o
                        ],
                    }
                    for m, o in results.items()
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
