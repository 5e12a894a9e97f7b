"""Importing film catalogues: the file format, one module per source, validation, the writer.

Three stages, so that a bad row never half-writes a film:

1. **Read** (`format`, `bokeh`): a source becomes `SourceRow`s; a broken file raises
   `ImportFileError` before anything is written.
2. **Validate** (`validation`): `parse_rows()` gives a `MovieRecord` for each good row and a
   `RowError` with every reason for each bad one.
3. **Write** (`writer`): `import_records()` creates or updates the films in batches, one
   import at a time (`lock`).

The file format (version 1) is described in docs/importing.md.
"""

from movies.importing.bokeh import read_bokeh_sampledata
from movies.importing.format import (
    COLUMNS,
    FORMAT_NAME,
    FORMAT_VERSION,
    LIST_SEPARATOR,
    ImportFileError,
    SourceRow,
    movie_rows,
    read_csv,
    read_data,
    read_jsonl,
    read_path,
    write_csv,
    write_jsonl,
)
from movies.importing.lock import ImportBusy, import_lock
from movies.importing.validation import (
    MovieRecord,
    RowError,
    canonical_genre,
    parse_row,
    parse_rows,
)
from movies.importing.writer import ImportResult, import_records

__all__ = [
    "COLUMNS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "LIST_SEPARATOR",
    "ImportBusy",
    "ImportFileError",
    "ImportResult",
    "MovieRecord",
    "RowError",
    "SourceRow",
    "canonical_genre",
    "import_lock",
    "import_records",
    "movie_rows",
    "parse_row",
    "parse_rows",
    "read_bokeh_sampledata",
    "read_csv",
    "read_data",
    "read_jsonl",
    "read_path",
    "write_csv",
    "write_jsonl",
]
