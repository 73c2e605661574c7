"""Plain-text tables and sizes for the command line: one look for `course shelf list`, `course check` and the bench."""

from __future__ import annotations


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def format_table(rows: list[tuple], *, rule: bool = True, right: tuple[int, ...] = ()) -> str:
    """Columns padded to their widest cell, a rule under the first row; the last column is never padded.

    `right` names the columns (by index) to align right, as numbers are.
    """
    cells = [[str(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells if i < len(row)) for i in range(max(map(len, cells)))]
    lines = []
    for number, row in enumerate(cells):
        padded = [value.rjust(widths[i]) if i in right else value.ljust(widths[i]) for i, value in enumerate(row)]
        lines.append("  ".join(padded).rstrip())
        if rule and number == 0:
            lines.append("  ".join("-" * width for width in widths[: len(row)]))
    return "\n".join(lines)
