"""Small form helpers shared by the citizen's and the staff's forms."""


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
