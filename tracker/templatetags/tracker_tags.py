from django import template
from django.utils.html import format_html

from tracker.choices import Status

register = template.Library()


@register.simple_tag
def status_tag(status):
    """A BRAG status as an NHS.UK tag: the colour and, always, the word."""
    status = Status(status or Status.NOT_ASSESSED)
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{} app-status" data-status="{}" title="{}">{}</strong>',
        status.tag_colour,
        status.value,
        status.meaning,
        status.label,
    )
