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


# --------------------------------------------------------------------------------------- shared widgets
# A browser's <input type=date> accepts only ISO values (2026-12-03); Django renders a date in the active
# locale's first input format, which for zh-hans is 2026/12/03 — the browser then shows an empty field.
ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"  # what <input type=datetime-local> sends and accepts
ISO_TIME = "%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=ISO_DATETIME)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=ISO_TIME)


class PhoneInput(forms.TextInput):
    """A phone number: the phone keypad on a phone (inputmode), the browser's autofill for numbers."""

    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "tel", "autocomplete": "tel", **(attrs or {})})


BLANK_CHOICE_LABEL = "---------"  # what Django puts in front of a select's choices


def is_phone_field(name: str) -> bool:
    return "phone" in name or "mobile" in name


class ZhFormMixin(_FormBase):
    """How every form of the pages reads in Chinese, whatever its fields were declared with:

    - labels end with a full-width colon (`label_suffix`), not Django's ASCII ":";
    - a select's blank choice says what to pick ("请选择社区"; "全部社区" in a filter form, whose blank
      means "any"), never Django's "---------";
    - date, date-time and time inputs are the browser's own pickers and get ISO values (see above), also
      for fields a ModelForm made from a model or a form declared with Django's own widgets;
    - a phone or mobile number field is an <input type=tel inputmode=tel>.
    """

    label_suffix = "："
    # A filter form's blank choice means "all of them" (set True on filter forms).
    blank_means_all = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", self.label_suffix)
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            self._localise_field(name, field)

    def blank_choice_label(self, field) -> str:
        label = str(field.label or "").rstrip("：:")
        if self.blank_means_all:
            return f"全部{label}" if label else "全部"
        return f"请选择{label}" if label else "请选择"

    def _localise_field(self, name: str, field) -> None:
        widget = field.widget
        if isinstance(field, forms.ModelChoiceField) and field.empty_label == BLANK_CHOICE_LABEL:
            field.empty_label = self.blank_choice_label(field)
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            choices = list(field.choices)  # type: ignore[arg-type]  # a ChoiceField's choices are normalised to a list
            if any(value == "" and label == BLANK_CHOICE_LABEL for value, label in choices):
                blank = self.blank_choice_label(field)
                field.choices = [
                    (v, blank if v == "" and lbl == BLANK_CHOICE_LABEL else lbl) for v, lbl in choices
                ]
        if isinstance(field, forms.DateTimeField) and isinstance(widget, forms.DateTimeInput):
            widget.input_type, widget.format = "datetime-local", ISO_DATETIME
        elif isinstance(field, forms.DateField) and isinstance(widget, forms.DateInput):
            widget.input_type, widget.format = "date", ISO_DATE
        elif isinstance(field, forms.TimeField) and isinstance(widget, forms.TimeInput):
            widget.input_type, widget.format = "time", ISO_TIME
        elif is_phone_field(name) and type(widget) is forms.TextInput:
            widget.input_type = "tel"
            widget.attrs.setdefault("inputmode", "tel")
            widget.attrs.setdefault("autocomplete", "tel")


class Form(ZhFormMixin, RefuseControlCharactersMixin, forms.Form):
    pass


class ModelForm(ZhFormMixin, RefuseControlCharactersMixin, forms.ModelForm):
    pass
