"""A workspace: a folder holding the DuckDB database, its config and its maps.

``Workspace.open`` applies pending migrations in one transaction and turns DuckDB's
file-lock error into :class:`WorkspaceBusy`, naming the process that holds it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from journeyscope.errors import DocumentError, InputError, Location, WorkspaceBusy, WorkspaceError
from journeyscope.events.schema import MIGRATIONS, SCHEMA_VERSION
from journeyscope.events.write_gate import writers_first
from journeyscope.maps.io import parse

DB_NAME = "journeyscope.duckdb"
CONFIG_NAME = "workspace.yaml"
ENV_WORKSPACE = "JOURNEYSCOPE_WORKSPACE"


class IdentityConfig(BaseModel):
    """How identifiers are normalised and linked."""

    model_config = ConfigDict(extra="forbid")

    default_region: str = Field("VN", description="Region for phone numbers without +country.")
    max_links: int = Field(
        20,
        ge=1,
        description="An identifier linked to more distinct values of one other type than this "
        "(a shop's shared tablet, a placeholder phone) is excluded from linking.",
    )
    relative_links: float = Field(
        4.0,
        ge=0,
        description="Also excluded: an identifier linked to more values of one other type "
        "than this many times what 99% of its type have (at least 5; 0: off; docs/identity.md).",
    )
    deny: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_DENY.items()},
        description="Values that are never identifiers, per type (`any`: every type); "
        "case-insensitive, one `*` matches anything; a type given replaces its default list.",
    )
    deny_repeated_digits: int = Field(
        6,
        ge=0,
        description="An id or phone number (its national part) of one digit repeated at least "
        "this many times (0000000000, 0999999999) is a placeholder; 0: off.",
    )

    @field_validator("deny", mode="before")
    @classmethod
    def _deny_over_defaults(cls, value: object) -> object:
        """A type the user lists replaces its default list; the others keep theirs."""
        from journeyscope.events.schema import IDENTIFIER_TYPES

        if not isinstance(value, dict):
            return value
        unknown = sorted(set(value) - {"any", *IDENTIFIER_TYPES})
        if unknown:
            raise ValueError(
                f"unknown identifier type {unknown[0]!r} (any, {', '.join(IDENTIFIER_TYPES)})"
            )

        def text(entry: object) -> object:  # YAML reads null, 0, no as None, 0, False
            if entry is None or isinstance(entry, bool | int | float):
                return "null" if entry is None else str(entry).lower()
            return entry

        given = {k: [text(e) for e in v] if isinstance(v, list) else v for k, v in value.items()}
        return {**DEFAULT_DENY, **given}


#: placeholders and null markers people and exports write where an identifier is missing
DEFAULT_DENY: dict[str, list[str]] = {
    "any": ["null", "none", "nil", "nan", "n/a", "na", "#n/a", "(null)", "-", "--", "?", ".",
            "0", "unknown", "undefined", "test", "không", "không có", "chưa có"],
    "email": ["test@*", "noemail@*", "no-email@*", "no_email@*", "none@*", "null@*",
              "noreply@*", "no-reply@*", "khongco@*", "email@email.com", "abc@abc.com",
              "a@a.com", "example@example.com"],
    "phone": ["0123456789", "1234567890", "0987654321"],
}  # fmt: skip


class EventRoles(BaseModel):
    """What some events mean to the reports: contacts with customer service (repeat-contact
    rate in `touchpoints`) and passive events the business sends (not customer activity:
    no drop-off, no sign of life in churn)."""

    model_config = ConfigDict(extra="forbid")

    contacts: list[str] = Field(
        default_factory=lambda: ["support_call", "complaint", "chat", "zalo_message", "ticket"],
        description="Events that are a customer contacting customer service (hotline, chat, "
        "Zalo, complaint, ...).",
    )
    passive: list[str] = Field(
        default_factory=lambda: [
            "ad_impression",
            "message_sent",
            "email_sent",
            "order_delivered",
            "delivery_late",
        ],
        description="Events sent to or happening to a customer rather than done by them.",
    )


class SparkConfig(BaseModel):
    """Where the Spark engine runs and reads (docs/scale-out.md)."""

    model_config = ConfigDict(extra="forbid")

    master: str = Field("local[*]", description="local[N], spark://host:7077, yarn, ...")
    dataset: str | None = Field(
        None,
        description="The events as an export-parquet dataset (a folder or a lake URI); "
        "a relative path is read from the workspace folder.",
    )
    source: str | None = Field(
        None,
        description="Raw events (Parquet with our field names) that `identity resolve` "
        "on Spark reads to write the dataset; relative to the workspace folder.",
    )


class SessionConfig(BaseModel):
    """What a session is when a report follows sessions (``--per session``) and no option
    says: an inactivity gap, or a field holding a session id (docs/analytics.md#sessions)."""

    model_config = ConfigDict(extra="forbid")

    gap: str = Field("30m", description="Inactivity that ends a session (30m, 1h, ...).")
    column: str | None = Field(
        None,
        description="A field holding the session id (e.g. properties.session_id); "
        "when set, it is the rule instead of the gap.",
    )


class InsightsConfig(BaseModel):
    """What ``journeyscope insights`` scans (docs/insights.md)."""

    model_config = ConfigDict(extra="forbid")

    funnels: list[str] = Field(
        default_factory=list,
        description="Key funnels, each as --steps (e.g. product_view,add_to_cart,checkout,"
        "purchase); empty: the usual shop funnel, with the steps the data has.",
    )
    stage_model: str | None = Field(
        "retail5", description="Stage model whose stage-to-stage conversions are scanned."
    )
    slices: list[str] = Field(
        default_factory=lambda: ["channel", "source", "platform", "device_type", "segment"],
        description="Fields every number is broken down by (a property or `segment`); those "
        "the data lacks are skipped.",
    )
    conversion: str = Field("purchase", description="The event that counts as converting.")
    window: str = Field("1d", description="A funnel step converts within this of the step before.")
    stage_window: str = Field("14d", description="A stage converts within this.")
    convert_within: str = Field("7d", description="A new customer converts within this.")
    repeat_within: str = Field("60d", description="A first buyer buys again within this.")
    sensitivity: Literal["low", "medium", "high"] = "medium"
    calendar: dict[str, str] = Field(
        default_factory=dict,
        description="Extra days that differ by design (YYYY-MM-DD: name), e.g. a brand's "
        "anniversary sale; Tết, double-day and payday sales are built in.",
    )


class WorkspaceConfig(BaseModel):
    """``workspace.yaml``: the settings every command of a workspace shares."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = "Asia/Ho_Chi_Minh"
    currency: str = "VND"
    language: str = "vi"
    engine: Literal["duckdb", "spark"] = "duckdb"
    spark: SparkConfig = Field(default_factory=SparkConfig)
    identity: IdentityConfig = Field(default_factory=IdentityConfig)
    channels: dict[str, str] = Field(
        default_factory=dict,
        description="Extra channels of this business: id -> label (added to the catalogue).",
    )
    events: EventRoles = Field(default_factory=EventRoles)
    insights: InsightsConfig = Field(default_factory=InsightsConfig)
    sessions: SessionConfig = Field(default_factory=SessionConfig)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Ho_Chi_Minh)") from exc
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in {"en", "vi"}:
            raise ValueError("language must be en or vi")
        return value


def resolve_workspace(path: Path | str | None) -> Path:
    """The workspace folder: the argument, else ``$JOURNEYSCOPE_WORKSPACE``."""
    if path is None:
        env = os.environ.get(ENV_WORKSPACE)
        if not env:
            raise WorkspaceError(
                "no workspace given",
                "chưa chỉ định workspace",
                hint_en=f"pass -w DIR or set {ENV_WORKSPACE}; "
                "create one with `journeyscope init -w DIR`",
                hint_vi=f"dùng -w THƯ_MỤC hoặc đặt {ENV_WORKSPACE}; "
                "tạo bằng `journeyscope init -w THƯ_MỤC`",
                code="no_workspace",
            )
        path = env
    return Path(path)


def read_config(root: Path) -> WorkspaceConfig:
    file = root / CONFIG_NAME
    if not file.exists():
        return WorkspaceConfig()
    try:
        # the bounded parser of every document: an alias bomb is refused at once
        data = parse(file.read_text(encoding="utf-8"), str(file), unique_keys=False)[0] or {}
        return WorkspaceConfig.model_validate(data)
    except DocumentError as exc:
        raise InputError(
            f"workspace config: {exc.message_en}",
            f"cấu hình workspace: {exc.message_vi}",
            location=exc.location or Location(str(file)),
            hint_en="fix the line, or delete workspace.yaml to get the defaults back",
            hint_vi="sửa dòng đó, hoặc xoá workspace.yaml để dùng lại giá trị mặc định",
            code="invalid_config",
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(
            f"workspace config is not valid YAML: {exc}",
            f"cấu hình workspace không phải YAML hợp lệ: {exc}",
            location=Location(str(file), line),
            hint_en="fix the line, or delete workspace.yaml to get the defaults back",
            hint_vi="sửa dòng đó, hoặc xoá workspace.yaml để dùng lại giá trị mặc định",
            code="invalid_config",
        ) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"workspace config: {first['msg']}",
            f"cấu hình workspace: {first['msg']}",
            location=Location(str(file), field=field),
            hint_en="fix the value or delete the line to use the default",
            hint_vi="sửa giá trị hoặc xoá dòng đó để dùng mặc định",
            code="invalid_config",
        ) from exc


def _lock_holder(message: str) -> str:
    match = re.search(r"PID (\d+)", message)
    return match.group(1) if match else "?"


LOCK_WAIT_SECONDS = 5.0


def connect(db_file: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database; a lock held longer than a short wait becomes :class:`WorkspaceBusy`.

    DuckDB lets one process write or several read, never both. A short command holding the
    file (a report, a stats call) should make the next one wait a moment, not fail, so the
    lock is retried for ``JOURNEYSCOPE_LOCK_WAIT`` seconds (default 5).
    """
    wait = float(os.environ.get("JOURNEYSCOPE_LOCK_WAIT", LOCK_WAIT_SECONDS))
    deadline = time.monotonic() + wait
    # a waiting writer goes before new readers (the server reads all day): write_gate.py
    with writers_first(db_file, write=not read_only, deadline=deadline):
        return _connect_retrying(db_file, read_only, deadline)


def _connect_retrying(db_file: Path, read_only: bool, deadline: float) -> duckdb.DuckDBPyConnection:
    pause = 0.05
    while True:
        try:
            con = duckdb.connect(str(db_file), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            # another process holds the file; or this one has it open the other way
            # (read-only while we write, say: a server's scan ahead), which passes as soon
            # as that connection closes, as a lock does
            same_process = isinstance(exc, duckdb.ConnectionException)
            if same_process and "different configuration" not in str(exc):
                raise
            if not same_process and "lock" not in str(exc).lower():
                raise _unusable_folder(db_file.parent, exc) from exc
            if time.monotonic() + pause >= deadline:
                raise _busy(db_file, str(exc), here=same_process) from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
            continue
        con.execute("SET TimeZone = 'UTC'")
        # DuckDB draws its own bar on stdout after 2 s, which would corrupt --json output;
        # our commands show progress themselves (from query_progress)
        con.execute("SET enable_progress_bar_print = false")
        return con


def _busy(db_file: Path, message: str, *, here: bool = False) -> WorkspaceBusy:
    """``here``: this process has the file open the other way (a server reading ahead)."""
    if here:
        pid = str(os.getpid())
        en = f"the workspace is still open for reading in this process (PID {pid})"
        vi = f"workspace vẫn đang được mở để đọc trong tiến trình này (PID {pid})"
    else:
        pid = _lock_holder(message)
        en = f"the workspace is in use by another process (PID {pid})"
        vi = f"workspace đang được một tiến trình khác sử dụng (PID {pid})"
    return WorkspaceBusy(
        en,
        vi,
        location=Location(str(db_file.parent)),
        hint_en="wait for that command (an import, a resolve) to finish, then run this again",
        hint_vi="đợi lệnh đó (nhập dữ liệu, gộp định danh) chạy xong rồi chạy lại",
    )


def _applied_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0]
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection, where: Path) -> list[int]:
    """Apply every migration newer than the database, all in one transaction."""
    current = _applied_version(con)
    if current > SCHEMA_VERSION:
        raise WorkspaceError(
            f"the workspace has schema version {current}; this JourneyScope knows up to "
            f"{SCHEMA_VERSION}",
            f"workspace có phiên bản lược đồ {current}; bản JourneyScope này chỉ biết đến "
            f"{SCHEMA_VERSION}",
            location=Location(str(where)),
            hint_en="upgrade JourneyScope (pip install -U journeyscope)",
            hint_vi="hãy nâng cấp JourneyScope (pip install -U journeyscope)",
            code="workspace_too_new",
        )
    pending = [m for m in MIGRATIONS if m[0] > current]
    if not pending:
        return []
    con.execute("BEGIN TRANSACTION")
    try:
        for version, name, sql in pending:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [version, name, datetime.now(UTC).replace(tzinfo=None)],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return [m[0] for m in pending]


@dataclass
class Workspace:
    """An open workspace: its folder, config and a DuckDB connection."""

    root: Path
    config: WorkspaceConfig
    con: duckdb.DuckDBPyConnection
    read_only: bool = False

    @property
    def db_file(self) -> Path:
        return self.root / DB_NAME

    @classmethod
    def init(cls, root: Path, config: WorkspaceConfig | None = None) -> Workspace:
        """Create (or upgrade) a workspace folder; an existing config is kept."""
        try:
            root.mkdir(parents=True, exist_ok=True)
            (root / "maps").mkdir(exist_ok=True)
            cfg_file = root / CONFIG_NAME
            if not cfg_file.exists():
                cfg = config or WorkspaceConfig()
                cfg_file.write_text(
                    "# JourneyScope workspace settings (docs/data.md)\n"
                    + yaml.safe_dump(cfg.model_dump(), allow_unicode=True, sort_keys=False),
                    encoding="utf-8",
                )
        except OSError as exc:  # the path is a file, or the place is read-only
            raise _unusable_folder(root, exc) from exc
        return cls.open(root, create=True)

    @classmethod
    def open(
        cls, root: Path | str | None, *, read_only: bool = False, create: bool = False
    ) -> Workspace:
        folder = resolve_workspace(root)
        db_file = folder / DB_NAME
        if not create and not db_file.exists():
            raise _missing_error(folder)
        config = read_config(folder)
        con = connect(db_file, read_only=read_only)
        try:
            if not read_only:
                migrate(con, folder)
            else:
                _check_read_only_version(con, folder)
        except BaseException:
            con.close()
            raise
        return cls(folder, config, con, read_only)

    def close(self) -> None:
        self.con.close()

    def stamp(self) -> tuple[tuple[str, int, int], ...]:
        """The size and modification time of every entry of the folder: the DuckDB file
        and its write-ahead log change with every committed write, whoever writes (the
        server's loader, a CLI ``ingest`` or ``identity resolve``), ``workspace.yaml`` and
        ``segments.yaml`` with the settings. What a long-lived process kept from the data
        holds while the stamp is the same."""
        entries = []
        with os.scandir(self.root) as found:
            for entry in found:
                info = entry.stat()
                entries.append((entry.name, info.st_size, info.st_mtime_ns))
        return tuple(sorted(entries))

    def compact(self) -> None:
        """Rewrite the database into a fresh file and swap it in.

        DuckDB leaves deleted rows in freed blocks until they are reused; after forgetting a
        person the old bytes must not stay in the file, so everything live is copied out.

        The swap happens under the lock writers wait on (DuckDB's lock on the file, which
        :func:`connect` retries by path): the fresh file is opened — and so locked — before
        it is renamed over the old one, and the old file is let go only after the rename. A
        waiting writer therefore finds the old file or the fresh one locked, never an
        unlocked file, and when it gets in it has opened the fresh one: its data cannot land
        in the replaced file (tests/identity/test_forget.py runs such a writer).
        """
        fresh = self.root / f".{DB_NAME}.compact"
        for leftover in (fresh, Path(f"{fresh}.wal")):
            leftover.unlink(missing_ok=True)
        literal = str(fresh).replace("'", "''")
        self.con.execute("CHECKPOINT")
        self.con.execute(f"ATTACH '{literal}' AS fresh")
        try:
            name = str(self.scalar("SELECT current_database()")).replace('"', '""')
            self.con.execute(f'COPY FROM DATABASE "{name}" TO fresh')
        finally:
            self.con.execute("DETACH fresh")
        hold = duckdb.connect(str(fresh))  # lock the fresh file before its name is visible
        try:
            fresh.replace(self.db_file)
            self.con.close()  # nothing left to write: checkpointed above
        finally:
            hold.close()
        Path(f"{fresh}.wal").unlink(missing_ok=True)
        self.con = connect(self.db_file, read_only=self.read_only)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One DuckDB transaction: committed whole, or rolled back whole."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    @contextmanager
    def scratch(self, *tables: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """Temporary tables of one computation, dropped however it ends."""
        try:
            yield self.con
        finally:
            for table in tables:
                self.con.execute(f"DROP TABLE IF EXISTS {table}")

    def one(self, sql: str, params: Any = None) -> tuple[Any, ...] | None:
        """The first row, fetching everything so no open result blocks the next statement."""
        rows = self.con.execute(sql, params if params is not None else []).fetchall()
        return tuple(rows[0]) if rows else None

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        rows = self.con.execute(sql, params or []).fetchall()  # fetch all: leave no open result
        return rows[0][0] if rows else None

    def audit(self, action: str, detail: str) -> None:
        """Append an audit record; ``detail`` is JSON and must hold no personal data."""
        self.con.execute(
            "INSERT INTO audit_log VALUES (?, ?, ?)",
            [datetime.now(UTC).replace(tzinfo=None), action, detail],
        )


def _check_read_only_version(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """A read-only command cannot migrate: say so instead of failing on a missing table."""
    has_table = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'"
    ).fetchall()[0]
    row = (
        con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0]
        if has_table and has_table[0]
        else None
    )
    version = int(row[0] or 0) if row else 0
    if version != SCHEMA_VERSION:
        raise WorkspaceError(
            f"the workspace has schema version {version}; this JourneyScope uses {SCHEMA_VERSION}",
            f"workspace có phiên bản lược đồ {version}; bản JourneyScope này dùng {SCHEMA_VERSION}",
            location=Location(str(folder)),
            hint_en=f"run `journeyscope init -w {folder}` once to upgrade it "
            "(or upgrade JourneyScope if the workspace is newer)",
            hint_vi=f"chạy `journeyscope init -w {folder}` một lần để nâng cấp "
            "(hoặc nâng cấp JourneyScope nếu workspace mới hơn)",
            code="workspace_outdated",
        )


def _unusable_folder(folder: Path, exc: Exception) -> WorkspaceError:
    """A workspace path that cannot be used: a file, a read-only place, a broken database."""
    reason = getattr(exc, "strerror", None) or str(exc).split("\n", 1)[0]
    what_en = "is a file, not a folder" if folder.is_file() else f"cannot be used ({reason})"
    what_vi = (
        "là một tệp, không phải thư mục" if folder.is_file() else f"không dùng được ({reason})"
    )
    return WorkspaceError(
        f"the workspace {folder} {what_en}",
        f"workspace {folder} {what_vi}",
        location=Location(str(folder)),
        hint_en="choose a folder you can write to (-w DIR), e.g. a new one",
        hint_vi="hãy chọn một thư mục ghi được (-w THƯ_MỤC), ví dụ một thư mục mới",
    )


def _missing_error(folder: Path) -> WorkspaceError:
    return WorkspaceError(
        f"{folder} is not a JourneyScope workspace (no {DB_NAME})",
        f"{folder} không phải workspace JourneyScope (thiếu {DB_NAME})",
        location=Location(str(folder)),
        hint_en=f"create it with `journeyscope init -w {folder}`",
        hint_vi=f"tạo bằng `journeyscope init -w {folder}`",
        code="not_a_workspace",
    )
