"""Rows read ahead into a temporary file, so that a big file is read before its transaction without being
held in memory.

A confirmed roster import reads the whole file first (the slow part, openpyxl's XML parsing) outside the
transaction: the write lock is held for less time, and the progress a background job records meanwhile is
seen by whoever watches it. Kept as Row objects, 100,000 rows cost about 400 MB; spooled here, chunk by
chunk, as pickled and lightly compressed tuples, they cost a few megabytes of memory and ~15 MB of disk.
The file is our own (written and read back by this process, deleted on close): unpickling it trusts
nothing that came from the upload beyond the cell values, which pickle stores as plain data.
"""

from __future__ import annotations

import pickle
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, Any

from staff.imports.reader import Row, Sheet

LENGTH = struct.Struct("<Q")


class RowSpool:
    """Rows written in chunks, then read back once in order (each chunk let go once it is handed out)."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = tuple(keys)  # every row has the same keys (the sheet's resolved columns), stored once
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="import-rows-")
        self.rows = 0

    def write(self, rows: list[Row]) -> None:
        data = [(row.number, tuple(row.values[key] for key in self.keys)) for row in rows]
        # Level 1: most of the gain (names and codes repeat) for a small part of the cost of the default.
        blob = zlib.compress(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL), 1)
        self.file.write(LENGTH.pack(len(blob)))
        self.file.write(blob)
        self.rows += len(rows)

    def chunks(self) -> Iterator[list[Row]]:
        """The rows in their order, a written chunk at a time; the file is closed once they are all read."""
        self.file.seek(0)
        keys = self.keys
        try:
            while header := self.file.read(LENGTH.size):
                (size,) = LENGTH.unpack(header)
                data: list[tuple[int, tuple[Any, ...]]] = pickle.loads(zlib.decompress(self.file.read(size)))
                yield [Row(number=number, values=dict(zip(keys, values, strict=True))) for number, values in data]
        finally:
            self.close()

    def close(self) -> None:
        self.file.close()


def chunked(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while chunk := list(islice(rows, size)):
        yield chunk


class ReadAhead:
    """The sheet's rows read now, into a RowSpool: any refusal (e.g. too many columns) is raised now too."""

    def __init__(self, sheet: Sheet, spool: RowSpool):
        self.sheet, self.spool = sheet, spool

    def chunks(self) -> Iterator[list[Row]]:
        return self.spool.chunks()

    def close(self) -> None:
        self.spool.close()


def read_ahead(sheet: Sheet, *, size: int, on_progress: Callable[[str, int], None] | None,
               every: int) -> ReadAhead:
    """Every row of ``sheet`` read now into a spool, ``size`` rows a chunk; ``on_progress`` told ("reading",
    rows so far) every ``every`` rows, then ("writing", all the rows)."""
    spool = RowSpool(sheet.headers)
    try:
        read = 0
        for rows in chunked(_counted(sheet.rows, on_progress, every), size):
            spool.write(rows)
            read += len(rows)
    except BaseException:
        spool.close()
        raise
    if on_progress is not None:
        on_progress("writing", read)
    return ReadAhead(Sheet(headers=sheet.headers, rows=iter(()), unknown=sheet.unknown), spool)


def _counted(rows: Iterator[Row], on_progress: Callable[[str, int], None] | None, every: int) -> Iterator[Row]:
    for count, row in enumerate(rows, start=1):
        yield row
        if on_progress is not None and count % every == 0:
            on_progress("reading", count)
