"""No tracked file names a path outside the repository or of one machine.

Citations point inside the repository (the API reference is ``docs/avosms-api.md``), so a
fresh clone holds everything a reader is sent to.
"""

from __future__ import annotations

from tests.support.projects import REPO_ROOT, tracked_files

#: Spellings of paths outside the repository (built here so this file does not match itself).
OUTSIDE = ("../" + "shared/", "/" + "work/")


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    found = []
    for name in tracked_files():
        path = REPO_ROOT / name
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            found.extend(f"{name}:{number}: {line.strip()}" for bad in OUTSIDE if bad in line)
    assert found == [], "cite docs/avosms-api.md or a path inside the repository instead"
