"""The feedback sheet's evaluation lines on a page, worded as the PDF prints them (grades in Chinese, never
their codes): `{{ c|evaluation_text }}`, `{{ c|excellent_text }}`."""

from django import template

from ..documents.sheets import evaluation_lines

register = template.Library()


@register.filter
def evaluation_text(content) -> str:
    return evaluation_lines(content or {})[0]


@register.filter
def excellent_text(content) -> str:
    return evaluation_lines(content or {})[1]
