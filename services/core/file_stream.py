"""Download files streamed from PostgreSQL: CSV, JSON arrays and XLSX workbooks, in flat memory.

Exports of a million rows are formatted by PostgreSQL itself: the query's
``COPY (SELECT ...) TO STDOUT`` output goes to the response through a small bounded
queue (:func:`copy_out`), so Python never builds an object per row and the process holds
a few chunks, never the file.  A file cut into several queries (an export's days) is
:func:`stream_copies`: in order, with the next query already running on a second
connection.  Three shapes build on it:

* CSV: ``copy_out(sql, format="csv", header=True)`` as is.
* JSON array: the query selects one text column per row, an object made by
  ``row_to_json`` (:func:`copy_lines` streams those lines untouched, :func:`json_array`
  joins them with commas between a prefix and a suffix).
* XLSX: the query selects one ``<row>...</row>`` per row (:func:`xlsx_row_sql` helps
  build it); :func:`xlsx_stream` writes them as worksheet XML into a zip compressed on
  a worker thread, starting a new sheet every 1,048,575 data rows (Excel's limit).

Lines of rows computed in Python (a few, e.g. today's still-changing rows) can be mixed
in: every function takes or yields chunks of whole ``\\n``-terminated lines.

``copy_lines`` relies on what JSON and escaped XML never contain: a raw newline or the
bytes 0x01/0x02, which it uses as the CSV delimiter and quote, so PostgreSQL adds no
quoting or escaping to the line.
"""

from __future__ import annotations

import asyncio
import io
import math
import zipfile
from collections import deque
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from tortoise import connections

COPY_QUEUE = 16  # chunks in flight between one COPY and the response (bounds memory)
COPY_AHEAD = 1  # COPYs running ahead of the one being sent (2 cores: one sends, one computes)
CHUNK_BYTES = 256 * 1024  # what one response write carries (COPY hands out row-sized pieces)
XLSX_SHEET_ROWS = 1_048_575  # data rows per worksheet: Excel's 1,048,576 rows minus the header
XLSX_COMPRESSLEVEL = 1  # sheet XML is very repetitive: level 1 is ~3x faster than 6 for ~15% more bytes
_XLSX_PIECE = 4 * 1024 * 1024  # sheet XML handed to the compressing thread at once


@dataclass(frozen=True)
class Copy:
    """One ``COPY (sql) TO STDOUT`` to stream: the query, its parameters, the COPY options.

    ``settings`` are applied with ``SET LOCAL`` in a transaction around it (the pool's
    connections already run with JIT off: see ``services.core.database``).  It runs on the
    primary, where the rollup reader and its dirty marks are current.
    """

    sql: str
    args: tuple[Any, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=dict)


# one text column per row, written untouched (see copy_lines)
LINES: Mapping[str, Any] = {"format": "csv", "delimiter": "\x01", "quote": "\x02"}


class _Running:
    """A COPY running in a task of its own on a pooled connection, feeding a bounded queue.

    When the reader is slow the queue fills, the sink waits, asyncpg stops reading the socket
    and PostgreSQL waits: memory holds at most ``COPY_QUEUE`` chunks of ``CHUNK_BYTES``.
    """

    def __init__(self, copy: Copy, coalesce: int) -> None:
        self.copy = copy
        self.coalesce = coalesce
        self.queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(maxsize=COPY_QUEUE)
        self.pending: list[bytes] = []
        self.size = 0
        self.task = asyncio.create_task(self._produce())

    async def _sink(self, chunk: bytes | bytearray) -> None:
        self.pending.append(bytes(chunk))
        self.size += len(chunk)
        if self.size >= self.coalesce:
            data = b"".join(self.pending)
            self.pending.clear()
            self.size = 0
            await self.queue.put(data)

    async def _produce(self) -> None:
        copy = self.copy
        try:
            client: Any = connections.get("default")
            async with client.acquire_connection() as conn:
                if copy.settings:
                    async with conn.transaction():
                        for name, value in copy.settings.items():
                            await conn.execute("SELECT set_config($1, $2, true)", name, value)
                        await conn.copy_from_query(copy.sql, *copy.args, output=self._sink, **copy.options)
                else:
                    await conn.copy_from_query(copy.sql, *copy.args, output=self._sink, **copy.options)
            if self.pending:
                await self.queue.put(b"".join(self.pending))
            await self.queue.put(None)
        except Exception as exc:  # handed to the reader, which raises it (a cancellation just ends the task)
            await self.queue.put(exc)

    async def chunks(self) -> AsyncIterator[bytes]:
        while (item := await self.queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    async def cancel(self) -> None:
        if not self.task.done():
            self.task.cancel()
        # retrieve the task's outcome so asyncio does not log it as never retrieved
        await asyncio.gather(self.task, return_exceptions=True)


async def stream_copies(
    items: AsyncIterator[Copy | bytes], ahead: int = COPY_AHEAD, coalesce: int = CHUNK_BYTES
) -> AsyncIterator[bytes]:
    """The output of each :class:`Copy` (and each ``bytes`` as is), in order, as byte chunks.

    Up to ``ahead`` COPYs after the one being sent already run on their own connections, so
    PostgreSQL computes the next piece (a day of an export, say) on another core while this
    one goes out; each waits once its queue is full, which keeps memory bounded.  Chunks hold
    whole rows (asyncpg hands out complete CopyData messages, one row each), joined to at
    least ``coalesce`` bytes.  Closing the stream early (a client that went away) cancels
    every running COPY.
    """
    window: deque[_Running | bytes] = deque()
    source = aiter(items)
    more = True
    try:
        while True:
            while more and len(window) < ahead + 1:  # the piece being sent and ``ahead`` more
                try:
                    item = await anext(source)
                except StopAsyncIteration:
                    more = False
                    break
                window.append(_Running(item, coalesce) if isinstance(item, Copy) else item)
            if not window:
                return
            head = window.popleft()
            if isinstance(head, bytes):
                if head:
                    yield head
                continue
            try:
                async for chunk in head.chunks():
                    yield chunk
            finally:
                await head.cancel()
    finally:
        for w in window:
            if isinstance(w, _Running):
                await w.cancel()


async def _one(copy: Copy) -> AsyncIterator[Copy | bytes]:
    yield copy


def copy_out(sql: str, *args: Any, **options: Any) -> AsyncIterator[bytes]:
    """``COPY (sql) TO STDOUT`` with ``options`` (format, header, delimiter, ...), as byte chunks."""
    return stream_copies(_one(Copy(sql, args, options)))


def copy_lines(sql: str, *args: Any) -> AsyncIterator[bytes]:
    """Stream a one-text-column query's values, one ``\\n``-terminated line per row, byte for byte.

    The values must hold no newline and no 0x01/0x02 byte (JSON text and the escaped XML of
    :func:`xlsx_row_sql` never do).
    """
    return stream_copies(_one(Copy(sql, args, LINES)))


async def json_array(prefix: bytes, lines: AsyncIterator[bytes], suffix: bytes) -> AsyncIterator[bytes]:
    """``prefix`` + the JSON values of ``lines`` (one per line) joined by commas + ``suffix``.

    One ``bytes.replace`` per chunk, not per row.  A trailing partial line is carried over to
    the next chunk, so the chunking of ``lines`` does not matter.
    """
    yield prefix
    first = True
    carry = b""
    async for chunk in lines:
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            carry = data
            continue
        carry = data[cut + 1 :]
        body = data[:cut].replace(b"\n", b",")
        yield body if first else b"," + body
        first = False
    if carry:
        yield carry if first else b"," + carry
    yield suffix


# ------------------------------------------------------------------------------------------------ XLSX

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_HEAD = f'{_XML}<worksheet xmlns="{_NS}"><sheetData>'.encode()
_SHEET_TAIL = b"</sheetData></worksheet>"
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# XML 1.0 forbids these control characters; a newline/CR is kept as a character reference so a
# row stays on one line of the COPY output.
_XML_FORBIDDEN = "".join(chr(c) for c in range(32) if c not in (9, 10, 13))
_XML_TEXT = str.maketrans({**dict.fromkeys(_XML_FORBIDDEN, None), "\n": "&#10;", "\r": "&#13;"})


def xml_text(value: str) -> str:
    """``value`` escaped for a cell's text, on one line (what :func:`xlsx_text_sql` does in SQL)."""
    return escape(value).translate(_XML_TEXT)


# the same characters as an SQL literal (NUL cannot occur in PostgreSQL text)
_XML_FORBIDDEN_SQL = "E'" + "".join(f"\\x{ord(c):02x}" for c in _XML_FORBIDDEN if c != "\x00") + "'"


def xlsx_text_sql(expr: str) -> str:
    """SQL for an inline-string cell of text ``expr`` (an empty cell for NULL or '').

    ``translate`` drops the control characters XML forbids (a regular expression costs
    several times more per call), then ``& < >`` and line breaks are escaped.
    """
    stripped = f"translate({expr}, {_XML_FORBIDDEN_SQL}, '')"
    escaped = f"replace(replace(replace({stripped}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    one_line = f"replace(replace({escaped}, E'\\n', '&#10;'), E'\\r', '&#13;')"
    return (
        f"CASE WHEN coalesce({expr}, '') = '' THEN '<c/>' "
        f"ELSE '<c t=\"inlineStr\"><is><t xml:space=\"preserve\">' || {one_line} || '</t></is></c>' END"
    )


def xlsx_plain_text_sql(expr: str) -> str:
    """SQL for an inline-string cell of text that never needs escaping and is never NULL (a date, a uuid)."""
    return f"'<c t=\"inlineStr\"><is><t>' || {expr} || '</t></is></c>'"


def xlsx_number_sql(expr: str) -> str:
    """SQL for a numeric cell of ``expr`` (PostgreSQL's shortest exact text; an empty cell for NULL)."""
    return f"coalesce('<c><v>' || ({expr})::text || '</v></c>', '<c/>')"


def xlsx_row_sql(cells: Iterable[str]) -> str:
    """SQL for one ``<row>`` from cell expressions made by :func:`xlsx_text_sql` / :func:`xlsx_number_sql`."""
    return "'<row>' || " + " || ".join(f"({c})" for c in cells) + " || '</row>'"


def pg_float(value: float) -> str:
    """``value`` as PostgreSQL prints a float8 (shortest exact digits; exponent below 1e-4 or from 1e15)."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    text = repr(value)
    if "e" in text or "E" in text:
        return text
    if text.endswith(".0"):
        text = text[:-2]
    if abs(value) >= 1e15:  # Python writes these positionally up to 1e16; PostgreSQL from 1e15 in exponent form
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        exponent = len(digits) - 1
        mantissa = digits.rstrip("0")
        text = f"{sign}{mantissa[0]}{'.' + mantissa[1:] if len(mantissa) > 1 else ''}e+{exponent:02d}"
    return text


def xlsx_row(values: Sequence[Any]) -> bytes:
    """One ``<row>`` line for values computed in Python (numbers, text, None), as the SQL helpers write them."""
    cells = []
    for v in values:
        if v is None or v == "":
            cells.append("<c/>")
        elif isinstance(v, bool) or not isinstance(v, int | float):
            cells.append(f'<c t="inlineStr"><is><t xml:space="preserve">{xml_text(str(v))}</t></is></c>')
        else:
            cells.append(f"<c><v>{pg_float(v) if isinstance(v, float) else v}</v></c>")
    return ("<row>" + "".join(cells) + "</row>\n").encode()


class _Sink(io.RawIOBase):
    """What the zip writer writes to: a list of pieces the stream hands out (no seeking: data descriptors)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def _workbook_parts(sheet_names: Sequence[str]) -> dict[str, str]:
    sheets = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheet_names, 1)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheet_names) + 1)
    )
    n = len(sheet_names)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    return {
        "xl/workbook.xml": f'{_XML}<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>{sheets}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": (
            f'{_XML}<Relationships xmlns="{_PKG_REL}">{sheet_rels}'
            f'<Relationship Id="rId{n + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
        "_rels/.rels": (
            f'{_XML}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "[Content_Types].xml": (
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"
        ),
    }


async def xlsx_stream(
    sheet_name: str, header: Sequence[str], rows: AsyncIterator[bytes], sheet_rows: int | None = None
) -> AsyncIterator[bytes]:
    """An XLSX workbook of ``rows`` (chunks of whole ``<row>`` lines) under ``header``, streamed.

    The sheets are written first (``sheet_name``, then ``sheet_name_2``, ... every ``sheet_rows``
    data rows, each with the header), the workbook parts that list them last: a zip's central
    directory, not the order of its entries, is what readers go by.  ``sheet_rows`` defaults to
    ``XLSX_SHEET_ROWS``.  Compression runs on a
    worker thread (zlib releases the GIL) over pieces of a few MB; memory holds one piece.
    """
    sheet_rows = sheet_rows or XLSX_SHEET_ROWS
    sink = _Sink()
    book = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSLEVEL)
    head = _SHEET_HEAD + xlsx_row(header)
    names: list[str] = []
    entry: Any = None
    in_sheet = 0
    buffered: list[bytes] = []
    size = 0

    async def flush() -> bytes:
        nonlocal size
        if buffered:
            piece = b"".join(buffered)
            buffered.clear()
            size = 0
            await asyncio.to_thread(entry.write, piece)
        return sink.take()

    async def open_sheet() -> bytes:
        nonlocal entry, in_sheet
        out = b""
        if entry is not None:
            out = await flush()
            entry.write(_SHEET_TAIL)
            entry.close()
        names.append(sheet_name if not names else f"{sheet_name}_{len(names) + 1}")
        entry = book.open(f"xl/worksheets/sheet{len(names)}.xml", "w", force_zip64=True)
        entry.write(head)
        in_sheet = 0
        return out + sink.take()

    yield await open_sheet()
    async for chunk in rows:
        while chunk:
            room = sheet_rows - in_sheet
            lines = chunk.count(b"\n")
            if lines <= room:
                part, chunk = chunk, b""
                in_sheet += lines
            else:  # the sheet fills up inside this chunk: cut after its last row
                cut = -1
                for _ in range(room):
                    cut = chunk.index(b"\n", cut + 1)
                part, chunk = chunk[: cut + 1], chunk[cut + 1 :]
                in_sheet += room
            buffered.append(part)
            size += len(part)
            if size >= _XLSX_PIECE:
                if out := await flush():
                    yield out
            if chunk and in_sheet >= sheet_rows:
                yield await open_sheet()
    out = await flush()
    entry.write(_SHEET_TAIL)
    entry.close()
    for name, text in _workbook_parts(names).items():
        book.writestr(name, text)
    book.close()
    yield out + sink.take()
