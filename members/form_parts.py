"""The pieces the members forms are built of: list and date fields, labelled choices, and how a refused
service call is shown on a form. `members.forms` re-exports them."""

import re

from django import forms
from django.core.exceptions import ValidationError

from core import forms as core_forms
from core.errors import DomainError

_LIST_SEPARATORS = re.compile(r"[,，、;；/\s]+")


def split_list(value: str) -> list[str]:
    """'法律咨询、政策宣传, 书法' → ['法律咨询', '政策宣传', '书法'] (order kept, duplicates dropped)."""
    items: list[str] = []
    for item in _LIST_SEPARATORS.split(value or ""):
        item = item.strip()
        if item and item not in items:
            items.append(item)
    return items


def add_service_error(form: forms.Form, exc: Exception) -> None:
    """Show a refused service call on the form; nothing was saved (services are atomic)."""
    if isinstance(exc, DomainError):
        message, fields = exc.message, exc.fields
    elif isinstance(exc, ValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "" if fields else "；".join(exc.messages)
    else:  # pragma: no cover - programming error
        raise exc
    shown = set()
    for name, errors in fields.items():
        errors = [str(e) for e in (errors if isinstance(errors, list | tuple) else [errors])]
        target = name if name in form.fields and name != "__all__" else None
        for error in errors:
            if error not in shown:
                form.add_error(target, error)
                shown.add(error)
    if message and message not in shown:
        form.add_error(None, message)


class ListField(forms.CharField):
    """A list of short words typed as one line: 「法律咨询、政策宣传」 ⇄ ['法律咨询', '政策宣传']."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "多项用顿号或逗号分隔")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "、".join(value)
        return value

    def to_python(self, value):
        return split_list(super().to_python(value))


DateInput = core_forms.DateInput  # kept for the imports of members.forms


class LabelledModelChoiceField(forms.ModelChoiceField):
    """Choices labelled by a function (e.g. '北街社区 1号楼' when the user manages several communities)."""

    def __init__(self, *args, label_from=None, **kwargs):
        self._label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self._label_from(obj) if self._label_from else super().label_from_instance(obj)


def building_label(building) -> str:
    return f"{building.community.name} {building.name}"


def person_label(person) -> str:
    membership = getattr(person, "membership", None)
    category = f"（{membership.get_category_display()}）" if membership else "（非党员）"
    return f"{person.name}{category} · {person.community.name}"
