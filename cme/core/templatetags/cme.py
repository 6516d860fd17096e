"""Template filters every page may use (registered as builtins in settings)."""

from django import template

from cme.core import idnumbers

register = template.Library()


@register.filter
def mask_id(number: str | None) -> str:
    """4301**********123X — the only way a template shows an ID number."""
    return idnumbers.mask(number)


@register.filter
def action_label(code: str) -> str:
    from cme.core.audit import ACTION_LABELS

    return str(ACTION_LABELS.get(code, code))
