from django import template
from django.template import engines
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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


STATUS_COLOURS = {
    "not_assessed": "#768692",
    "red": "#d5281b",
    "amber": "#ed8b00",
    "green": "#007f3b",
    "blue": "#005eb8",
    "not_applicable": "#330072",
}
MOVEMENT_TEXT = {
    "up": ("▲", "improved"),
    "down": ("▼", "worsened"),
    "new": ("●", "newly assessed"),
    "changed": ("◆", "changed to or from not applicable"),
    "same": ("", ""),
}


@register.simple_tag
def status_word(status):
    """The status as a word, in full: "Not assessed" is never shortened to N/A, which NHS readers take as
    "not applicable"."""
    return Status(status or Status.NOT_ASSESSED).label


@register.simple_tag
def movement_marker(movement):
    symbol, words = MOVEMENT_TEXT[movement]
    if not symbol:
        return ""
    return format_html(
        '<span class="app-move app-move--{}" aria-hidden="true">{}</span>'
        '<span class="nhsuk-u-visually-hidden"> ({})</span>',
        movement,
        symbol,
        words,
    )


@register.simple_tag
def stacked_bar(counts):
    """Counts by status as a horizontal bar; each segment carries its count and word for screen readers."""
    total = sum(counts.values()) or 1
    segments = format_html_join(
        "",
        '<span class="app-bar__segment app-bar__segment--{}" style="width:{}%" title="{}: {}">'
        '<span class="nhsuk-u-visually-hidden">{}: {}. </span></span>',
        (
            (
                status.tag_colour,
                f"{100 * counts[status.value] / total:.2f}",
                status.label,
                counts[status.value],
                status.label,
                counts[status.value],
            )
            for status in Status
            if counts[status.value]
        ),
    )
    return format_html('<span class="app-bar">{}</span>', segments)


@register.simple_tag
def trend_svg(series, width=640, height=200):
    """Counts by status over periods as an SVG line chart. A data table beside it carries the same figures."""
    if not series:
        return ""
    top = max(max(counts.values()) for _, counts in series) or 1
    step = width / max(len(series) - 1, 1)
    lines = []
    for status in Status:
        points = " ".join(
            f"{i * step:.1f},{height - height * counts[status.value] / top:.1f}" for i, (_, counts) in enumerate(series)
        )
        lines.append((STATUS_COLOURS[status.value], points, status.label))
    polylines = format_html_join(
        "",
        '<polyline fill="none" stroke="{}" stroke-width="3" points="{}"><title>{}</title></polyline>',
        lines,
    )
    return format_html(
        '<svg class="app-trend" viewBox="-4 -4 {} {}" role="img" aria-labelledby="trend-title">'
        '<title id="trend-title">Counts by status from {} to {}; the table below gives the figures.</title>{}</svg>',
        width + 8,
        height + 8,
        series[0][0].label,
        series[-1][0].label,
        polylines,
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.simple_tag
def comparison_body(matrix, show_change):
    """The comparison matrix's <tbody>, rendered from templates/jinja2/tracker/matrix_body.html."""
    template = engines["jinja2"].get_template("tracker/matrix_body.html")
    return mark_safe(
        template.render(
            {
                "matrix": matrix,
                "show_change": show_change,
                "flag_overdue": matrix["is_current"],
                "colspan": len(matrix["items"]) + 1,
                "words": {status.value: status.label for status in Status},
                "markers": {move: movement_marker(move) for move in MOVEMENT_TEXT},
            }
        )
    )
