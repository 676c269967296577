"""The analytics export as streamed files: every format equals the service's own figures.

On PostgreSQL past days are computed and formatted by the database (``COPY``), the current
day and days with a dirty hour by the rollup reader (:func:`export_rows`); on SQLite all of
it by the reader.  The files downloaded over HTTP must hold exactly what
:func:`export_rows` computes for the same plan, cell by cell, in the same order, whichever
path made them.  Events go in through the batch ingest route and the drain/rollup jobs.
"""

from __future__ import annotations

import csv
import io
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from openpyxl import load_workbook

from services.analytics import export as analytics_export
from services.core import file_stream
from services.core.config import get_settings
from services.identity.policy import Principal, Role
from services.rollups.build import day_floor, mark_dirty
from workers import jobs

CTX = {"worker_id": "test-export-streaming"}
URL = "/admin/prompt-analytics/export/data"


async def send(client, tenant, events: list[dict]) -> None:
    for i in range(0, len(events), 500):
        r = await client.post(
            "/api/v1/prompts/analytics/batch", json={"events": events[i : i + 500]}, headers=tenant.key_headers
        )
        assert r.status_code == 202, r.text
    await jobs.drain_ingest(CTX)
    await jobs.refresh_rollups(CTX)


async def make_prompt(client, tenant, name: str) -> tuple[int, str]:
    body = {"name": name, "uuid": str(uuid.uuid4())}
    r = await client.post("/api/v1/prompts", json=body, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"], body["uuid"]


NAMES = ('first, "quoted" <b>&amp;</b>\ttab', "second ü 名前", "  spaced  ")


async def seed(client, admin) -> tuple[list[tuple[int, str]], datetime]:
    """Three prompts, several versions and statuses over the last five days (and today)."""
    now = datetime.now(UTC)
    prompts = [await make_prompt(client, admin, name) for name in NAMES]
    events = []
    for day in range(0, 6):
        base = day_floor(now) - timedelta(days=day) + timedelta(hours=1)
        if day == 0:
            base = now - timedelta(minutes=30)
        for i in range(17 + day):
            _, puuid = prompts[(i + day) % 3]
            fields: dict = {"status": ("completed", "failed", "processing", "completed")[i % 4]}
            if i % 5:
                fields["latency_ms"] = 0.0 if i % 7 == 0 else 3.7 * (i + 1) ** 1.5 + day
            if i % 3:
                fields["cost_usd"] = 0.000123 * (i + 1) + day * 1e-7
                fields["total_duration_ms"] = 11.25 * i
            if i % 4 == 1:
                fields["score"] = (i % 10) / 10
            fields["version_hash"] = ("v1", "ß-2", "Z", "a b")[(i * day) % 4]
            events.append({"prompt_id": puuid, "timestamp": (base + timedelta(minutes=i)).isoformat(), **fields})
    await send(client, admin, events)
    return prompts, now


def same(column: str, got, want) -> bool:
    if want is None or isinstance(want, str) or isinstance(got, str):
        return got == want
    if column == "cost_total_usd":  # rounded to 8 digits: PostgreSQL's numeric, Python's round
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=1.01e-8)
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=0.0)


def assert_rows(header: list[str], got: list[list], want: list[list]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert len(g) == len(header) == len(w), (g, w)
        bad = [(c, a, b) for c, a, b in zip(header, g, w, strict=True) if not same(c, a, b)]
        assert not bad, (w[:5], bad)


def typed(header: list[str], values: list) -> list:
    """CSV text back to values: empty is None (or '' for text columns), numbers as numbers."""
    out = []
    for column, value in zip(header, values, strict=True):
        if column in ("date", "prompt_uuid", "prompt_name", "version_hash"):
            out.append(value)
        elif value == "":
            out.append(None)
        else:
            out.append(
                int(value) if column in ("prompt_id", "executions", "successes", "failures", "scored") else float(value)
            )
    return out


async def expected(admin, **kwargs) -> tuple[list[str], list[list]]:
    """The non-streamed figures: the rollup reader's rows for the same plan."""
    plan = await analytics_export.export_plan(Principal(admin.user_id, admin.organization_id, Role.ADMIN), **kwargs)
    rows = [list(r) async for page in analytics_export.export_rows(plan) for r in page]
    return plan.header, rows


async def download(client, admin, fmt: str, **params):
    r = await client.get(URL, params={"format": fmt, **params}, headers=admin.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith('attachment; filename="prompt-analytics_')
    return r


async def files(client, admin, **params) -> dict[str, tuple[list[str], list[list]]]:
    """The JSON, CSV and XLSX downloads as (header, typed rows)."""
    doc = (await download(client, admin, "json", **params)).json()
    out = {"json": (doc["columns"], [[row[c] for c in doc["columns"]] for row in doc["rows"]])}
    parsed = list(csv.reader(io.StringIO((await download(client, admin, "csv", **params)).text)))
    out["csv"] = (parsed[0], [typed(parsed[0], r) for r in parsed[1:]])
    book = load_workbook(io.BytesIO((await download(client, admin, "xlsx", **params)).content), read_only=True)
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    header = list(sheets[0][0])
    rows = []
    for sheet in sheets:
        assert list(sheet[0]) == header
        for r in sheet[1:]:
            # an empty cell is None; the text columns hold '' for an empty version
            rows.append(["" if v is None and c in ("version_hash",) else v for c, v in zip(header, r, strict=True)])
    out["xlsx"] = (header, rows)
    return out


async def test_streamed_files_equal_the_service_figures(client, make_tenant, monkeypatch):
    admin = await make_tenant("admin")
    prompts, _ = await seed(client, admin)
    copies = []

    @dataclass(frozen=True)
    class Counting(file_stream.Copy):
        def __post_init__(self) -> None:
            copies.append(self.sql)

    monkeypatch.setattr(analytics_export, "Copy", Counting)
    monkeypatch.setattr(analytics_export, "COPY_ROWS", 1)  # a COPY per day: several in flight, in order
    past_days = (day_floor(datetime.now(UTC)) - day_floor(datetime.now(UTC) - timedelta(days=7))).days

    header, want = await expected(admin)
    assert len(want) >= 20 and {r[4] for r in want} == {"v1", "ß-2", "Z", "a b"}
    assert any(r[header.index("latency_p50_ms")] == 0.0 for r in want)  # zeros in the sketch
    for fmt, (got_header, rows) in (await files(client, admin)).items():
        assert got_header == header, fmt
        assert_rows(header, rows, want)
    if get_settings().is_postgres:
        assert len(copies) == 3 * past_days  # per format, a COPY per past day of the window
        copies.clear()

    # a dirty hour two days ago: that day comes from the reader, the days around it from COPY
    dirty_day = day_floor(datetime.now(UTC)) - timedelta(days=2)
    await mark_dirty([(admin.organization_id, prompts[0][0], dirty_day + timedelta(hours=5))])
    for fmt, (got_header, rows) in (await files(client, admin)).items():
        assert got_header == header, fmt
        assert_rows(header, rows, want)
    if get_settings().is_postgres:
        assert len(copies) == 3 * (past_days - 1)  # not the dirty day

    # selected columns, and a narrowed set of prompts
    header, want = await expected(admin, metric_types=["latency", "cost_total_usd"], prompt_ids=[prompts[1][0]])
    assert header[5:] == [
        "latency_avg_ms",
        "latency_p50_ms",
        "latency_p95_ms",
        "latency_p99_ms",
        "duration_avg_ms",
        "cost_total_usd",
    ]
    assert want and {r[1] for r in want} == {prompts[1][0]}
    params = {"metric_types": "latency,cost_total_usd", "prompt_ids": str(prompts[1][0])}
    for fmt, (got_header, rows) in (await files(client, admin, **params)).items():
        assert got_header == header, fmt
        assert_rows(header, rows, want)


async def test_xlsx_cells_and_sheets(client, make_tenant, monkeypatch):
    admin = await make_tenant("admin")
    await seed(client, admin)
    header, want = await expected(admin)
    monkeypatch.setattr(file_stream, "XLSX_SHEET_ROWS", 7)  # Excel's limit, scaled down
    r = await download(client, admin, "xlsx")
    assert r.headers["content-type"] == analytics_export.FORMATS["xlsx"]
    book = load_workbook(io.BytesIO(r.content))  # the full (not read-only) reader too
    names = book.sheetnames
    assert names[0] == "prompt_metrics" and names[1:] == [f"prompt_metrics_{i}" for i in range(2, len(names) + 1)]
    assert len(names) == math.ceil(len(want) / 7)
    cells = []
    for sheet in book.worksheets:
        assert [c.value for c in sheet[1]] == header
        assert sheet.max_row <= 8 and sheet.max_column == len(header)
        cells += [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == len(want)
    first = cells[0]
    assert isinstance(first[1], int) and isinstance(first[header.index("executions")], int)
    assert isinstance(first[2], str) and uuid.UUID(first[2])
    assert all(r[3] in NAMES for r in cells)  # text kept exactly: quotes, <b>&amp;</b>, tab, spaces, unicode
    assert all(isinstance(r[header.index("success_rate")], int | float) for r in cells)  # numbers, not text
    assert_rows(
        header,
        [["" if v is None and c == "version_hash" else v for c, v in zip(header, r, strict=True)] for r in cells],
        want,
    )


async def test_empty_and_other_organizations(client, make_tenant):
    admin = await make_tenant("admin")
    prompts, _ = await seed(client, admin)
    other = await make_tenant("admin")
    r = await client.get(URL, params={"format": "json", "prompt_ids": str(prompts[0][0])}, headers=other.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    for fmt in ("json", "csv", "xlsx"):
        got = (await files(client, other))[fmt]
        assert got[1] == [] and got[0][:5] == ["date", "prompt_id", "prompt_uuid", "prompt_name", "version_hash"]
    doc = orjson.loads((await download(client, other, "json")).content)
    assert doc["rows"] == [] and doc["time_window"] == "7d"
    member = await make_tenant("member", org=None)
    assert (await client.get(URL, headers=member.headers)).status_code == 403


async def test_hostile_parameters_are_400s_naming_the_field(client, make_tenant):
    admin = await make_tenant("admin")
    for params, field in (
        ({"format": "csv\x00"}, "format"),
        ({"format": "pdf"}, "format"),
        ({"format": "x" * 5000}, "format"),
        ({"time_window": "7d\x00"}, "time_window"),
        ({"time_window": "99999999999999999999d"}, "time_window"),
        ({"metric_types": "volume\x00"}, "metric_types"),
        ({"metric_types": ",".join(["volume"] * 21)}, "metric_types"),
        ({"prompt_ids": "99999999999999999999"}, "prompt_ids.0"),
        ({"prompt_ids": "0"}, "prompt_ids.0"),
        ({"prompt_ids": "1\x00"}, "prompt_ids"),
        ({"prompt_ids": "-1"}, "prompt_ids.0"),
    ):
        r = await client.get(URL, params=params, headers=admin.headers)
        assert r.status_code == 400, (params, r.text)
        body = r.json()
        assert body["error"]["code"] == "BAD_REQUEST" and body["error"]["details"][0]["field"] == field, (params, body)


async def test_xlsx_text_cells_escape_the_same_in_sql_and_python(client):
    """Names with markup, line breaks and control characters XML forbids: one cell text either way."""
    values = ["plain", 'a&b <c> "d"', "line\nbreak\r\ttab", "bell\x07 and \x1f unit", "ü 名前", "  "]
    for value in values:
        python = file_stream.xlsx_row([value]).decode()
        assert python.startswith("<row>") and "\n" not in python[:-1]
        if get_settings().is_postgres:
            from tortoise import connections

            rows = await connections.get("default").execute_query_dict(
                f"SELECT {file_stream.xlsx_text_sql('$1::text')} AS cell", [value]
            )
            assert "<row>" + rows[0]["cell"] + "</row>\n" == python, value
    book = load_workbook(
        io.BytesIO(
            b"".join(
                [
                    chunk
                    async for chunk in file_stream.xlsx_stream(
                        "s", ["v"], _lines(file_stream.xlsx_row([v]) for v in values)
                    )
                ]
            )
        )
    )
    got = [r[0] for r in book["s"].iter_rows(min_row=2, values_only=True)]
    assert got == ["plain", 'a&b <c> "d"', "line\nbreak\r\ttab", "bell and  unit", "ü 名前", "  "]


async def _lines(chunks):
    for chunk in chunks:
        yield chunk
