"""The declaration window (WINDOW_CLOSED)."""

from cme.projects.checks import (
    Context,
    RuleResult,
    flag,
    rule,
)
from cme.projects.models import Project
from cme.projects.rules._text import _moment, _what

BASE = Project.Form.BASE

# -- the window ---------------------------------------------------------------------------


@rule("WINDOW_CLOSED", fields=("__all__",), source="000 §一, §三.1; 002 §一")
def window_closed(ctx: Context) -> RuleResult:
    """A declaration is accepted only inside its (year, level, kind) window: 逾期不予受理.

    The window is the one set by the nearest authority above the sponsor, so a city's
    earlier internal deadline applies to its units (`policy.actions.window_for`). No window
    configured counts as closed. A submitted declaration is judged at its submission time.
    """
    window = ctx.window
    what = _what(ctx.project)
    if window is None:
        return flag("__all__", "{what}的申报时间尚未设置，暂不受理申报。".format(what=what))
    if ctx.at < window.opens_at:
        return flag(
            "__all__",
            "{what}的申报时间为{opens}至{closes}，尚未开始受理。".format(
                what=what, opens=_moment(window.opens_at), closes=_moment(window.closes_at)
            ),
        )
    if ctx.at > window.closes_at:
        return flag(
            "__all__",
            "{what}的申报截止时间为{closes}（{owner}设定），逾期不予受理。".format(
                what=what, closes=_moment(window.closes_at), owner=window.owner
            ),
        )
    return None
