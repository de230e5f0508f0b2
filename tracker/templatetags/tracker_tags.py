from django import template
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
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
}
MOVEMENT_TEXT = {"up": ("▲", "improved"), "down": ("▼", "worsened"), "new": ("●", "newly assessed"), "same": ("", "")}


@register.simple_tag
def status_word(status, short=False):
    """The status as a word (short form for dense tables), coloured by the tag beside it."""
    status = Status(status or Status.NOT_ASSESSED)
    if short and status == Status.NOT_ASSESSED:
        return mark_safe('<abbr title="Not assessed">N/A</abbr>')
    return status.label


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
    total = sum(counts.values()) or 1
    shown = [status for status in Status if counts[status.value]]
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
    return format_html(
        '<span class="app-bar"><svg width="100%" height="100%" viewBox="0 0 100 1" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">{}</svg><span class="nhsuk-u-visually-hidden">{}</span></span>',
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
    """The comparison matrix's <tbody>. Built here rather than in template loops: it is hundreds of cells,
    and the page must stay close to the cost of its query (see benchmarks/). Every text is escaped."""
    colspan = len(matrix["items"]) + 1
    flag_overdue = matrix["is_current"]
    words = {status.value: str(status_word(status.value, short=True)) for status in Status}
    markers = {move: str(movement_marker(move)) if show_change else "" for move in MOVEMENT_TEXT}
    codes = [escape(item.code) for item in matrix["items"]]
    stale_tag = ' <strong class="nhsuk-tag nhsuk-tag--yellow app-cell-flag">Stale return</strong>'
    overdue = '<span class="app-cell-flag">overdue</span>'
    # One reverse() for all the rows: the ODS code is the only part of a system's URL that varies.
    system_url = reverse("tracker:system", args=["~ods~"])
    html = ["<tbody>"]
    for region, systems in matrix["rows"]:
        html.append(
            f'<tr><th scope="rowgroup" colspan="{colspan}" class="app-theme-row">{escape(region.name)}</th></tr>'
        )
        for system, cells in systems:
            base = escape(system_url.replace("~ods~", system.ods_code))
            stale = stale_tag if matrix["is_current"] and system.is_stale else ""
            html.append(f'<tr><th scope="row"><a href="{base}">{escape(system.short_name)}</a>{stale}</th>')
            for code, (_, cell) in zip(codes, cells, strict=True):
                if cell is None:
                    html.append("<td></td>")
                    continue
                flag = overdue if flag_overdue and cell.is_overdue else ""
                html.append(
                    f'<td class="app-cell--{cell.status}"><a href="{base}records/{code}/">'
                    f'<span class="nhsuk-u-visually-hidden">{code}: </span>{words[cell.status]}</a>'
                    f"{markers[cell.movement]}{flag}</td>"
                )
            html.append("</tr>")
    html.append("</tbody>")
    return mark_safe("".join(html))
