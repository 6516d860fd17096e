from django import forms


class StyledFormMixin:
    """Bootstrap classes on every widget, so templates render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def add_domain_error(form: forms.Form, error) -> None:
    """Show a DomainError beside its field, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
