"""Small form helpers shared by the citizen's and the staff's forms."""

import copy

from django import forms


class FocusFirstError:
    """After validation, the first invalid field (in the form's order) gets `autofocus`, so the
    page shown again with errors puts the cursor there — without JavaScript (the small static
    script only scrolls it into view). Any other autofocus of the form is dropped."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        first = next((name for name in self.fields if name in self._errors), None)
        if first is None:
            return
        for name, field in self.fields.items():
            if name != first:
                field.widget.attrs.pop("autofocus", None)
        self.fields[first].widget.attrs["autofocus"] = True


class FieldCopies(dict):
    """A form's `base_fields` whose per-form copy is cheaper than `copy.deepcopy`.

    Django gives every form instance its own fields with `copy.deepcopy(self.base_fields)`: for
    each field, the generic deepcopy machinery (memo, reduce, keep-alive) around what
    `Field.__deepcopy__` and `Widget.__deepcopy__` do. For the citizen's form that copy was most of
    building the form on every GET and POST (issue 13). This does the same copies directly: a new
    field with its own widget, widget attrs, error messages and validators — what those two
    `__deepcopy__` methods copy, nothing less. A field or widget whose class copies more (choices,
    sub-widgets) is deep-copied as Django does.
    """

    def __deepcopy__(self, memo):
        return {name: _copy_field(field, memo) for name, field in self.items()}


def _copy_field(field, memo):
    if type(field).__deepcopy__ is not _FIELD_DEEPCOPY:
        return copy.deepcopy(field, memo)
    widget = field.widget
    if type(widget).__deepcopy__ is not _WIDGET_DEEPCOPY:
        widget = copy.deepcopy(widget, memo)
    else:
        widget = _shallow(widget)
        widget.attrs = field.widget.attrs.copy()
    result = _shallow(field)
    result.widget = widget
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    return result


def _shallow(obj):
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def with_field_copies(form_class):
    """Class decorator: instances of `form_class` copy their fields with FieldCopies."""
    form_class.base_fields = FieldCopies(form_class.base_fields)
    return form_class


_FIELD_DEEPCOPY = forms.Field.__deepcopy__
_WIDGET_DEEPCOPY = forms.Widget.__deepcopy__
