"""How the draft explorer looks: the controls it offers, the widgets that show them, where they sit.

What the widgets do is wired in `widgets.py`; the HTML they show comes from `cerules.render.html`.
ipywidgets is imported only when a panel is built (`pip install 'cerules[notebook]'`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..render.html import explorer_heading_html
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
    summary_view: Any
    chart_view: Any
    toml_view: Any
    diff_view: Any
    export_path: Any
    export_button: Any
    export_status: Any
    reset_button: Any


def _control_widget(w: Any, control: Control, label: str, options: list[tuple[str, str]], style: dict[str, str], wide: Any) -> Any:
    if control.kind == "hours":
        return w.IntSlider(
            min=int(control.minimum), max=int(control.maximum), step=1, description=label,
            continuous_update=False, style=style, layout=wide,
        )  # fmt: skip
    if control.kind == "number":
        return w.FloatSlider(
            min=control.minimum, max=control.maximum, step=control.step, description=label,
            continuous_update=False, style=style, layout=wide, readout_format=".1f",
        )  # fmt: skip
    if control.kind == "toggle":
        return w.Checkbox(description=label, indent=False)
    return w.SelectMultiple(options=options, description=label, rows=5, style=style, layout=wide)


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
    """The explorer's widgets: scope choosers, plugin boxes, one widget per control, the result tabs, export.

    `options` are the (label, code) choices of each `codes` control.
    """
    w = ipywidgets_module()
    wide = w.Layout(width="95%")
    style = {"description_width": "15em"}
    known = cities or default_regions().cities
    city_choices = [("全省 / whole province", "")] + [(f"{name.zh} {name.en} ({code})", code) for code, name in known.items()]
    levels = [("全部 all", "")] + [(unit_level_choice(code), code) for code in UNIT_LEVEL_ORDER]
    scope = {
        "city": w.Dropdown(options=city_choices, value="", description="城市 city", style=style),
        "unit_level": w.Dropdown(options=levels, value="", description="单位层级 unit level", style=style),
        "title_series": w.Dropdown(
            options=[("全部 all", "")] + [(s, s) for s in title_series], value="", description="职称系列 series", style=style
        ),
    }
    plugin_boxes = {name: w.Checkbox(value=True, description=name, indent=False) for name in plugins}
    controls: dict[str, Any] = {}
    any_boxes: dict[str, Any] = {}
    rows = []
    for control in CONTROLS:
        label = f"{control.label.zh} {control.label.en}" if lang == "zh" else control.label.en
        controls[control.path] = _control_widget(w, control, label, list(options.get(control.path, [])), style, wide)
        if control.kind == "codes" and control.any_allowed:
            any_boxes[control.path] = w.Checkbox(description="任何 any (*)", indent=False)
            rows.append(w.HBox([controls[control.path], any_boxes[control.path]]))
        else:
            rows.append(controls[control.path])
    views = [w.HTML() for _ in range(4)]  # impact, chart, TOML, diff
    tabs = w.Tab(children=views)
    for index, title in enumerate(("影响 Impact", "图表 Chart", "草案 TOML", "差异 Diff")):
        tabs.set_title(index, title)
    status = w.HTML()
    export_path = w.Text(value="draft.toml", description="导出到 export to", style=style)
    export_button = w.Button(description="导出 Export", icon="download")
    export_status = w.HTML()
    reset_button = w.Button(description="重置 Reset", icon="undo")
    parts = [w.HTML(explorer_heading_html(year, people, based_on)), w.VBox(list(scope.values()))]
    if plugin_boxes:
        parts.append(w.HBox([w.HTML("插件 plugins: "), *plugin_boxes.values()]))
    parts += [w.VBox(rows), w.HBox([reset_button]), status, tabs, w.HBox([export_path, export_button, export_status])]
    summary_view, chart_view, toml_view, diff_view = views
    return Panel(
        widget=w.VBox(parts),
        scope_widgets=scope,
        plugin_boxes=plugin_boxes,
        controls=controls,
        any_boxes=any_boxes,
        status=status,
        summary_view=summary_view,
        chart_view=chart_view,
        toml_view=toml_view,
        diff_view=diff_view,
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
