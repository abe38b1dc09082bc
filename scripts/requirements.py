"""Print the pinned dependencies of pyproject.toml (with the dev extras), one a line.

The app runs from its checkout, so the Makefile installs only these, not the project.
"""

import tomllib
from pathlib import Path

project = tomllib.loads(
    (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
)["project"]
for requirement in [
    *project["dependencies"],
    *project["optional-dependencies"]["dev"],
]:
    print(requirement)
