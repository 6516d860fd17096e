"""The declaration rules (SPEC §4.3), each a small function registered under its stable id.

One entry point, `check_declaration(project)`, serves the live form check, submission,
every review step, the API and the importer, so a reviewer sees what the sponsor saw.
The registry, `Finding` and the context the rules read live in `cme.projects.checks`;
`docs/rules.md` is generated from this registry (`manage.py rules_doc`).

Conventions: messages are plain Chinese strings filled with `.format()` and say what to
change; limits come from the policy of the project's year, never from constants here;
`field` is the form field or section ("teachers.3", "planned_sessions.0", "lessons.2" are
positions, from 0, in the project's default ordering of teachers, sessions and lessons).
"""

from datetime import datetime

from cme.projects.checks import (
    DECLARATION_PREFETCH,
    ERROR,
    RULES,
    WARNING,
    Context,
    Finding,
    has_errors,
    render_markdown,
    run,
)
from cme.projects.models import Project

# Importing the modules registers their rules, in this order (the order of docs/rules.md).
# isort: off
from cme.projects.rules import (  # noqa: F401
    window,
    sponsor,
    filing,
    leader,
    teachers,
    places,
    content,
    credits,
    structure,
)

# isort: on

__all__ = [
    "DECLARATION_PREFETCH",
    "ERROR",
    "RULES",
    "WARNING",
    "Finding",
    "check_declaration",
    "has_errors",
    "rules_markdown",
]


def check_declaration(project: Project, *, at: datetime | None = None) -> list[Finding]:
    """Every rule against one declaration; `at` is the moment judged against the
    declaration window (default: its submission time, else now)."""
    return run(Context(project, at=at))


def rules_markdown() -> str:
    return render_markdown(RULES.values())
