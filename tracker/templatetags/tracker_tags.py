from django import template
from django.template import engines
from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from markupsafe import Markup

from tracker.choices import REPORTED_REASON_STATUSES, Assurance, EvidenceKind, Status

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
    """Counts by status as a horizontal bar; the counts and words are there for screen readers too.

    An SVG whose rectangles carry their widths as attributes: the Content-Security-Policy allows no inline style.
    """
    # Not applicable is counted apart: it is no part of the proportions, so it has no segment, only its words.
    shown = [status for status in Status if counts[status.value] and status != Status.NOT_APPLICABLE]
    total = sum(counts[status.value] for status in shown) or 1
    offsets = [sum(100 * counts[s.value] / total for s in shown[:i]) for i in range(len(shown))]
    rects = format_html_join(
        "",
        '<rect class="app-bar__segment--{}" x="{}" width="{}" height="1" fill="{}"><title>{}: {}</title></rect>',
        (
            (
                status.tag_colour,
                f"{offset:.2f}",
                f"{100 * counts[status.value] / total:.2f}",
                BAR_COLOURS[status.tag_colour],
                status.label,
                counts[status.value],
            )
            for status, offset in zip(shown, offsets, strict=True)
        ),
    )
    words = format_html_join("", "{}: {}. ", ((status.label, counts[status.value]) for status in shown))
    if counts.get(Status.NOT_APPLICABLE.value):
        apart = format_html(
            '<span class="app-bar__apart nhsuk-body-s">Not applicable: {} (not in the bar)</span>',
            counts[Status.NOT_APPLICABLE.value],
        )
        return format_html('<span class="app-bar">{}</span>{}', stacked_bar_svg(rects, words), apart)
    return format_html('<span class="app-bar">{}</span>', stacked_bar_svg(rects, words))


def stacked_bar_svg(rects, words):
    return format_html(
        '<svg width="100%" height="100%" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true" '
        'focusable="false">{}</svg><span class="nhsuk-u-visually-hidden">{}</span>',
        rects,
        words,
    )


# The bar's colours, as tracker.css gives its segments (fill, not background: they are SVG shapes).
BAR_COLOURS = {"grey": "#aeb7bd", "red": "#d5281b", "orange": "#ed8b00", "green": "#007f3b", "blue": "#005eb8"}


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
    """The comparison matrix's <thead> and <tbody>, rendered from templates/jinja2/tracker/matrix_body.html. What
    repeats in every cell (item codes, status words and classes) is escaped once here, not 648 times there; the
    column heads too, with Django's escaping as the rest of the page."""
    template = engines["jinja2"].get_template("tracker/matrix_body.html")
    items = matrix["items"]
    return mark_safe(
        template.render(
            {
                "matrix": matrix,
                "show_change": show_change,
                "flag_overdue": matrix["is_current"],
                "colspan": len(items) + 1,
                "theme_heads": [
                    (Markup(escape(theme.title)), span)
                    for _, themes in matrix["column_groups"]
                    for theme, span in themes
                ],
                "titles": [Markup(escape(item.title)) for item in items],
                "codes": [Markup(escape(item.code)) for item in items],  # a row's cells, column by column
                "zip": zip,
                "classes": {status.value: Markup(f"app-cell--{status.value}") for status in Status},
                "words": {status.value: Markup(escape(status.label)) for status in Status},
                "markers": {move: Markup(movement_marker(move)) for move in MOVEMENT_TEXT},
            }
        )
    )


@register.simple_tag
def board_report_body(report, system):
    """The board report's tables (a row per item), rendered from templates/jinja2/tracker/board_report_body.html.
    Status tags, movement markers and the words for each status are made once here, not once per row; dates are
    written as the page's |date:"j F Y" writes them ("9 October 2024"), with the month names translated once, since
    Django's date formatting costs more than the rest of a row."""
    template = engines["jinja2"].get_template("tracker/board_report_body.html")
    months = {number: str(name) for number, name in MONTHS.items()}

    def long_date(day):
        return f"{day.day} {months[day.month]} {day.year}" if day else ""

    return mark_safe(
        template.render(
            {
                "groups": report["groups"],
                "e": escape,
                "date": long_date,
                "record_url": lambda code: reverse("tracker:record", args=[system.ods_code, code]),
                "tags": {status.value: status_tag(status.value) for status in Status},
                "markers": {move: movement_marker(move) for move in MOVEMENT_TEXT},
                "words": {status.value: escape(status.label) for status in Status},
                "whys": {status.value: escape(f"Why {status.label.lower()}:") for status in REPORTED_REASON_STATUSES},
                "kinds": {kind.value: escape(kind.label) for kind in EvidenceKind},
            }
        )
    )


RETURN_STATE_COLOURS = {"open": "grey", "submitted": "blue", "signed_off": "green"}


@register.simple_tag
def return_state_tag(quarterly_return):
    """A return's state as an NHS.UK tag, always with its word."""
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{} app-status">{}</strong>',
        RETURN_STATE_COLOURS[quarterly_return.state],
        quarterly_return.get_state_display(),
    )


@register.filter
def due_on(period):
    """The date a period's return is due."""
    from tracker.models.returns import due_on as return_due_on

    return return_due_on(period)


@register.filter
def assurance_label(value):
    """An assurance opinion's value (substantial, reasonable, limited, none) as people read it."""
    return Assurance(value).label if value else ""


@register.filter
def period_label(code):
    """A reporting period's code (2026-27-Q2) as people read it (Q2 2026/27)."""
    from tracker.periods import ReportingPeriod

    return ReportingPeriod.from_code(code).label
