"""The table from both scales' raw numbers (scale.py), and the markdown page for docs/benchmarks.md.

"ours" and "floor" are the city's numbers (the 1/10 city's when the run had only that one); "growth" is
how many times more the city costs than the 1/10 city: p95 for pages, 1 / throughput for the public pages
and for documents measured in items per second, seconds for documents measured in time.
"""

from __future__ import annotations

from tests.bench.city import paths
from tests.bench.city.table import (
    Row,
    all_met,
    growth,
    markdown_table,
    met_at_least,
    met_at_most,
    ms,
    queries_cell,
    ratio,
)


def _inverse(value: float | None) -> float | None:
    return 1 / value if value else None


def _get(scale: dict | None, *keys: str):
    value = scale
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def rows(tenth: dict | None, city: dict | None) -> list[Row]:
    main = city or tenth or {}
    answer: list[Row] = []
    floor_p95 = _get(main, "hr_floor", "p95")
    for key, ours in main.get("hr", {}).items():
        before = _get(tenth, "hr", key, "p95") if city else None
        queries, same = queries_cell(_get(tenth, "queries", key, "queries") if city else None,
                                     _get(main, "queries", key, "queries"))
        grown = growth(before, ours.get("p95"))
        row = Row(path=key, ours=f"{ms(ours.get('p50'))}/{ms(ours.get('p95'))} ms", floor=f"{ms(floor_p95)} ms",
                  ratio=ratio(ours.get("p95"), floor_p95),
                  target=f"p95 ≤ {paths.HR_P95_TARGET_MS:.0f} ms, growth ≤ {paths.HR_GROWTH_TARGET}×",
                  growth=grown, queries=queries)
        p95_ok = met_at_most(ours.get("p95"), paths.HR_P95_TARGET_MS / 1000)
        row.met = all_met(p95_ok, met_at_most(grown, paths.HR_GROWTH_TARGET) if city else True, same)
        if ours.get("error_count"):
            row.met, row.note = False, f"{ours['error_count']} wrong answers: {'; '.join(ours['errors'][:2])}"
        answer.append(row)
    floor_rps = _get(main, "public", "floor", "rps")
    for label, _page in paths.PUBLIC_PATHS:
        ours = _get(main, "public", label) or {}
        rps = ours.get("rps")
        queries, _same = queries_cell(_get(tenth, "queries", f"public {label}", "queries") if city else None,
                                      _get(main, "queries", f"public {label}", "queries"))
        row = Row(path=f"{label} (public)", ours="–" if rps is None else f"{rps:.0f} req/s",
                  floor="–" if floor_rps is None else f"{floor_rps:.0f} req/s", ratio=ratio(rps, floor_rps),
                  target=f"≥ {paths.PUBLIC_RATIO_TARGET}× floor",
                  growth=growth(_inverse(_get(tenth, "public", label, "rps")), _inverse(rps)) if city else None,
                  queries=queries)
        row.met = met_at_least(row.ratio, paths.PUBLIC_RATIO_TARGET)
        problems = [text for text in (ours.get("error"), ours.get("non_2xx") and f"{ours['non_2xx']} non-2xx")
                    if text]
        if problems:
            row.met, row.note = False, "; ".join(str(p) for p in problems)
        answer.append(row)
    answer.append(race_row(tenth, city))
    answer += [document_row(entry, tenth, city) for entry in paths.DOCUMENTS]
    return answer


def race_row(tenth: dict | None, city: dict | None) -> Row:
    main = (city or tenth or {}).get("race") or {}
    row = Row(path=f"seat race ({main.get('officials', '?')} on {main.get('seats', '?')} seats)",
              ours=f"{ms(main.get('p50'))}/{ms(main.get('p95'))} ms",
              target=(f"exactly {main.get('expected_confirmed', '?')} confirmed, "
                      f"p95 ≤ {paths.RACE_P95_TARGET_MS:.0f} ms"),
              growth=growth(_get(tenth, "race", "p95"), main.get("p95")) if city else None)
    row.met = all_met(bool(main.get("correct")), met_at_most(main.get("p95"), paths.RACE_P95_TARGET_MS / 1000))
    notes = []
    for name, scale in (("1/10", tenth), ("city", city)):
        got = _get(scale, "race")
        if got and "confirmed" not in got:
            notes.append(f"{name}: not run: {'; '.join(got.get('errors', []))[:300]}")
        elif got:
            notes.append(f"{name}: {got['confirmed']} confirmed, {got['waitlisted']} waiting, "
                         f"{got['error_count']} wrong answers")
    row.note = "; ".join(notes)
    return row


def document_row(entry: tuple, tenth: dict | None, city: dict | None) -> Row:
    label, ours_spec, floor_spec, kind, target, limit_mb = entry
    main = city or tenth or {}
    ours, floor = _get(main, "documents", ours_spec) or {}, _get(main, "documents", floor_spec) or {}
    sign = "≥" if kind == "throughput" else "≤"
    target_text = f"{sign} {target}× floor" + (f", ≤ {limit_mb} MB" if limit_mb else "")
    row = Row(path=label, target=target_text, peak_mb=ours.get("peak_mb"))
    if ours.get("status") != "ok" or floor.get("status") != "ok":
        row.ours = "not measured" if ours.get("status") != "ok" else _document_cell(ours, kind)
        row.floor = "not measured" if floor.get("status") != "ok" else _document_cell(floor, kind)
        row.note = "; ".join(f"{spec}: {doc.get('status')} ({str(doc.get('why', ''))[:200]})"
                             for spec, doc in ((ours_spec, ours), (floor_spec, floor)) if doc.get("status") != "ok")
        row.met = False if "failed" in (ours.get("status"), floor.get("status")) else None
        return row
    row.ours, row.floor = _document_cell(ours, kind), _document_cell(floor, kind)
    before = _get(tenth, "documents", ours_spec) if city else None
    if kind == "throughput":
        row.ratio = ratio(ours.get("items_per_second"), floor.get("items_per_second"))
        row.met = met_at_least(row.ratio, target)
        if before and before.get("status") == "ok":
            row.growth = growth(_inverse(before.get("items_per_second")), _inverse(ours.get("items_per_second")))
    else:
        row.ratio = ratio(ours["seconds"], floor["seconds"])
        row.met = met_at_most(row.ratio, target)
        if before and before.get("status") == "ok":
            row.growth = growth(before["seconds"], ours["seconds"])
    if limit_mb:
        row.met = all_met(row.met, met_at_most(ours.get("peak_mb"), limit_mb))
    return row


def _document_cell(document: dict, kind: str) -> str:
    if kind == "throughput" and document.get("items_per_second"):
        return f"{document['items_per_second']:.0f}/s ({document['items']} in {document['seconds']:.1f} s)"
    return f"{document['seconds']:.2f} s ({document['items']} items)"


def _baseline_mb(scales: dict) -> str:
    found = [_get(scale, "documents", "measure:baseline", "peak_mb") for scale in scales.values() if scale]
    return "/".join(f"{mb:.0f}" for mb in found if mb) or "?"


def markdown(table_rows: list[Row], machine: dict, settings: dict, scales: dict) -> str:
    counts = "; ".join(f"{name} ({scale['database']}): " + ", ".join(f"{k} {v:,}" for k, v in scale["counts"].items())
                       for name, scale in scales.items() if scale)
    before, after = machine.get("load_before", []), machine.get("load_after", [])
    return "\n".join([
        f"### Run of {machine.get('date_utc', '?')} (UTC)",
        "",
        f"Machine: {machine.get('nproc')} cores, {machine.get('ram_gb', 0):.1f} GB RAM, load average "
        f"{' '.join(f'{x:.2f}' for x in before)} before and {' '.join(f'{x:.2f}' for x in after)} after; "
        f"PostgreSQL {machine.get('postgresql')}, Python {machine.get('python')}, {machine.get('wrk')}.",
        f"Data: {counts}.",
        f"Settings: gunicorn {settings['workers']} workers on production settings (tests/bench/city/settings.py), "
        f"{settings.get('cache', 'Redis')} cache; HR paths {settings['requests']} requests after 3 warm-up at "
        f"concurrency {settings['concurrency']} (at most {settings['path_seconds']:.0f} s each); public pages wrk "
        f"{settings['wrk_seconds']} s at {settings['wrk_connections']} connections; a document process with "
        f"only Django loaded peaks at {_baseline_mb(scales)} MB (included in *peak MB*)"
        + (" — quick run (smoke), not a measurement." if settings.get("quick") else "."),
        "Columns: *ours* and *floor* at city scale (p50/p95 for signed-in pages, whose floor is the bare view's p95 "
        "under the same load; requests per second for public pages; items per second or seconds for documents); "
        "*ratio* ours / floor; *peak MB* the document process's peak RSS; *growth* how many times more the city "
        "costs than the 1/10 city (p95, 1 / throughput, or seconds); *queries* per request at both scales "
        "(≠ when they differ).",
        "",
        markdown_table(table_rows),
        "",
    ])
