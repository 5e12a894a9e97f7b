"""Back up and restore the site: the database and the uploads, in one .tar archive.

    python scripts/backup.py backup [ARCHIVE]          (make backup [BACKUP=path])
    python scripts/backup.py restore ARCHIVE [--force] (make restore BACKUP=path [FORCE=1])

The database is the one DATABASE_URL names, copied with its own tools, consistent while
the site runs: `pg_dump -Fc` for PostgreSQL (restored with `pg_restore`), SQLite's online
backup API for SQLite. The archive holds `manifest.json`, the dump (`database.pgdump` or
`database.sqlite3`) and `media/`, the files under MEDIA_ROOT. docs/operations.md has the
procedure.

Restore refuses to overwrite a database that holds tables, or a MEDIA_ROOT that holds
files, unless --force is given: then both are replaced by the archive's contents.
"""

import argparse
import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


class BackupError(Exception):
    """A problem the operator can fix: printed as one line, exit status 1."""


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    return connection, Path(settings.MEDIA_ROOT)


def _pg_args(db):
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432)]
    if db["USER"]:
        args += ["-U", db["USER"]]
    return args


def _pg_env(db):
    return {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {})}


def _run(command, env=None):
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} was not found: install the PostgreSQL client tools "
            "(the server's major version or newer)."
        ) from None
    if result.returncode:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _table_count(connection):
    with connection.cursor() as cursor:
        return len(connection.introspection.table_names(cursor))


def _media_files(media_root):
    if not media_root.is_dir():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file())


def backup(archive):
    connection, media_root = _setup_django()
    db, vendor = connection.settings_dict, connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"no backup method for a {vendor} database")
    archive = Path(archive or ROOT / "backups" / f"worthwatching-{_stamp()}.tar")
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / DUMP_NAMES[vendor]
        if vendor == "postgresql":
            _run(
                ["pg_dump", "-Fc", "--no-owner", "--no-privileges", *_pg_args(db)]
                + ["-d", db["NAME"], "-f", str(dump)],
                env=_pg_env(db),
            )
        else:
            if not Path(db["NAME"]).is_file():
                raise BackupError(f"the SQLite database {db['NAME']} does not exist")
            source, target = sqlite3.connect(db["NAME"]), sqlite3.connect(dump)
            with target:
                source.backup(target)  # a consistent copy, even while workers write
            source.close()
            target.close()
        files = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "database": vendor,
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "media_files": len(files),
        }
        (Path(scratch) / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(Path(scratch) / "manifest.json", "manifest.json")
            tar.add(dump, dump.name)
            for path in files:
                tar.add(path, f"media/{path.relative_to(media_root).as_posix()}")
        partial.replace(archive)  # never a half-written archive under the real name
    size = archive.stat().st_size / (1024 * 1024)
    print(
        f"Backed up the {VENDOR_NAMES[vendor]} database {db['NAME']} and {len(files)} "
        f"media files to {archive} ({size:.1f} MB)."
    )


def _read_manifest(tar):
    try:
        manifest = json.load(tar.extractfile("manifest.json"))
    except (KeyError, ValueError):
        raise BackupError("this is not a Worth Watching backup (no manifest.json)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _ensure_pg_database(connection):
    """Create the target PostgreSQL database if it does not exist yet."""
    from django.db import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError as exc:
        if "does not exist" not in str(exc):
            raise BackupError(f"cannot connect to the database: {exc}") from None
        name = connection.settings_dict["NAME"]
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        print(f"Created the empty database {name}.")


def restore(archive, *, force):
    connection, media_root = _setup_django()
    db, vendor = connection.settings_dict, connection.vendor
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    with tarfile.open(archive) as tar, tempfile.TemporaryDirectory() as scratch:
        manifest = _read_manifest(tar)
        if manifest["database"] != vendor:
            raise BackupError(
                f"this archive holds a {VENDOR_NAMES[manifest['database']]} database but "
                f"DATABASE_URL points at {VENDOR_NAMES.get(vendor, vendor)}: point it at a "
                f"{VENDOR_NAMES[manifest['database']]} database"
            )
        # Both checks before anything changes.
        if vendor == "postgresql":
            _ensure_pg_database(connection)
        tables, media = _table_count(connection), _media_files(media_root)
        if (tables or media) and not force:
            held = " and ".join(
                part
                for part in (
                    tables and f"the database {db['NAME']} holds {tables} tables",
                    media and f"{media_root} holds {len(media)} files",
                )
                if part
            )
            raise BackupError(
                f"refusing to restore: {held}. Restore into an empty database, or add "
                "--force (make restore FORCE=1) to replace them with the archive's contents."
            )
        tar.extractall(scratch, filter="data")
        dump = Path(scratch) / DUMP_NAMES[vendor]
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            connection.close()
            _run(
                ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
                + ["--single-transaction", *_pg_args(db), "-d", db["NAME"], str(dump)],
                env=_pg_env(db),
            )
        else:
            connection.close()
            source, target = sqlite3.connect(dump), sqlite3.connect(db["NAME"])
            with target:
                source.backup(target)  # replaces every page of the target
            source.close()
            target.close()
        if media_root.exists():
            shutil.rmtree(media_root)
        restored_media = Path(scratch) / "media"
        if restored_media.is_dir():
            shutil.copytree(restored_media, media_root)
        else:
            media_root.mkdir(parents=True)
    print(
        f"Restored the {VENDOR_NAMES[vendor]} database {db['NAME']} and "
        f"{manifest['media_files']} media files from {archive} (made {manifest['created']})."
    )


def _stamp():
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write the database and uploads to a .tar")
    make.add_argument("archive", nargs="?", help="default: backups/worthwatching-<UTC time>.tar")
    put = commands.add_parser("restore", help="put a backup's database and uploads back")
    put.add_argument("archive")
    put.add_argument(
        "--force", action="store_true", help="replace a database or MEDIA_ROOT that holds data"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            backup(args.archive)
        else:
            restore(args.archive, force=args.force)
    except (BackupError, tarfile.TarError) as exc:
        sys.exit(f"{args.command}: {exc}")


if __name__ == "__main__":
    main()
