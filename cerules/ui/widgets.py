"""The draft explorer: sliders and toggles over a draft, the impact updating as they move.

    explorer = cerules.widgets.explore(cohort, year=2023)
    explorer                      # in Jupyter: scope, plugins, sliders; impact, chart, TOML, diff
    explorer.set({"public.required_hours": 35})
    explorer.impact.summary()
    explorer.export("draft-2024.toml")   # cerules evaluate --rules draft-2024.toml gives the same numbers

The widgets are a thin layer: what they edit is a `DraftEditor` (plain Python: a scope and
values by rule path, compared with the baseline), what they show is a `Draft`, an `Impact`
and a `diff` from `cerules.scenario` and `cerules.impact`. Tests drive the explorer by setting
widget values, without a browser. ipywidgets is needed only here (`pip install 'cerules[notebook]'`).
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..plugins.loading import load_rules
from ..plugins.manager import Plugins
from ..rules.model import ANY, Profile, Text
from ..rules.regions import CITIES
from ..rules.ruleset import RuleSet
from ..whatif.draft import Changes, Draft, DraftError, DraftProblem, diff
from ..whatif.impact import Baseline, Impact

FOCUS = "public.focus"
FOCUS_LABEL = {"zh": "重点内容", "en": "Focus topics"}


def _ipywidgets() -> Any:
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
    Control(f"{FOCUS}.required_hours", "hours", Text("重点内容学时（0：不设）", "Focus-topic hours (0: none)"), 0, 30),
    Control(f"{FOCUS}.count_topics", "codes", Text("重点内容主题", "Focus topics"), any_allowed=False),
    Control("public.platforms", "codes", Text("公需科目认可平台", "Accepted public platforms")),
    Control("public.topics", "codes", Text("公需科目认可主题", "Accepted public topics")),
    Control("quality_course.teacher_multiplier", "number", Text("优质课程授课教师倍数", "Quality-course teacher multiplier"), 1, 4, 0.5),
    Control("declared.max_hours_per_day", "number", Text("申报学时每日上限", "Declared hours per day at most"), 1, 24, 1),
    Control("declared.requires_approval", "toggle", Text("申报学时须经单位审核", "Declared hours need approval")),
)
"""The controls the explorer shows, in order."""

_DEFAULTS: dict[str, Any] = {f"{FOCUS}.required_hours": 0, "quality_course.teacher_multiplier": 1, "declared.requires_approval": True}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and sorted(a) == sorted(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def representative(scope: Mapping[str, Sequence[str]]) -> Profile:
    """The profile whose baseline the controls start from: the scope's first city, unit level, title series."""
    first = {key: values[0] for key, values in scope.items() if values}
    return Profile(city=first.get("city"), unit_level=first.get("unit_level", "city"), title_series=first.get("title_series"))


class DraftEditor:
    """What the explorer edits, in plain Python: a scope and values by rule path over a baseline.

    A value equal to the baseline's (for the scope's representative profile) is not part of the
    draft; so the draft holds exactly what was changed. The focus-topic requirement is completed
    as it is needed: its hours come with its topics and a label.
    """

    def __init__(self, rules: RuleSet, *, id: str = "draft", citation: str = "draft (cerules explorer)") -> None:
        self.rules = rules
        self.id = id
        self.citation = citation
        self.scope: dict[str, list[str]] = {}
        self.values: dict[str, Any] = {}

    @property
    def profile(self) -> Profile:
        return representative(self.scope)

    def focus_topics(self) -> list[str]:
        """The topics the rules mark as focus topics (group `focus`)."""
        return [code for code, entry in self.rules.catalog.entries("topics").items() if entry.group == "focus"]

    def reference(self, path: str) -> Any:
        """The baseline value of a path for the scope's representative profile."""
        value = self.rules.resolve(self.profile).value(path)
        if value is None and path == f"{FOCUS}.count_topics":
            return self.focus_topics()
        if value is None:
            return _DEFAULTS.get(path)
        return list(value) if isinstance(value, tuple) else value

    def current(self, path: str) -> Any:
        return self.values[path] if path in self.values else self.reference(path)

    def set(self, path: str, value: Any) -> None:
        """Change one value; setting it back to the baseline's takes it out of the draft."""
        if isinstance(value, tuple):
            value = list(value)
        if _same(value, self.reference(path)):
            self.values.pop(path, None)
        else:
            self.values[path] = value

    def set_scope(self, **scope: str | Sequence[str] | None) -> None:
        """`city=`, `unit_level=`, `title_series=`…: a value, a list of values, or None/'' for everyone."""
        for key, value in scope.items():
            if not value:
                self.scope.pop(key, None)
            else:
                self.scope[key] = [value] if isinstance(value, str) else list(value)

    def entries(self) -> dict[str, Any]:
        """The draft's values by path, the focus requirement completed."""
        values = dict(self.values)
        hours_path, topics_path = f"{FOCUS}.required_hours", f"{FOCUS}.count_topics"
        has_focus = self.rules.resolve(self.profile).value(hours_path) is not None
        if hours_path in values:
            values.setdefault(topics_path, self.current(topics_path))
            if not has_focus and f"{FOCUS}.label" not in values:
                values[f"{FOCUS}.label"] = FOCUS_LABEL
        elif topics_path in values and not has_focus:
            values.pop(topics_path)  # topics of a requirement nobody has: nothing to change yet
        return values

    def draft(self) -> Draft:
        """The draft these values make (DraftError when a value is not acceptable)."""
        return Draft.from_dict(self.entries(), scope=self.scope or None, id=self.id, citation=self.citation)


class Explorer:
    """A draft explorer on one cohort: widgets, the current draft, its impact, export.

    Build it with `explore(...)`. `widget` is the ipywidgets box; `controls[path]` the widget of
    each control; `draft`, `draft_rules`, `impact`, `changes` the current results; `error` the
    last refused change (None when the draft is valid).
    """

    def __init__(
        self,
        cohort: Any,
        *,
        year: int = 2023,
        plugins: bool | Sequence[Any] = True,
        chart: bool = True,
        lang: str = "zh",
    ) -> None:
        self.year = year
        self.lang = lang
        self.show_chart = chart
        self._plugin_choices = _plugin_choices(plugins)
        self._selected = list(self._plugin_choices)
        rules = self._load_rules()
        self.baseline = cohort.with_rules(rules) if isinstance(cohort, Baseline) else Baseline(rules, cohort)
        self.editor = DraftEditor(rules)
        self.error: str | None = None
        self.seconds: float = 0.0
        self._quiet = False
        self._build_widgets()
        self._sync_controls()
        self.update()

    # --- rules and plugins ---

    @property
    def rules(self) -> RuleSet:
        """The baseline rules: the provincial layer and the chosen plugins."""
        return self.baseline.rules

    def _load_rules(self) -> RuleSet:
        chosen = [self._plugin_choices[name] for name in self._selected]
        return load_rules(self.year, plugins=chosen if chosen else False)

    def set_plugins(self, names: Iterable[str]) -> None:
        """Choose which of the offered plugins the baseline loads (by name)."""
        names = list(names)
        unknown = [name for name in names if name not in self._plugin_choices]
        if unknown:
            raise ValueError(f"unknown plugin(s) {', '.join(unknown)}; offered: {', '.join(self._plugin_choices) or 'none'}")
        self._quiet = True
        try:
            for name, box in self.plugin_boxes.items():
                box.value = name in names
        finally:
            self._quiet = False
        self._plugins_changed()

    def _plugins_changed(self) -> None:
        self._selected = [name for name, box in self.plugin_boxes.items() if box.value]
        rules = self._load_rules()
        self.baseline = self.baseline.with_rules(rules)
        self.editor.rules = rules
        self._sync_controls()
        self.update()

    # --- widgets ---

    def _build_widgets(self) -> None:
        w = _ipywidgets()
        wide = w.Layout(width="95%")
        style = {"description_width": "15em"}
        zh = self.lang == "zh"
        cities = [("全省 / whole province", "")] + [(f"{name.zh} {name.en} ({code})", code) for code, name in CITIES.items()]
        series = sorted({s for s in self.baseline.people.attributes["title_series"] if s})
        self.scope_widgets = {
            "city": w.Dropdown(options=cities, value="", description="城市 city", style=style),
            "unit_level": w.Dropdown(
                options=[("全部 all", ""), ("市属 city units", "city"), ("省直 provincial units", "province")],
                value="",
                description="单位层级 unit level",
                style=style,
            ),
            "title_series": w.Dropdown(
                options=[("全部 all", "")] + [(s, s) for s in series], value="", description="职称系列 series", style=style
            ),
        }
        for key, widget in self.scope_widgets.items():
            widget.observe(lambda change, key=key: self._on_scope(key, change["new"]), names="value")
        self.plugin_boxes = {name: w.Checkbox(value=True, description=name, indent=False) for name in self._plugin_choices}
        for box in self.plugin_boxes.values():
            box.observe(lambda change: None if self._quiet else self._plugins_changed(), names="value")

        self.controls: dict[str, Any] = {}
        self.any_boxes: dict[str, Any] = {}
        rows = []
        for control in CONTROLS:
            label = f"{control.label.zh} {control.label.en}" if zh else control.label.en
            if control.kind == "hours":
                widget = w.IntSlider(
                    min=int(control.minimum), max=int(control.maximum), step=1, description=label,
                    continuous_update=False, style=style, layout=wide,
                )  # fmt: skip
            elif control.kind == "number":
                widget = w.FloatSlider(
                    min=control.minimum, max=control.maximum, step=control.step, description=label,
                    continuous_update=False, style=style, layout=wide, readout_format=".1f",
                )  # fmt: skip
            elif control.kind == "toggle":
                widget = w.Checkbox(description=label, indent=False)
            else:
                widget = w.SelectMultiple(options=self._options(control.path), description=label, rows=5, style=style, layout=wide)
                if control.any_allowed:
                    box = w.Checkbox(description="任何 any (*)", indent=False)
                    box.observe(lambda change, path=control.path: self._on_control(path), names="value")
                    self.any_boxes[control.path] = box
            widget.observe(lambda change, path=control.path: self._on_control(path), names="value")
            self.controls[control.path] = widget
            rows.append(w.HBox([widget, self.any_boxes[control.path]]) if control.path in self.any_boxes else widget)

        self.status = w.HTML()
        self.summary_view = w.HTML()
        self.chart_view = w.HTML()
        self.toml_view = w.HTML()
        self.diff_view = w.HTML()
        tabs = w.Tab(children=[self.summary_view, self.chart_view, self.toml_view, self.diff_view])
        for index, title in enumerate(("影响 Impact", "图表 Chart", "草案 TOML", "差异 Diff")):
            tabs.set_title(index, title)
        self.export_path = w.Text(value="draft.toml", description="导出到 export to", style=style)
        self.export_button = w.Button(description="导出 Export", icon="download")
        self.export_status = w.HTML()
        self.export_button.on_click(lambda _: self._on_export())
        self.reset_button = w.Button(description="重置 Reset", icon="undo")
        self.reset_button.on_click(lambda _: self.reset())
        parts = [
            w.HTML(f"<b>规则草案 · draft explorer</b> — {self.year}, {len(self.baseline)} 人 people"),
            w.VBox(list(self.scope_widgets.values())),
        ]
        if self.plugin_boxes:
            parts.append(w.HBox([w.HTML("插件 plugins: "), *self.plugin_boxes.values()]))
        parts += [
            w.VBox(rows),
            w.HBox([self.reset_button]),
            self.status,
            tabs,
            w.HBox([self.export_path, self.export_button, self.export_status]),
        ]
        self.widget = w.VBox(parts)

    def _options(self, path: str) -> list[tuple[str, str]]:
        """Choices for a list of codes: the rules' catalogue and the codes the cohort's records use."""
        kind = "platforms" if path.endswith("platforms") else "topics"
        entries = self.rules.catalog.entries(kind)
        codes = list(entries)
        codes += [code for code in self.baseline.vocabulary(kind) if code not in entries]
        codes += [code for code in self.editor.current(path) or () if code != ANY and code not in codes]
        return [(f"{code} · {entries[code].name.zh}" if code in entries else code, code) for code in dict.fromkeys(codes)]

    def _sync_controls(self) -> None:
        """Show each control's current value (the draft's, else the baseline's for the scope)."""
        self._quiet = True
        try:
            for control in CONTROLS:
                widget = self.controls[control.path]
                value = self.editor.current(control.path)
                if control.kind == "codes":
                    widget.options = self._options(control.path)
                    codes = list(value or ())
                    if control.path in self.any_boxes:
                        self.any_boxes[control.path].value = ANY in codes
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
        finally:
            self._quiet = False

    def _widget_value(self, path: str) -> Any:
        widget = self.controls[path]
        if path in self.any_boxes and self.any_boxes[path].value:
            return [ANY]
        if isinstance(widget.value, tuple):
            return list(widget.value)
        return widget.value

    def _on_control(self, path: str) -> None:
        if self._quiet:
            return
        if path in self.any_boxes:
            select, anything = self.controls[path], self.any_boxes[path].value
            select.disabled = anything
            if not anything and not select.value:  # from "any" to a list: start from every code offered
                self._quiet = True
                try:
                    select.value = tuple(code for _, code in select.options)
                finally:
                    self._quiet = False
        self.editor.set(path, self._widget_value(path))
        self.update()

    def _on_scope(self, key: str, value: str) -> None:
        if self._quiet:
            return
        self.editor.set_scope(**{key: value or None})
        self._sync_controls()
        self.update()

    def _on_export(self) -> None:
        try:
            path = self.export(self.export_path.value)
        except (OSError, DraftError) as exc:
            self.export_status.value = f"<span style='color:#cf222e'>{html.escape(str(exc))}</span>"
        else:
            self.export_status.value = f"已导出 exported: <code>{html.escape(str(path))}</code>"

    # --- the model ---

    def set(self, values: Mapping[str, Any] | str | None = None, value: Any = None, /, **scope: str | Sequence[str] | None) -> Explorer:
        """Change values by rule path (`set({"public.required_hours": 35})` or `set("public.required_hours", 35)`)
        and/or the scope (`set(city="370200", unit_level="city")`), then update once.

        A change the draft cannot take raises DraftError and leaves everything as it was.
        """
        if isinstance(values, str):
            values = {values: value}
        saved_values, saved_scope = dict(self.editor.values), {k: list(v) for k, v in self.editor.scope.items()}
        try:
            if scope:
                self.editor.set_scope(**scope)
            for path, new in (values or {}).items():
                self.editor.set(path, new)
            draft = self.editor.draft()
            draft.apply(self.rules)
        except DraftError:
            self.editor.values, self.editor.scope = saved_values, saved_scope
            raise
        self._quiet = True
        try:
            for key, widget in self.scope_widgets.items():
                chosen = self.editor.scope.get(key)
                widget.value = chosen[0] if chosen and chosen[0] in [v for _, v in widget.options] else ""
        finally:
            self._quiet = False
        self._sync_controls()
        self.update()
        return self

    def reset(self) -> None:
        """Back to the baseline: no changed values (the scope stays)."""
        self.editor.values.clear()
        self._sync_controls()
        self.update()

    def update(self) -> None:
        """Rebuild the draft from the editor and, when it is valid, its impact and every view."""
        start = time.perf_counter()
        try:
            draft = self.editor.draft()
            draft_rules = draft.apply(self.rules)
        except DraftError as exc:
            self.error = str(exc)
            self.status.value = f"<pre style='color:#cf222e'>{html.escape(self.error)}</pre>"
            return
        self.error = None
        self.draft, self.draft_rules = draft, draft_rules
        self.impact: Impact = self.baseline.impact(draft_rules)
        self.changes: Changes = diff(self.rules, draft_rules, self.editor.scope or None) if len(draft) else Changes()
        self.summary_view.value = self._impact_html()
        if self.show_chart:
            self.chart_view.value = self.impact.chart(lang="en").to_svg()
        self.toml_view.value = f"<pre>{html.escape(draft.to_toml())}</pre>"
        self.diff_view.value = self.changes._repr_html_()
        self.seconds = time.perf_counter() - start
        self.status.value = f"<small>草案含 {len(draft)} 项规则 · draft sets {len(draft)} value(s) · {self.seconds:.2f} s</small>"

    def _impact_html(self) -> str:
        impact = self.impact
        return (
            f"<div class='cerules-impact'><p>{html.escape(impact.summary_line('zh'))}</p>"
            f"<p>{html.escape(impact.summary_line('en'))}</p>"
            f"{impact.by('city').html()}{impact.by('unit_level').html()}{impact.shortfall.html()}</div>"
        )

    # --- results ---

    def summary(self) -> dict[str, Any]:
        return self.impact.summary()

    def export(self, path: str | os.PathLike[str]) -> Path:
        """Write the current draft as TOML (tomli-w); `cerules evaluate --rules PATH` loads it."""
        if self.error is not None:
            raise DraftError([DraftProblem("<draft>", "the current draft is not valid: " + self.error)])
        return self.draft.write(path)

    def cli_command(self, persons: str, records: str, rules_file: str = "draft.toml") -> str:
        """The `cerules evaluate` command that gives the explorer's numbers for the exported draft."""
        installed = [name for name in self._selected if isinstance(self._plugin_choices[name], str)]
        modules = [name for name in self._selected if not isinstance(self._plugin_choices[name], str)]
        command = f"cerules evaluate --year {self.year} --persons {persons} --records {records} --rules {rules_file} --format json"
        if not self._selected:
            return command + " --no-plugins"
        if modules:
            command += f"  # plugins {', '.join(modules)} are not installed: install them for the command line to load them"
        return f"CERULES_LOAD_PLUGINS={','.join(installed)} {command}"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/plain"] = repr(self)  # not the widget tree: what a static page shows instead
        return bundle

    def __repr__(self) -> str:
        return f"<Explorer {self.year}: {self.draft!r}; {self.impact.summary_line('en')}>"


def _plugin_choices(plugins: bool | Sequence[Any]) -> dict[str, Any]:
    """Plugins the explorer offers, by name: installed ones (as names) or the modules given."""
    if plugins is True:
        return {info.name: info.name for info in Plugins().info()}
    if not plugins:
        return {}
    if len({isinstance(plugin, str) for plugin in plugins}) > 1:
        raise ValueError("give plugins either as names of installed plugins or as plugin modules, not both")
    choices: dict[str, Any] = {}
    for plugin in plugins:
        name = plugin if isinstance(plugin, str) else getattr(plugin, "__name__", type(plugin).__name__)
        choices[name] = plugin
    return choices


def explore(cohort: Any, year: int = 2023, plugins: bool | Sequence[Any] = True, *, chart: bool = True, lang: str = "zh") -> Explorer:
    """A draft explorer on a cohort (a synth.Cohort, (persons, records), or an impact.Baseline).

    `plugins=True` offers the installed plugins (as `CERULES_LOAD_PLUGINS` selects), each with a
    checkbox; `False` the provincial rules alone; a list of names or plugin modules offers those.
    """
    _ipywidgets()
    return Explorer(cohort, year=year, plugins=plugins, chart=chart, lang=lang)


__all__ = ["CONTROLS", "Control", "DraftEditor", "Explorer", "explore", "representative"]
