"""The draft explorer: sliders and toggles over a draft, the impact updating as they move.

    explorer = cerules.widgets.explore(cohort, year=2023)
    explorer                      # in Jupyter: scope, plugins, sliders, the headline figures beside them;
                                  # tabs: impact, chart, TOML, diff, one person's card
    explorer.set({"public.required_hours": 35})
    explorer.impact.summary()
    explorer.export("draft-2024.toml")   # cerules evaluate --rules draft-2024.toml gives the same numbers

The widgets are a thin layer: what they edit is a `DraftEditor` (plain Python: a scope and
values by rule path, compared with the baseline), what they show is a `Draft`, an `Impact`
and a `diff` from `cerules.whatif`, laid out by `layout.py` as HTML from `cerules.render.html`
(the headline figures: `headline.py`; a person's card: `person.py`). `cerules explore` serves
the same explorer as a page (`app/`).
Tests drive the explorer by setting widget values, without a browser. ipywidgets is needed only
here (`pip install 'cerules[notebook]'`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..base.errors import CeruleError
from ..base.files import write_atomic
from ..plugins.loading import load_rules
from ..plugins.manager import Plugins
from ..render.html import explorer_impact_html, explorer_status_html, export_failed_html, exported_html, refused_html, toml_html
from ..rules.model import ANY, Profile
from ..rules.ruleset import RuleSet
from ..rules.schema import default_for
from ..whatif.diff import Changes, diff
from ..whatif.draft import Draft
from ..whatif.impact import Baseline, Impact
from ..whatif.problems import DraftError, DraftProblem
from .headline import headline_html
from .layout import CONTROLS, Control, build_panel, ipywidgets_module, show_value, shown_value
from .person import person_cards_html, person_choices

FOCUS = "public.focus"
FOCUS_LABEL = {"zh": "重点内容", "en": "Focus topics"}


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
            return default_for(path)
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
        based_on = self.rules.based_on  # a draft for a year without published rules says which year it builds on
        years = [self.rules.year] if based_on is not None else []
        return Draft.from_dict(self.entries(), scope=self.scope or None, id=self.id, citation=self.citation, years=years, based_on=based_on)


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
        based_on: int | None = None,
        pack: Any = None,
    ) -> None:
        self.year = year
        self.based_on = based_on
        self.pack = pack
        self.lang = lang
        self.show_chart = chart
        self._plugin_choices = _plugin_choices(plugins)
        self._selected = list(self._plugin_choices)
        rules = self._load_rules()
        self.baseline = cohort.with_rules(rules) if isinstance(cohort, Baseline) else Baseline(rules, cohort)
        self.editor = DraftEditor(rules)
        self.error: str | None = None
        self.seconds: float = 0.0
        self.inputs: tuple[str | os.PathLike[str], ...] = ()
        """Files the cohort was read from: an export never writes over them."""
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
        return load_rules(self.year, plugins=chosen if chosen else False, pack=self.pack, based_on=self.based_on)

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
        """The panel (see `layout.build_panel`), its widgets kept by role and wired to the editor."""
        series = sorted({s for s in self.baseline.people.attributes["title_series"] if s})
        options = {control.path: self._options(control.path) for control in CONTROLS if control.kind == "codes"}
        panel = build_panel(
            year=self.year,
            people=len(self.baseline),
            title_series=series,
            plugins=list(self._plugin_choices),
            options=options,
            lang=self.lang,
            based_on=self.rules.based_on,
            cities=self.rules.regions.cities,
        )
        self.panel = panel
        self.widget = panel.widget
        self.scope_widgets = panel.scope_widgets
        self.plugin_boxes = panel.plugin_boxes
        self.controls = panel.controls
        self.any_boxes = panel.any_boxes
        self.status = panel.status
        self.headline_view = panel.headline_view
        self.summary_view, self.chart_view = panel.summary_view, panel.chart_view
        self.toml_view, self.diff_view = panel.toml_view, panel.diff_view
        self.export_path, self.export_button, self.export_status = panel.export_path, panel.export_button, panel.export_status
        self.reset_button = panel.reset_button
        self.person_id, self.person_view = panel.person_id, panel.person_view
        self.person_id.observe(lambda change: self._show_person(), names="value")
        for key, widget in self.scope_widgets.items():
            widget.observe(lambda change, key=key: self._on_scope(key, change["new"]), names="value")
        for box in self.plugin_boxes.values():
            box.observe(lambda change: None if self._quiet else self._plugins_changed(), names="value")
        for path, widget in [*self.any_boxes.items(), *self.controls.items()]:
            widget.observe(lambda change, path=path: self._on_control(path), names="value")
        self.export_button.on_click(lambda _: self._on_export())
        self.reset_button.on_click(lambda _: self.reset())

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
                options = self._options(control.path) if control.kind == "codes" else []
                show_value(self.panel, control, self.editor.current(control.path), options)
        finally:
            self._quiet = False

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
        self.editor.set(path, shown_value(self.panel, path))
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
            self.export_status.value = export_failed_html(str(exc))
        except CeruleError as exc:
            self.export_status.value = export_failed_html(exc.in_lang(self.lang))
        else:
            self.export_status.value = exported_html(str(path))  # absolute: the folder is never a guess

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
            self.status.value = refused_html(self.error)
            return
        self.error = None
        self.draft, self.draft_rules = draft, draft_rules
        self.impact: Impact = self.baseline.impact(draft_rules)
        self.changes: Changes = diff(self.rules, draft_rules, self.editor.scope or None) if len(draft) else Changes()
        self.headline_view.value = headline_html(self.impact)
        self.summary_view.value = explorer_impact_html(self.impact)
        if self.show_chart:
            self.chart_view.value = self.impact.chart(lang="en").to_svg()
        self.toml_view.value = toml_html(draft.to_toml())
        self.diff_view.value = self.changes._repr_html_()
        self.person_id.options = person_choices(self.impact)
        self._show_person()
        self.seconds = time.perf_counter() - start
        self.status.value = explorer_status_html(len(draft), self.seconds)

    def _show_person(self) -> None:
        """The chosen person's card under the draft and the baseline (nothing while no id is given)."""
        if self.error is None:
            self.person_view.value = person_cards_html(self.baseline, self.rules, self.draft_rules, self.person_id.value)

    # --- results ---

    def summary(self) -> dict[str, Any]:
        return self.impact.summary()

    def export(self, path: str | os.PathLike[str]) -> Path:
        """Write the current draft as TOML (tomli-w), whole or not at all and never over the cohort's files;
        `cerules evaluate --rules PATH` loads it. Returns the absolute path written."""
        if self.error is not None:
            raise DraftError([DraftProblem("<draft>", "the current draft is not valid: " + self.error)])
        target = Path(path).expanduser().absolute()
        write_atomic(target, self.draft.to_toml(), inputs=self.inputs)
        return target

    def cli_command(self, persons: str, records: str, rules_file: str = "draft.toml") -> str:
        """The `cerules evaluate` command that gives the explorer's numbers for the exported draft."""
        installed = [name for name in self._selected if isinstance(self._plugin_choices[name], str)]
        modules = [name for name in self._selected if not isinstance(self._plugin_choices[name], str)]
        command = f"cerules evaluate --year {self.year} --persons {persons} --records {records} --rules {rules_file} --format json"
        if self.pack is not None:
            command += f" --rules-dir {self.pack.folder}" if hasattr(self.pack, "folder") else f" --rules-dir {self.pack}"
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


def explore(
    cohort: Any,
    year: int = 2023,
    plugins: bool | Sequence[Any] = True,
    *,
    chart: bool = True,
    lang: str = "zh",
    based_on: int | None = None,
    pack: Any = None,
) -> Explorer:
    """A draft explorer on a cohort (a synth.Cohort, (persons, records), or an impact.Baseline).

    `plugins=True` offers the installed plugins (as `CERULES_LOAD_PLUGINS` selects), each with a
    checkbox; `False` the provincial rules alone; a list of names or plugin modules offers those.
    `pack` chooses the rule pack (an id, a folder or a Pack; default Shandong's). For a year the
    pack has no rules for (next year's), `based_on` names the year whose rules the draft starts
    from: `explore(cohort, year=2024, based_on=2023)`; the exported draft says so
    (`[layer] based_on = 2023`), and `cerules evaluate --year 2024 --rules draft.toml` uses it.
    """
    ipywidgets_module()
    return Explorer(cohort, year=year, plugins=plugins, chart=chart, lang=lang, based_on=based_on, pack=pack)


__all__ = ["CONTROLS", "Control", "DraftEditor", "Explorer", "explore", "representative"]
