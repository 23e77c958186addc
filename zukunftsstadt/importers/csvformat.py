"""Reading CSV exports as German federal systems write them.

- `;`-separated, ISO-8859-15 (UTF-8 is recognised too, with or without BOM);
- cells as plain text, `"quoted"` (with `""` inside) or `="..."` (the spreadsheet trick that keeps
  leading zeros of FKZ and AGS); quoted cells may hold `;` and line breaks;
- numbers in German format (`1.234.567,89`), dates as `TT.MM.JJJJ`.

Records are streamed one at a time with the physical line they start on, so memory stays
constant however long the file is.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from .. import german_formats
from ..inputs import strip_invisible

_CELL = re.compile(r'="((?:[^"]|"")*)"|"((?:[^"]|"")*)"|([^;"]*)')
_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


class CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read, for a progress bar over a file's size."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        return n


def detect_encoding(head: bytes) -> str:
    """ISO-8859-15 unless the start of the file is UTF-8 with non-ASCII characters."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start < len(head) - 3:
            return "iso-8859-15"
    return "utf-8" if any(b > 0x7F for b in head) else "iso-8859-15"


def open_text(raw: BinaryIO) -> tuple[io.TextIOWrapper, CountingReader]:
    """A text stream over `raw` in the detected encoding, and the byte counter behind it."""
    counter = CountingReader(raw)
    buffered = io.BufferedReader(counter, buffer_size=1 << 16)
    encoding = detect_encoding(buffered.peek(1 << 16)[: 1 << 16])
    return io.TextIOWrapper(buffered, encoding=encoding, newline=""), counter


MAX_RECORD_LINES = 50  # a quoted cell that runs longer is an unclosed quote


def _ends_inside_quotes(line: str, inside: bool) -> bool:
    """Whether a quoted cell is still open at the end of `line`. Only a cell that starts with
    `"` or `="` is quoted; a `"` further inside a plain cell is an ordinary character."""
    if not inside and '"' not in line:
        return False
    pos, end = 0, len(line)
    while pos < end:
        if inside:
            quote = line.find('"', pos)
            if quote == -1:
                return True
            if line.startswith('""', quote):
                pos = quote + 2
                continue
            inside = False
            pos = quote + 1  # text after the closing quote belongs to the cell
        elif line.startswith('="', pos) or line.startswith('"', pos):
            inside = True
            pos += 2 if line[pos] == "=" else 1
            continue
        separator = line.find(";", pos)
        if separator == -1:
            return False
        pos = separator + 1
    return inside


def records(text: io.TextIOBase, *, first_line: int = 1,
            fits: Callable[[str], bool] | None = None) -> Iterator[tuple[int, str]]:
    """(first line number, raw record text) for every record; a record may span lines.

    A quoted cell that swallows the line break is taken for a stray quote, and its first line
    becomes a record of its own (reading goes on with the next line), when it is still open
    after MAX_RECORD_LINES lines, or when `fits` (e.g. the right number of cells) holds for the
    first line alone but not for the lines joined. One broken row never swallows the rest.
    """
    pending: list[tuple[int, str]] = []
    inside = False
    lines = enumerate(text, start=first_line)
    replay: list[tuple[int, str]] = []
    while True:
        numbered = replay.pop(0) if replay else next(lines, None)
        if numbered is None:  # end of file: what is pending ends here, as it is
            if not pending:
                return
        else:
            pending.append(numbered)
            inside = _ends_inside_quotes(numbered[1], inside)
            if inside and len(pending) < MAX_RECORD_LINES:
                continue
        start, first = pending[0][0], pending[0][1].rstrip("\r\n")
        joined = first if len(pending) == 1 else "".join(
            line for _, line in pending).rstrip("\r\n")
        if len(pending) > 1 and (inside or (fits is not None and not fits(joined)
                                             and fits(first))):
            yield start, first
            replay = pending[1:] + replay
        else:
            yield start, joined
        pending, inside = [], False


def split_cells(record: str) -> list[str]:
    """The cells of one record, unquoted and trimmed."""
    cells: list[str] = []
    pos = 0
    while True:
        match = _CELL.match(record, pos)
        assert match is not None  # the pattern matches the empty string
        formula, quoted, plain = match.groups()
        if formula is not None:
            value = formula.replace('""', '"')
        elif quoted is not None:
            value = quoted.replace('""', '"')
        else:
            value = plain or ""
        pos = match.end()
        # Text after a closing quote up to the next `;` belongs to the cell (lenient reading):
        # in `="5" Zoll"` the first closing quote was an undoubled quote inside the text.
        next_sep = record.find(";", pos)
        rest = record[pos:] if next_sep == -1 else record[pos:next_sep]
        if rest.endswith('"') and (formula is not None or quoted is not None):
            value += '"' + rest[:-1]
        else:
            value += rest
        cells.append(clean(value))
        if next_sep == -1:
            return cells
        pos = next_sep + 1


def clean(value: str) -> str:
    """NFC, no control characters, no invisible format characters, single spaces."""
    if not value.isascii():
        value = strip_invisible(unicodedata.normalize("NFC", value))
    return _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()


def header_key(name: str) -> str:
    """A header name reduced for matching: lower case, no spaces."""
    return re.sub(r"\s+", "", clean(name).lower())


def parse_amount(value: str) -> Decimal | None:
    """A German amount in euros; empty or 0 means "not disclosed" and gives None."""
    amount = german_formats.parse_amount(value, plain=False)
    return amount.quantize(Decimal("0.01")) if amount else None


def parse_date(value: str) -> date | None:
    """`TT.MM.JJJJ` (or ISO `JJJJ-MM-TT`); empty gives None."""
    if not value:
        return None
    try:
        if _ISO_DATE.match(value):
            return date.fromisoformat(value)
        match = _DATE.match(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            result = date(year, month, day)
            if 1949 <= result.year <= 2100:
                return result
            raise ValueError
    except ValueError:
        pass
    raise ValueError(f"„{value}“ ist kein gültiges Datum (erwartet TT.MM.JJJJ)")
