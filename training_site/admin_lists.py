"""The index views behind every Wagtail admin list of both apps: Wagtail's own, with the project's
spreadsheet rules (``training_site.spreadsheets``) for ``list_export``.

A viewset whose list can be exported uses one of these (directly or through a subclass);
``tests/staff/exports/test_export_safety.py`` fails for any registered viewset that does not.
"""

from __future__ import annotations

from functools import partial

from django.forms.utils import flatatt
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import Button, ButtonWithDropdown, HeaderButton
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

from .fast_widgets import fast_selects, html_attrs
from .formats.numbers import number
from .spreadsheets import SafeSpreadsheetExportMixin

# The most rows a list counts: past it the list says "more than 10,000" instead of counting the whole scope.
COUNT_CAP = 10_000


class LabelledExportMixin:
    """The XLSX export as a labelled header button ("Xuất Excel (XLSX)") instead of an entry of Wagtail's
    unlabeled "…" menu, where staff did not find it; CSV stays in the menu. On every exportable list."""

    @cached_property
    def header_buttons(self) -> list:
        buttons = list(super().header_buttons)  # type: ignore[misc]  # the index view's, after this mixin
        if self.show_export_buttons:  # type: ignore[attr-defined]
            buttons.append(HeaderButton(_("Export to Excel (XLSX)"), url=self.xlsx_export_url,  # type: ignore[attr-defined]
                                        icon_name="download", attrs={"data-export": "xlsx"}))
        return buttons

    @cached_property
    def header_more_buttons(self) -> list:
        xlsx = self.xlsx_export_url  # type: ignore[attr-defined]
        return [button for button in super().header_more_buttons if button.url != xlsx]  # type: ignore[misc]


class FastFiltersMixin:
    """The filter drawer's plain selects rendered without a template per option (training_site.fast_widgets)."""

    @cached_property
    def filters(self):
        filters = super().filters  # type: ignore[misc]  # the index view's, after this mixin
        if filters is not None:
            fast_selects(filters.form)
        return filters


class ExportIndexView(FastFiltersMixin, LabelledExportMixin, SafeSpreadsheetExportMixin, generic.IndexView):
    """A model viewset's list."""


class SnippetExportIndexView(FastFiltersMixin, LabelledExportMixin, SafeSpreadsheetExportMixin, SnippetIndexView):
    """A snippet viewset's list."""


class CappedPaginator(WagtailPaginator):
    """Counts at most ``cap`` + 1 rows (``COUNT(*)`` over a ``LIMIT`` subquery): a city-wide list would
    otherwise count all 100,000 officials or a million enrollments to print one number on every page.

    Past the cap, ``count`` is the cap (the pages stop there: a filter or a search narrows the rest) and
    ``is_capped`` is true, for the label "more than 10,000"."""

    cap = COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            # A QuerySet: no order (it does not change a count, and costs a sort) and only the key (a list's
            # annotations, such as an official's periods this year, would be computed for every row counted).
            return int(rows.order_by().values("pk")[: self.cap + 1].count())
        return len(rows)

    @cached_property
    def is_capped(self) -> bool:
        return self._counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    def _get_page(self, rows, number, paginator):
        return super()._get_page(keys_first(self.object_list, rows), number, paginator)

    @cached_property
    def items_count_label(self) -> str:
        if self.is_capped:
            return gettext("more than %(count)s %(name)s") % {"count": number(self.cap),
                                                               "name": self.verbose_name_plural}
        return f"{number(self.count)} {self.verbose_name if self.count == 1 else self.verbose_name_plural}"


def keys_first(whole, page):
    """The rows of ``page`` (a slice of the queryset ``whole``) read in two steps of one query: the page's keys
    chosen by the list's filters and order with no other column, then the full rows (joins, annotations) for
    those keys alone.

    A filter that the list's order index cannot serve makes PostgreSQL sort every matching row with every
    joined column (a ward's waiting enrollments spilled to disk); choosing the keys first sorts narrow rows,
    and can be answered from an index alone (a ward's enrollments: 36 ms at city scale, 4 ms this way).
    Left as it is when the order names an annotation or an expression, or the queryset is not a plain one."""
    if not (hasattr(whole, "query") and hasattr(page, "query")) or not page.query.is_sliced:
        return page
    query = whole.query
    if query.combinator or query.distinct or query.is_sliced or not (query.select_related or query.annotations):
        return page
    if not all(isinstance(name, str) and name.lstrip("-") not in query.annotations for name in query.order_by):
        return page
    return whole.filter(pk__in=page.values("pk"))


def _cell_text(value, context) -> SafeString:
    """``value`` as ``{{ value }}`` prints it in a template: in the reader's time zone and format, escaped."""
    return SafeString(render_value_in_context(value, context if isinstance(context, Context) else Context()))


class CompactColumn(Column):
    """A plain field column whose cell is built here rather than by a template (admin_lists/compact_cell.html
    is the same markup): a list renders 20 rows × 6–8 cells, and a template per cell was about 40% of the
    officials' list's time (profiled); the page's HTML is byte for byte the same."""

    @cached_property
    def _cell_start(self) -> str:
        # The same for every row of the page (the column lives one request): escaped once, not per cell.
        classname = f"staff-cell {self.classname}" if self.classname else "staff-cell"
        return format_html('<td class="{}" data-label="{}"', classname, self.label)

    def render_cell_html(self, instance, parent_context) -> SafeString:
        value = self.get_value(instance)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # unlocalized, as Wagtail's cell prints numbers (an id, a code)
        if value is not None and not str(value).strip():
            value = self.empty_value_display
        if value is None:
            return SafeString(f"{self._cell_start}></td>")
        text = _cell_text(value, parent_context)  # escaped, quotes included: safe in an attribute too
        return SafeString(f'{self._cell_start} title="{text}">{text}</td>')


def _icon(name: str, classname: str = "icon") -> SafeString:
    """Wagtail's ``{% icon %}`` (wagtailadmin/shared/icon.html) without its template."""
    return format_html('<svg class="icon icon-{} {}" aria-hidden="true"><use href="#icon-{}"></use></svg>',
                       name, classname, name)


def _plain_button(button: Button) -> SafeString:
    """wagtailadmin/shared/button.html for a plain ``Button``: a link, or a ``<button>`` without a URL."""
    icon = _icon(button.icon_name) if button.icon_name else ""
    if button.url:
        return format_html('<a href="{}" class="{}"{}>{}{}</a>', button.url, button.classname,
                           flatatt(button.attrs), icon, button.label)
    return format_html('<button class="{}"{}>{}{}</button>', button.classname, flatatt(button.attrs), icon,
                       button.label)


def _dropdown(button: ButtonWithDropdown) -> SafeString:
    """wagtailadmin/shared/button_with_dropdown.html (Wagtail's w-dropdown controller, tippy.js): the row's "…"
    menu."""
    attrs = {name: value for name, value in button.attrs.items() if name != "aria-label"}
    toggle = "w-dropdown__toggle" + ("" if button.label else " w-dropdown__toggle--icon")
    if button.classname:
        toggle += f" {button.classname}"
    aria = format_html(' aria-label="{}"', button.aria_label) if button.aria_label else ""
    items = format_html_join("", "{}", ((_plain_button(item),) for item in sorted(button.dropdown_buttons)))
    return format_html(
        '<div data-controller="w-dropdown" class="w-dropdown"{}><button type="button" class="{}" '
        'data-w-dropdown-target="toggle"{}>{}{}</button><div data-w-dropdown-target="content" '
        'class="w-dropdown__content" hidden>{}</div></div>',
        flatatt(attrs), toggle, aria, button.label, _icon(button.icon_name or "arrow-down", "w-dropdown__toggle-icon"),
        items)


def _is_plain(button) -> bool:
    return type(button) is Button and button.show


def _buttons_html(buttons: list) -> SafeString | None:
    """The row's buttons built here when each is a plain ``Button`` or a dropdown of them (what a model
    viewset's list gives); None for anything else, which keeps Wagtail's templates."""
    parts = []
    for button in buttons:
        if type(button) is ButtonWithDropdown and all(_is_plain(item) for item in button.dropdown_buttons):
            if button.show:
                parts.append(_dropdown(button))
        elif _is_plain(button):
            parts.append(_plain_button(button))
        elif button.show:
            return None
    return format_html_join("", "<li>{}</li>", ((part,) for part in parts))


def render_compact_title_cell(column: TitleColumn, instance, parent_context) -> SafeString:
    """A compact list's title cell (admin_lists/compact_title_cell.html, the name on one line with the full
    name in its title, and the row's "…" menu) built here: 20 cells through three nested templates and a
    component per button were a fifth of the officials' list's time (measured). Falls back to the template
    for what it does not build (a title id, a label instead of a link, buttons of other kinds)."""
    if column.get_title_id(instance, parent_context) or column.get_label_id(instance, parent_context):
        return TitleColumn.render_cell_html(column, instance, parent_context)
    get_buttons = getattr(column, "get_buttons", None)
    buttons = sorted(get_buttons(instance, parent_context)) if get_buttons else []
    actions = _buttons_html(buttons)
    if actions is None:
        return TitleColumn.render_cell_html(column, instance, parent_context)
    value = column.get_value(instance)
    if value is None or not str(value).strip():
        value = column.empty_value_display
    text = _cell_text(value, parent_context)
    url = column.get_link_url(instance, parent_context)
    classname = f"{column.classname} title" if column.classname else "title"
    if url:
        attrs = column.get_link_attrs(instance, parent_context)
        attrs["href"] = url
        if column.link_classname is not None:
            attrs["class"] = column.link_classname
        title = format_html("<a{} title=\"{}\">{}</a>", html_attrs(attrs), text, text)
    else:
        title = format_html('<span title="{}">{}</span>', text, text)
    if actions:
        actions = format_html('<ul class="actions">{}</ul>', actions)
    return format_html('<td class="{}"><div class="title-wrapper">{}</div>{}</td>', classname, title, actions)


class CompactListMixin:
    """The lists HR reads all day (officials, enrollments, certificates, the audit log): compact rows with
    each cell on one line (the full text in its title, and a label per cell when the rows stack on a phone),
    and a count capped at ``COUNT_CAP`` ("more than 10,000").

    Put before an ``ExportIndexView``."""

    results_template_name = "admin_lists/compact_results.html"
    paginator_class = CappedPaginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # type: ignore[misc]  # the index view's
        paginator = context.get("paginator")
        context["count_capped"] = bool(getattr(paginator, "is_capped", False))
        context["count_cap"] = number(getattr(paginator, "cap", COUNT_CAP))
        return context

    @cached_property
    def columns(self) -> list:
        columns = super().columns  # type: ignore[misc]  # the index view's, after this mixin
        for column in columns:
            if type(column) is Column:  # plain field columns; custom cells keep their template
                column.__class__ = CompactColumn  # the same column, its cell built without a template
            elif isinstance(column, TitleColumn):
                # The template stays the fallback (render_compact_title_cell says when) and the reference.
                column.cell_template_name = "admin_lists/compact_title_cell.html"
                column.render_cell_html = partial(render_compact_title_cell, column)
        return columns
