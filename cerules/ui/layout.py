"""How the draft explorer looks: the controls it offers, the widgets that show them, where they sit.

What the widgets do is wired in `widgets.py`; the HTML they show comes from `cerules.render.html`.
ipywidgets is imported only when a panel is built (`pip install 'cerules[notebook]'`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..render.html import e, explorer_heading_html
from ..render.labels import UNIT_LEVEL_ORDER, unit_level_choice
from ..rules.model import ANY, Text
from ..rules.shipped import default_regions


def ipywidgets_module() -> Any:
    """ipywidgets, or an ImportError that says how to install it."""
    try:
        import ipywidgets
    except ImportError:
        raise ImportError("cerules.widgets needs ipywidgets: pip install 'cerules[notebook]' (or pip install ipywidgets)") from None
    return ipywidgets


@attrs.frozen
class Control:
    """One thing the explorer lets people change: a rule path and how to show it."""

    path: str
    kind: str
    """`hours` (a slider of whole hours), `number` (a slider with steps), `codes` (a list, or any), `toggle`."""
    label: Text
    minimum: float = 0
    maximum: float = 100
    step: float = 1
    any_allowed: bool = True
    """For codes: `*` (anything) may be chosen."""


CONTROLS: tuple[Control, ...] = (
    Control("public.required_hours", "hours", Text("公需科目学时", "Public hours"), 0, 90),
    Control("professional.required_hours", "hours", Text("专业科目学时", "Professional hours"), 0, 150),
    Control("public.focus.required_hours", "hours", Text("重点内容学时（0：不设）", "Focus-topic hours (0: none)"), 0, 30),
    Control("public.focus.count_topics", "codes", Text("重点内容主题", "Focus topics"), any_allowed=False),
    Control("public.platforms", "codes", Text("公需科目认可平台", "Accepted public platforms")),
    Control("public.topics", "codes", Text("公需科目认可主题", "Accepted public topics")),
    Control("quality_course.teacher_multiplier", "number", Text("优质课程授课教师倍数", "Quality-course teacher multiplier"), 1, 4, 0.5),
    Control("declared.max_hours_per_day", "number", Text("申报学时每日上限", "Declared hours per day at most"), 1, 24, 1),
    Control("declared.requires_approval", "toggle", Text("申报学时须经单位审核", "Declared hours need approval")),
)
"""The controls the explorer shows, in order."""


STYLE = """<style>
.cerules-explorer, .cerules-explorer .cerules-columns, .cerules-explorer .cerules-controls,
.jp-OutputArea:has(.cerules-explorer), .jp-OutputArea-child:has(.cerules-explorer), .jp-OutputArea-output:has(.cerules-explorer) {
  overflow: visible; }
.cerules-explorer .cerules-label { font-weight: 600; margin: 8px 0 2px 0; }
.cerules-explorer .cerules-label .widget-html-content { line-height: 1.35; white-space: normal; overflow-wrap: anywhere; }
.cerules-explorer .cerules-columns { align-items: flex-start; gap: 24px; }
.cerules-explorer .cerules-controls { flex: 1 1 0; min-width: 0; }
.cerules-explorer .cerules-side { flex: 0 0 360px; position: sticky; top: 8px; align-self: flex-start; overflow: visible;
  border: 1px solid #d0d7de; border-radius: 6px; padding: 4px 12px; background: var(--jp-layout-color0, #fff); z-index: 2; }
.cerules-explorer .cerules-figure { margin: 6px 0 10px 0; }
.cerules-explorer .cerules-figure-name { font-weight: 600; }
.cerules-explorer .cerules-figure-value { font-size: 1.15em; line-height: 1.5; }
.cerules-explorer .cerules-figure-note { color: #57606a; line-height: 1.4; }
.cerules-explorer table.cerules-cities td { padding: 1px 8px 1px 0; white-space: nowrap; }
.cerules-explorer .cerules-wrap { flex-wrap: wrap; column-gap: 24px; overflow: visible; }
.cerules-explorer .cerules-choice select { width: auto; }
.cerules-explorer .widget-html-content { white-space: normal; line-height: 1.4; }
.cerules-explorer .widget-tab-contents, .cerules-explorer .jupyter-widget-tab-contents { overflow-x: auto; }
.cerules-explorer table th { word-break: keep-all; }
.cerules-explorer .cerules-impact-table td { white-space: nowrap; }
.cerules-person th { white-space: nowrap; }
.cerules-person th, .cerules-person td { padding: 2px 8px 2px 0; text-align: left; vertical-align: top; }
</style>"""
"""The explorer's stylesheet: labels that wrap rather than being cut, controls left and the headline figures right
(kept in view while the page scrolls), table headers broken between words only (`学时`, `认定` never one character
a line), wide tables scrolled rather than cut."""


@attrs.define
class Panel:
    """The explorer's widgets by role, not yet wired to anything."""

    widget: Any
    """The whole box, as a notebook shows it."""
    scope_widgets: dict[str, Any]
    plugin_boxes: dict[str, Any]
    controls: dict[str, Any]
    any_boxes: dict[str, Any]
    status: Any
    headline_view: Any
    """The headline figures beside the controls (see `headline.headline_html`)."""
    summary_view: Any
    chart_view: Any
    toml_view: Any
    diff_view: Any
    person_id: Any
    """A box for a person's id (the people whose verdict changes offered first)."""
    person_view: Any
    export_path: Any
    export_button: Any
    export_status: Any
    reset_button: Any


def _label(w: Any, text: str) -> Any:
    """A label above its widget: HTML that wraps, so no description is ever cut to `Professional ho…`."""
    label = w.HTML(f"<span>{e(text)}</span>", layout=w.Layout(width="100%"))
    label.add_class("cerules-label")
    return label


def _labelled(w: Any, text: str, *widgets: Any) -> Any:
    """A label on its own line, then the widget(s) it names."""
    row = widgets[0] if len(widgets) == 1 else w.HBox(list(widgets), layout=w.Layout(align_items="center"))
    return w.VBox([_label(w, text), row], layout=w.Layout(width="100%"))


def _control_widget(w: Any, control: Control, options: list[tuple[str, str]], wide: Any) -> Any:
    if control.kind == "hours":
        return w.IntSlider(min=int(control.minimum), max=int(control.maximum), step=1, continuous_update=False, layout=wide)
    if control.kind == "number":
        return w.FloatSlider(
            min=control.minimum, max=control.maximum, step=control.step, continuous_update=False, layout=wide, readout_format=".1f"
        )
    if control.kind == "toggle":
        return w.Checkbox(description="是 yes", indent=False, layout=w.Layout(width="auto"))
    return w.SelectMultiple(options=options, rows=5, layout=w.Layout(width="32em", max_width="100%"))


def _choice(w: Any, options: list[tuple[str, str]]) -> Any:
    """A dropdown as wide as its longest choice (`青岛市 Qingdao (370200)` shown whole)."""
    dropdown = w.Dropdown(options=options, value="", layout=w.Layout(width="auto"))
    dropdown.add_class("cerules-choice")
    return dropdown


def build_panel(
    *,
    year: int,
    people: int,
    title_series: Sequence[str],
    plugins: Sequence[str],
    options: Mapping[str, list[tuple[str, str]]],
    lang: str = "zh",
    based_on: int | None = None,
    cities: Mapping[str, Any] | None = None,
) -> Panel:
    """The explorer's widgets: scope choosers, plugin boxes, one widget per control, the headline figures beside
    them, the result tabs below, export.

    `options` are the (label, code) choices of each `codes` control.
    """
    w = ipywidgets_module()
    wide = w.Layout(width="100%")
    known = cities or default_regions().cities
    city_choices = [("全省 / whole province", "")] + [(f"{name.zh} {name.en} ({code})", code) for code, name in known.items()]
    levels = [("全部 all", "")] + [(unit_level_choice(code), code) for code in UNIT_LEVEL_ORDER]
    scope = {
        "city": _choice(w, city_choices),
        "unit_level": _choice(w, levels),
        "title_series": _choice(w, [("全部 all", "")] + [(s, s) for s in title_series]),
    }
    scope_labels = {"city": "城市 city", "unit_level": "单位层级 unit level", "title_series": "职称系列 title series"}
    scope_row = w.HBox([_labelled(w, scope_labels[key], widget) for key, widget in scope.items()])
    scope_row.add_class("cerules-wrap")
    for part in scope_row.children:
        part.layout.width = "auto"
    plugin_boxes = {name: w.Checkbox(value=True, description=name, indent=False, layout=w.Layout(width="auto")) for name in plugins}
    controls: dict[str, Any] = {}
    any_boxes: dict[str, Any] = {}
    rows = []
    for control in CONTROLS:
        label = f"{control.label.zh} {control.label.en}" if lang == "zh" else control.label.en
        controls[control.path] = _control_widget(w, control, list(options.get(control.path, [])), wide)
        if control.kind == "codes" and control.any_allowed:
            any_boxes[control.path] = w.Checkbox(description="任何 any (*)", indent=False, layout=w.Layout(width="auto"))
            rows.append(_labelled(w, label, controls[control.path], any_boxes[control.path]))
        else:
            rows.append(_labelled(w, label, controls[control.path]))
        rows[-1].add_class("cerules-control-" + control.path.replace(".", "-"))  # a handle for pages and tests
    views = [w.HTML() for _ in range(4)]  # impact, chart, TOML, diff
    person_id = w.Combobox(placeholder="人员编号 person id", ensure_option=False, layout=w.Layout(width="20em"))
    person_view = w.HTML()
    person_tab = w.VBox([_labelled(w, "人员 person (结论改变者在前 · those whose verdict changes first)", person_id), person_view])
    tabs = w.Tab(children=[*views, person_tab])
    for index, title in enumerate(("影响 Impact", "图表 Chart", "草案 TOML", "差异 Diff", "人员 Person")):
        tabs.set_title(index, title)
    status = w.HTML()
    headline_view = w.HTML()
    export_path = w.Text(value="draft.toml", layout=w.Layout(width="auto", flex="1 1 20em"))
    export_button = w.Button(description="导出 Export", icon="download", layout=w.Layout(width="auto"))
    export_status = w.HTML(layout=w.Layout(width="100%"))
    reset_button = w.Button(description="重置 Reset", icon="undo", layout=w.Layout(width="auto"))
    left = [scope_row]
    if plugin_boxes:
        plugin_row = w.HBox([w.HTML("插件 plugins:"), *plugin_boxes.values()])
        plugin_row.add_class("cerules-wrap")
        left.append(plugin_row)
    export_row = w.VBox([_label(w, "导出草案到 export the draft to"), w.HBox([export_path, export_button]), export_status])
    left += [*rows, tabs, export_row]  # the tables too: the figures beside stay in view down to the export
    controls_box = w.VBox(left)
    controls_box.add_class("cerules-controls")
    side = w.VBox([_label(w, "草案的影响 what the draft changes"), headline_view, status, w.HBox([reset_button])])
    side.add_class("cerules-side")
    columns = w.HBox([controls_box, side])
    columns.add_class("cerules-columns")
    whole = w.VBox([w.HTML(STYLE), w.HTML(explorer_heading_html(year, people, based_on)), columns])
    whole.add_class("cerules-explorer")
    summary_view, chart_view, toml_view, diff_view = views
    return Panel(
        widget=whole,
        scope_widgets=scope,
        plugin_boxes=plugin_boxes,
        controls=controls,
        any_boxes=any_boxes,
        status=status,
        headline_view=headline_view,
        summary_view=summary_view,
        chart_view=chart_view,
        toml_view=toml_view,
        diff_view=diff_view,
        person_id=person_id,
        person_view=person_view,
        export_path=export_path,
        export_button=export_button,
        export_status=export_status,
        reset_button=reset_button,
    )


def show_value(panel: Panel, control: Control, value: Any, options: list[tuple[str, str]]) -> None:
    """Show a value in its control's widget: codes among `options` (`*` ticks the any box), a toggle, a slider."""
    widget = panel.controls[control.path]
    if control.kind == "codes":
        widget.options = options
        codes = list(value or ())
        if control.path in panel.any_boxes:
            panel.any_boxes[control.path].value = ANY in codes
        known = {code for _, code in widget.options}
        widget.value = tuple(code for code in codes if code in known)
        widget.disabled = ANY in codes
    elif control.kind == "toggle":
        widget.value = bool(value)
    else:
        shown = 0 if value is None else value
        if shown > widget.max:  # a baseline above the slider's range: widen it rather than clip
            widget.max = shown
        widget.value = shown


def shown_value(panel: Panel, path: str) -> Any:
    """The value a control's widget shows: `[*]` when its any box is ticked, lists rather than tuples."""
    widget = panel.controls[path]
    if path in panel.any_boxes and panel.any_boxes[path].value:
        return [ANY]
    if isinstance(widget.value, tuple):
        return list(widget.value)
    return widget.value
