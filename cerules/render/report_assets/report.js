(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("cerules-data").textContent);
  var W = D.words;
  var n = D.id.length;
  var PAGE = 50;
  var state = { query: "", verdict: "", key: null, descending: false, page: 0, open: -1 };
  var tbody = document.querySelector("#people-table tbody");
  var headers = document.querySelectorAll("#people-table th[data-key]");
  var shown = null;
  var haystack = null;

  function amount(hundredths) {
    var text = (Math.abs(hundredths) / 100).toFixed(2).replace(/\.?0+$/, "");
    return (hundredths < 0 ? "-" : "") + text;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return key in values ? values[key] : ""; });
  }

  function missed(i) {
    var found = [];
    D.miss[i].forEach(function (r) {
      found.push({ r: r, short: Math.max(D.need[r][i] - D.got[r][i], 0) });
    });
    return found;
  }

  function unmetText(i) {
    return missed(i).map(function (m) {
      var q = D.requirements[m.r];
      return q.label + " " + fill(W.short, { amount: amount(m.short), unit: q.unit });
    }).join(W.separator);
  }

  function shortfall(i) {
    return missed(i).reduce(function (sum, m) { return sum + m.short; }, 0);
  }

  var keys = {
    id: function (i) { return D.id[i]; },
    city: function (i) { return D.cities[D.city[i]]; },
    level: function (i) { return D.levels[D.level[i]]; },
    series: function (i) { return D.seriesNames[D.series[i]]; },
    verdict: function (i) { return D.ok[i]; },
    unmet: shortfall
  };

  function buildHaystack() {
    haystack = new Array(n);
    for (var i = 0; i < n; i++) {
      haystack[i] = [D.id[i], keys.city(i), keys.level(i), keys.series(i), unmetText(i)].join("\u0001").toLowerCase();
    }
  }

  var collator = new Intl.Collator(document.documentElement.lang, { numeric: true });

  function select() {
    var query = state.query.trim().toLowerCase();
    if (query && !haystack) buildHaystack();
    var chosen = [];
    for (var i = 0; i < n; i++) {
      if (state.verdict === "pass" && !D.ok[i]) continue;
      if (state.verdict === "fail" && D.ok[i]) continue;
      if (query && haystack[i].indexOf(query) < 0) continue;
      chosen.push(i);
    }
    if (state.key) {
      var key = keys[state.key];
      var values = new Array(n);
      chosen.forEach(function (i) { values[i] = key(i); });
      var sign = state.descending ? -1 : 1;
      chosen.sort(function (a, b) {
        var x = values[a], y = values[b];
        var order = typeof x === "number" ? x - y : collator.compare(x, y);
        return order !== 0 ? sign * order : a - b;
      });
    }
    shown = chosen;
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (className) td.className = className;
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function verdictBadge(i) {
    var span = document.createElement("span");
    span.className = "verdict " + (D.ok[i] ? "pass" : "fail");
    span.textContent = D.ok[i] ? W.compliant : W.not_compliant;
    return span;
  }

  function element(tag, text, className) {
    var made = document.createElement(tag);
    if (text !== undefined && text !== null) made.textContent = text;
    if (className) made.className = className;
    return made;
  }

  function details(i) {
    var body = element("div", null, "detail-body");
    body.appendChild(element("h3", W.requirement));
    var table = element("table", null, "plain");
    var head = element("tr");
    [W.requirement, W.got_of, W.shortfall, W.citation, W.set_by].forEach(function (word) { head.appendChild(element("th", word)); });
    var thead = element("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var rows = element("tbody");
    var cited = D.profiles[D.profile[i]];
    D.requirements.forEach(function (q, r) {
      var need = D.need[r][i];
      if (need < 0) return;
      var got = D.got[r][i];
      var miss = D.miss[i].indexOf(r) >= 0;
      var tr = element("tr", null, miss ? "missed" : "met");
      cell(tr, (miss ? "✗ " : "✓ ") + q.label + " (" + q.id + ")");
      cell(tr, amount(got) + " / " + amount(need) + " " + q.unit, "num");
      cell(tr, miss ? amount(Math.max(need - got, 0)) : "—", "num");
      var source = cited[r] || ["—", "—", true];
      cell(tr, source[0] + (source[2] ? "" : " (" + W.unverified + ")"));
      cell(tr, source[1]);
      rows.appendChild(tr);
    });
    table.appendChild(rows);
    body.appendChild(table);
    body.appendChild(element("h3", W.record_counts));
    var counts = element("ul", null, "counts");
    var reasons = D.reasons[i];
    for (var k = 0; k < reasons.length; k += 2) {
      var code = reasons[k];
      counts.appendChild(element("li", D.reasonNames[code] + " × " + reasons[k + 1], code === 0 ? "credited" : "rejected"));
    }
    body.appendChild(counts);
    body.appendChild(element("h3", W.explanation));
    if (D.explain) {
      body.appendChild(element("pre", D.explain[i], "explain"));
    } else {
      body.appendChild(element("p", fill(W.no_explanation, { limit: D.limit }), "quiet"));
    }
    return body;
  }

  function toggle(i, row) {
    var next = row.nextSibling;
    if (next && next.className === "detail") {
      tbody.removeChild(next);
      row.classList.remove("open");
      row.setAttribute("aria-expanded", "false");
      state.open = -1;
      return;
    }
    var detail = element("tr", null, "detail");
    var td = element("td");
    td.colSpan = headers.length;
    td.appendChild(details(i));
    detail.appendChild(td);
    tbody.insertBefore(detail, row.nextSibling);
    row.classList.add("open");
    row.setAttribute("aria-expanded", "true");
    state.open = i;
  }

  function draw() {
    var count = shown.length;
    var pages = Math.max(Math.ceil(count / PAGE), 1);
    state.page = Math.min(state.page, pages - 1);
    var first = state.page * PAGE;
    var last = Math.min(first + PAGE, count);
    var rows = document.createDocumentFragment();
    for (var p = first; p < last; p++) {
      var i = shown[p];
      var tr = element("tr", null, "person");
      tr.dataset.index = String(i);
      tr.tabIndex = 0;
      tr.setAttribute("aria-expanded", "false");
      cell(tr, D.id[i], "id");
      cell(tr, keys.city(i));
      cell(tr, keys.level(i));
      cell(tr, keys.series(i));
      cell(tr, "").appendChild(verdictBadge(i));
      cell(tr, unmetText(i), "unmet");
      rows.appendChild(tr);
    }
    tbody.textContent = "";
    tbody.appendChild(rows);
    if (state.open >= 0) {
      var open = tbody.querySelector("tr.person[data-index='" + state.open + "']");
      if (open) { state.open = -1; toggle(Number(open.dataset.index), open); }
    }
    document.getElementById("count").textContent = count
      ? fill(W.shown, { first: (first + 1).toLocaleString(), last: last.toLocaleString(), count: count.toLocaleString() })
      : W.none_found;
    document.getElementById("page-number").textContent = (state.page + 1) + " / " + pages;
    document.getElementById("previous").disabled = state.page === 0;
    document.getElementById("next").disabled = state.page >= pages - 1;
  }

  function refresh() { select(); draw(); }

  tbody.addEventListener("click", function (event) {
    var row = event.target.closest("tr.person");
    if (row) toggle(Number(row.dataset.index), row);
  });
  tbody.addEventListener("keydown", function (event) {
    var row = event.target.closest("tr.person");
    if (row && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); toggle(Number(row.dataset.index), row); }
  });

  var typing = null;
  document.getElementById("search").addEventListener("input", function (event) {
    clearTimeout(typing);
    var value = event.target.value;
    typing = setTimeout(function () { state.query = value; state.page = 0; refresh(); }, n > 20000 ? 200 : 0);
  });
  document.getElementById("verdict").addEventListener("change", function (event) {
    state.verdict = event.target.value; state.page = 0; refresh();
  });
  document.getElementById("previous").addEventListener("click", function () { state.page -= 1; draw(); });
  document.getElementById("next").addEventListener("click", function () { state.page += 1; draw(); });

  function sortBy(th) {
    var key = th.dataset.key;
    state.descending = state.key === key ? !state.descending : false;
    state.key = key;
    headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
    state.page = 0;
    refresh();
  }
  headers.forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(th); }
    });
  });

  refresh();
})();
