"""The base classes of every Django form on the server-rendered pages.

`Form` and `ModelForm` are django.forms' own, plus `RefuseControlCharactersMixin`: a text field whose
submitted value holds a control character (core.security: C0 other than tab, newline and carriage return,
and DEL) gets an error of its own, so the page shows it next to the field, `is_valid()` is False and
nothing is saved. The API refuses the same characters in its parsers; stored, they broke the Excel exports.

Every form class of the project derives from these (tests/security/test_control_characters.py walks them
all); a form built on another base, such as Django's PasswordChangeForm, mixes the mixin in first.
"""

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError

from core.security import CONTROL_CHARACTER_MESSAGE, has_control_characters

# For mypy the mixin is a form (it uses `self.fields`, `self[name]`); at run time it adds no base.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class RefuseControlCharactersMixin(_FormBase):
    """Adds CONTROL_CHARACTER_MESSAGE to each text field (a forms.CharField, subclasses included) whose
    submitted value holds a control character. File fields and fields that parse their input into
    something else (dates, numbers, choices) are not looked at; neither are disabled fields, whose
    value is the initial one, not the submitted one.

    The raw submitted value is checked, before CharField strips it: Python counts \\x0b, \\x0c and
    \\x1c–\\x1f as whitespace, so a validator on the cleaned value would never see them at the ends of
    the text, nor in a list field that splits on whitespace — the API refuses them wherever they are, and
    so do the pages. `_clean_fields` is the step of Django's full_clean() that cleans each field; if it
    ever changes, the form tests in tests/security/test_control_characters.py fail.
    """

    # Fields never checked, e.g. a password that is only compared with a hash; name the reason in place.
    control_characters_allowed: tuple[str, ...] = ()

    def _clean_fields(self):
        super()._clean_fields()
        for name in self.control_character_fields():
            # After the field's own cleaning and before clean(): the value leaves cleaned_data, so clean(),
            # a ModelForm's instance and the view never see it. It is the one error shown for the field:
            # what the field said about the value (Django's own "null characters are not allowed", a
            # format) mostly comes from the same character; anything else shows once it is removed.
            self.errors.pop(name, None)
            self.add_error(name, ValidationError(CONTROL_CHARACTER_MESSAGE, code="control_characters"))

    def control_character_fields(self) -> list[str]:
        """Names of the text fields whose submitted value holds a control character."""
        found = []
        for name, field in self.fields.items():
            if name in self.control_characters_allowed or field.disabled:
                continue
            if not isinstance(field, forms.CharField):
                continue
            data = self[name].data
            values = data if isinstance(data, list | tuple) else [data]
            if any(isinstance(value, str) and has_control_characters(value) for value in values):
                found.append(name)
        return found


class Form(RefuseControlCharactersMixin, forms.Form):
    pass


class ModelForm(RefuseControlCharactersMixin, forms.ModelForm):
    pass
