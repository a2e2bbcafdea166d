"""花名册 (party-member roster) import and export.

An import is two steps, so nobody writes 60 people by accident:

1. `roster_import_create` reads and checks the uploaded workbook (`parse_roster`, a pure read) and stores
   a RosterImport with the normalised rows, every problem found (row + column + message) and a summary.
2. `roster_import_commit` writes a clean preview all-or-nothing, with a constant number of queries.

`export_roster` writes the same columns back out, so an exported file re-imports cleanly.

Real rosters are typed by hand in Excel: a merged title row, the header somewhere near the top, dates in
half a dozen shapes, a signature line under the table, and ID numbers that Excel may have turned into
floats (`4.10822197910282e+17`, last digits gone) — those are reported, never "repaired".

One module per step: `columns` (the header and the cell labels), `dates`, `parsing` and `checks` (a pure
read of the file), `service` (the two writes) and `export` (the file written back). Import from the
package (`from members.roster import roster_import_commit`); the pages import it lazily, by this name.
"""

from .columns import (
    COLUMNS,
    FILE_COLUMN,
    FLOAT_ID_MESSAGE,
    HEADER_SCAN_ROWS,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    MAX_UNPACKED_BYTES,
    NOT_YOURS_MESSAGE,
    REQUIRED_COLUMNS,
    UNKNOWN_EMPLOYER_MESSAGE,
)
from .dates import DateCellError, format_birth_month, parse_date_cell
from .export import export_roster
from .parsing import ParsedRoster, parse_roster
from .problems import group_problems, problems_workbook
from .service import own_rows_importable, roster_import_commit, roster_import_create

__all__ = [
    "COLUMNS",
    "FILE_COLUMN",
    "FLOAT_ID_MESSAGE",
    "HEADER_SCAN_ROWS",
    "MAX_DATA_ROWS",
    "MAX_FILE_BYTES",
    "MAX_UNPACKED_BYTES",
    "NOT_YOURS_MESSAGE",
    "REQUIRED_COLUMNS",
    "UNKNOWN_EMPLOYER_MESSAGE",
    "DateCellError",
    "ParsedRoster",
    "export_roster",
    "format_birth_month",
    "group_problems",
    "own_rows_importable",
    "problems_workbook",
    "parse_date_cell",
    "parse_roster",
    "roster_import_commit",
    "roster_import_create",
]
