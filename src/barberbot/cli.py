"""The `barberbot` command: serve, demo data, shops, users, tokens, exports, migrations."""

from __future__ import annotations

import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from prometheus_client import start_http_server

from barberbot.auth import cli as access_cli
from barberbot.auth import service as auth
from barberbot.campaigns.cli import app as campaigns_app
from barberbot.campaigns.cli import customers_app
from barberbot.campaigns.sender import Sender
from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.core.logging import configure_logging
from barberbot.core.settings import Settings
from barberbot.demo.data import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG, load_demo
from barberbot.forms import service as forms
from barberbot.forms.store import AnswerStore, AnswersUnavailable
from barberbot.forms.stores import answer_store_for
from barberbot.imports import type_choices
from barberbot.imports.importer import ImportPlan, plan_import, store_plan
from barberbot.imports.reader import FileInvalid, Table, read_table
from barberbot.imports.terminal import TypeOptions, report_added, report_notes
from barberbot.inbox.sender import inbox_sending
from barberbot.inquiries import export as exports
from barberbot.inquiries import service as inquiries
from barberbot.inquiries.filters import InquiryFilters
from barberbot.models import Role
from barberbot.shops import service as shops
from barberbot.streaming.topics import ensure_topics
from barberbot.streaming.worker import Worker

app = typer.Typer(help="BarberBot: capture barbershop inquiries and win customers back.")
shop_app = typer.Typer(help="Manage shops.")
user_app = typer.Typer(help="Manage users who sign in to shops.")
token_app = typer.Typer(help="Manage API tokens.")
db_app = typer.Typer(help="Manage the database schema.")
app.add_typer(shop_app, name="shop")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(db_app, name="db")
app.add_typer(campaigns_app, name="campaigns")
app.add_typer(customers_app, name="customers")
access_cli.register(user_app, token_app, shop_app)  # list, set-password, remove, revoke


def _settings() -> Settings:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    return settings


def _database(settings: Settings) -> Database:
    return Database.from_url(settings.resolved_database_url)


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Create or migrate the database schema."""
    settings = _settings()
    db = _database(settings)
    migrate.upgrade(db.engine, revision)
    typer.echo(f"Database at {db.engine.url.render_as_string()} is at {revision}.")


@app.command()
def demo(
    count: Annotated[int, typer.Option(help="How many inquiries to invent.")] = 300,
) -> None:
    """Load the demo shop, its inquiries and its owner login (once)."""
    settings = _settings()
    with _database(settings).transaction() as session:
        summary = load_demo(session, count=count)
    if summary.created:
        typer.echo(f"Demo shop '{DEMO_SLUG}' created with {summary.inquiries} inquiries.")
    else:
        typer.echo(f"Demo shop '{DEMO_SLUG}' already exists; left as it is.")
    typer.echo(f"Owner login: {DEMO_EMAIL} / {DEMO_PASSWORD}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: BARBERBOT_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: BARBERBOT_PORT.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    sender: Annotated[
        bool | None,
        typer.Option(
            "--sender/--no-sender",
            help="Send campaigns from a background thread of this process. Default: "
            "BARBERBOT_SEND_IN_SERVE, else on unless Kafka is set up.",
        ),
    ] = None,
) -> None:
    """Serve the web form, the owner pages and the API (and send, where nothing else does)."""
    if sender is not None:  # the app is built from the environment, in each worker process
        os.environ["BARBERBOT_SEND_IN_SERVE"] = "true" if sender else "false"
    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    _print_welcome(settings, host, port)
    uvicorn.run(
        "barberbot.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        **proxy_options(settings),
    )


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn believes X-Forwarded-* only from the configured proxies (none by default)."""
    trusted = settings.forwarded_allow_ips.strip()
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}


def _print_welcome(settings: Settings, host: str, port: int) -> None:
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = settings.public_url.rstrip("/") or f"http://{shown_host}:{port}"
    with _database(settings).transaction() as session:
        has_demo = shops.by_slug(session, DEMO_SLUG) is not None
    lines = [f"BarberBot is starting on {base}", f"  Owner sign-in: {base}/login"]
    lines.append(f"  Dashboard:     {base}/dashboard/")
    if has_demo:
        lines += [
            f"  Demo web form: {base}/s/{DEMO_SLUG}/inquire",
            f"  Demo login:    {DEMO_EMAIL} / {DEMO_PASSWORD}",
        ]
    lines.append(f"  API docs:      {base}/docs")
    kept = _kept_locally(settings)
    if kept:
        lines.append(f"  Outbox:        {base}/outbox")
        lines.append(f"    ({kept})")
    typer.secho("\n".join(lines), fg=typer.colors.GREEN)


def _kept_locally(settings: Settings) -> str:
    """Why messages land in the outbox instead of going out, if they do."""
    no_mail, no_sms = not settings.has_mail_server, settings.sms_provider == "outbox"
    if no_mail and no_sms:
        return "no mail server or SMS provider set up: messages are kept there, not sent"
    if no_mail:
        return "no mail server set up: e-mail is kept there, not sent"
    if no_sms:
        return "no SMS provider set up: SMS are kept there, not sent"
    return ""


@campaigns_app.command("run")
def campaigns_run(
    until_idle: Annotated[
        bool, typer.Option(help="Stop when nothing is left to send (for cron and tests).")
    ] = False,
) -> None:
    """Send scheduled campaigns, throttled (BARBERBOT_CAMPAIGN_SEND_RATE per second), and the
    inbox's replies, acknowledgements and notifications to shop members.

    Safe to kill at any moment and to run more than once at a time: no message goes twice.
    SIGTERM stops it between two messages.
    """
    settings = _settings()
    db = _database(settings)
    stopping = threading.Event()
    inbox = inbox_sending(db, settings)(stopping)
    sender = Sender(db, settings, stopping=stopping, also=inbox)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: sender.stop())
    try:
        sender.run(until_idle=until_idle)
    finally:
        db.engine.dispose()


@app.command()
def worker() -> None:
    """Consume inquiries from Kafka and store them (needs BARBERBOT_KAFKA_BOOTSTRAP_SERVERS)."""
    settings = _settings()
    if not settings.streaming:
        raise _fail("Set BARBERBOT_KAFKA_BOOTSTRAP_SERVERS to run the worker.")
    created = ensure_topics(settings)
    if created:
        typer.echo(f"Created topics: {', '.join(created)}")
    if settings.worker_metrics_port:
        start_http_server(settings.worker_metrics_port, addr=settings.host)
    consumer = Worker(settings, _database(settings))
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: consumer.stop())
    consumer.run()


@app.command()
def desktop(
    workbook: Annotated[
        Path | None,
        typer.Option(
            help="The Excel workbook to keep (default: the settings, or the data folder)."
        ),
    ] = None,
    location: Annotated[
        str | None, typer.Option(help="Recorded with every inquiry (default: the settings).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="The settings file (default: in your config folder).")
    ] = None,
) -> None:
    """Open the front-counter window: works offline, keeps an Excel workbook, syncs."""
    from barberbot.desktop.app import run_desktop  # Tk is only needed here
    from barberbot.desktop.config import ConfigInvalid

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        run_desktop(settings.data_dir, config_file=config, workbook=workbook, location=location)
    except ConfigInvalid as invalid:
        raise _fail(f"The desktop settings cannot be used: {invalid}") from None


@shop_app.command("create")
def shop_create(
    slug: str,
    name: Annotated[str, typer.Option(help="The shop's name as customers know it.")],
    timezone: Annotated[str, typer.Option(help="IANA timezone, e.g. Europe/London.")] = "UTC",
    country: Annotated[
        str,
        typer.Option(
            help="ISO 3166-1 alpha-2 code, e.g. GB: phone numbers without a +country code are "
            "read as this country's. Default: the timezone's country ('none' for no country)."
        ),
    ] = shops.DEFAULT_COUNTRY,
) -> None:
    """Create a shop."""
    settings = _settings()
    try:
        with _database(settings).transaction() as session:
            shop = shops.create(
                session, slug=slug, name=name, timezone=timezone, country=_country(country)
            )
    except shops.ShopInvalid as error:
        raise _fail(str(error)) from None
    typer.echo(f"Shop '{shop.slug}' created. Its form: /s/{shop.slug}/inquire")
    typer.echo(_country_note(shop.country))


@shop_app.command("set-country")
def shop_set_country(
    slug: str,
    country: Annotated[str, typer.Argument(help="ISO 3166-1 alpha-2 code, e.g. GB, or 'none'.")],
) -> None:
    """Change the country a shop's phone numbers without a +country code are read in."""
    settings = _settings()
    try:
        with _database(settings).transaction() as session:
            found = shops.by_slug(session, slug)
            if found is None:
                raise _fail(f"Unknown shop {slug!r}.")
            shops.set_country(session, found, _country(country))
    except shops.ShopInvalid as error:
        raise _fail(str(error)) from None
    typer.echo(_country_note(found.country))


def _country(option: str) -> str | None:
    return None if option.strip().lower() == "none" else option


def _country_note(country: str | None) -> str:
    if country is None:
        return "No country: phone numbers must be given with their +country code."
    return f"Country {country}: phone numbers without a +country code are read as its."


@user_app.command("create")
def user_create(
    email: str,
    shop: Annotated[list[str], typer.Option(help="Slug of a shop the user may see (repeat).")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    role: Annotated[Role, typer.Option(help="owner or staff.")] = Role.OWNER,
    name: str = "",
) -> None:
    """Create a user and give them access to shops."""
    settings = _settings()
    try:
        with _database(settings).transaction() as session:
            found = [shops.by_slug(session, slug) for slug in shop]
            missing = [slug for slug, s in zip(shop, found, strict=True) if s is None]
            if missing:
                raise _fail(f"Unknown shop(s): {', '.join(missing)}")
            user = auth.create_user(session, email=email, password=password, name=name)
            for s in found:
                assert s is not None
                auth.grant(session, user, s, role)
    except auth.UserInvalid as error:
        raise _fail(str(error)) from None
    typer.echo(f"User {user.email} created ({role.value} of {', '.join(shop)}).")


@token_app.command("create")
def token_create(
    email: str, name: Annotated[str, typer.Option(help="What the token is for.")] = "api"
) -> None:
    """Create an API token for a user; it is shown once."""
    settings = _settings()
    with _database(settings).transaction() as session:
        user = auth.by_email(session, email)
        if user is None:
            raise _fail(f"No user with the e-mail {email}.")
        token = auth.create_token(session, user, name)
    typer.echo(token)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="An .xlsx or .csv file of inquiries.")],
    shop: Annotated[str, typer.Option(help="Shop slug.")],
    skip_invalid: Annotated[
        bool, typer.Option(help="Import the valid rows even if some are rejected.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Check every row; store nothing.")] = False,
    add_types: Annotated[
        bool, typer.Option(help="Add the file's inquiry types the shop does not have.")
    ] = False,
    map_type: Annotated[
        list[str] | None,
        typer.Option(
            help='"Label in the file=type key": import that type as one of the shop\'s '
            "(repeatable)."
        ),
    ] = None,
) -> None:
    """Import a spreadsheet of inquiries (the desktop workbook, or a shop's own) into a shop.

    All or nothing: if any row is rejected, nothing is stored (unless --skip-invalid), the
    types --add-types would add neither. Importing the same file again adds nothing.
    """
    if not file.is_file():
        raise _fail(f"No file {str(file)!r}.")
    settings = _settings()
    try:
        table = read_table(file)
    except FileInvalid as invalid:
        raise _fail(f"Nothing imported: {invalid}") from None
    answers = answer_store_for(settings)
    choices = TypeOptions(add_types, map_type or [])
    try:
        _import_table(settings, answers, table, file, shop, skip_invalid, dry_run, choices)
    except AnswersUnavailable:
        raise _fail("Nothing imported: the store of custom answers cannot be reached.") from None
    finally:
        answers.close()


def _import_table(
    settings: Settings,
    answers: AnswerStore,
    table: Table,
    file: Path,
    shop: str,
    skip_invalid: bool,
    dry_run: bool,
    type_options: TypeOptions,
) -> None:
    with _database(settings).transaction() as session:
        found = shops.by_slug(session, shop)
        if found is None:
            raise _fail(f"Unknown shop {shop!r}.")
        form = forms.current(session, found)
        try:
            types, unchosen = type_options.choose(session, found, table, dry_run)
        except type_choices.TypeChoicesInvalid as invalid:
            raise _fail(f"Nothing imported: {invalid}") from None
        with typer.progressbar(length=len(table.rows), label="Checking", file=sys.stderr) as bar:
            plan = plan_import(table, found, form=form, progress=bar.update, types=types)
        _report_rejected(plan)
        report_notes(plan)
        if plan.rejected and not skip_invalid:
            valid = len(table.rows) - len(plan.rejected)
            types_hint = ", add the inquiry types with --add-types" if unchosen else ""
            raise _fail(
                f"Nothing imported: {len(plan.rejected)} of {len(table.rows)} rows are not "
                f"valid. Correct them{types_hint}, or add --skip-invalid to import the other "
                f"{valid}."
            )
        if dry_run:
            typer.echo(f"Checked: {len(plan.captures)} inquiries can be imported (dry run).")
            report_added(types, "would be added")
            return
        with typer.progressbar(
            length=len(plan.captures), label="Importing", file=sys.stderr
        ) as bar:
            added = store_plan(session, plan, answers=answers, progress=bar.update)
    known = len(plan.captures) - added
    typer.echo(
        f"Imported {added} new inquiries into {found.name} from {file.name} "
        f"(sheet {table.sheet!r}); {known} were already there"
        + (f", {len(plan.repeats)} rows repeated earlier ones" if plan.repeats else "")
        + (f", {len(plan.rejected)} rows skipped" if plan.rejected else "")
        + "."
    )
    report_added(types, "added")
    if plan.answer_headers:
        typer.echo(f"Columns imported as answers: {', '.join(plan.answer_headers)}.")
    ignored = [name for name in table.columns.ignored if name not in plan.answer_headers]
    if ignored:
        typer.echo(f"Columns not imported: {', '.join(ignored)}.")


def _report_rejected(plan: ImportPlan) -> None:
    if not plan.rejected:
        return
    typer.secho(f"Rejected {len(plan.rejected)} rows:", fg=typer.colors.YELLOW, err=True)
    for rejected in plan.rejected:
        typer.echo(f"  {rejected.describe()}", err=True)


@app.command()
def report(
    out: Annotated[Path, typer.Option(help="The PDF to write; PNG charts go beside it.")],
    shop: Annotated[str | None, typer.Option(help="Shop slug.")] = None,
    owner: Annotated[
        str | None, typer.Option(help="A user's e-mail: every shop they may see, together.")
    ] = None,
    period: Annotated[str, typer.Option(help="7d, 30d, 90d or 365d, up to now.")] = "30d",
) -> None:
    """A PDF report of a shop's (or all of a user's shops') customers: the dashboard's figures
    and insights."""
    from barberbot.analytics import rollups
    from barberbot.analytics.filters import PRESETS, Selection, period_for
    from barberbot.analytics.report import write_report  # matplotlib is only needed here
    from barberbot.analytics.responses import response_times
    from barberbot.analytics.scope import ScopeUnknown, owner_scope, shop_scope
    from barberbot.analytics.summary import summarise

    if (shop is None) == (owner is None):
        raise _fail("Give exactly one of --shop SLUG or --owner EMAIL.")
    if period not in PRESETS:
        raise _fail(f"--period must be one of {', '.join(PRESETS)}.")
    if out.suffix.lower() != ".pdf":
        raise _fail("--out must be a .pdf file, e.g. report.pdf.")
    settings = _settings()
    with _database(settings).sessions() as session:  # reads only: the writers' side settles
        try:
            scope = (
                shop_scope(session, shop) if shop is not None else owner_scope(session, owner or "")
            )
        except ScopeUnknown as unknown:
            raise _fail(str(unknown)) from None
        chosen = period_for(period, zone=scope.zone, now=datetime.now(UTC))
        selection = Selection(shop_ids=scope.shop_ids, period=chosen)
        held = rollups.coverage(session, scope.shop_ids)
        summary = summarise(session, selection, scope.zone, scope.type_labels, held=held)
        answered = response_times(session, selection)
        title = f"{scope.name}: customers, last {PRESETS[period]} days"
    written = write_report(summary, title, out, note=scope.note, responses=answered)
    typer.echo(f"Wrote {out} and {len(written) - 1} PNG charts beside it.")


@app.command()
def settle() -> None:
    """Bring every shop's dashboard rollups and customers up to the settled days, one shop at a
    time (the Kubernetes CronJob; `serve` or the Kafka worker also do it as they run), and
    erase the inquiries past a shop's data retention, if it turned that on."""
    from barberbot.analytics.settling import settle_all
    from barberbot.forms.stores import answer_store_for

    settings = _settings()
    db = _database(settings)
    answers = answer_store_for(settings)
    try:
        done = settle_all(db, answers=answers)
    finally:
        answers.close()
        db.engine.dispose()
    typer.echo(f"Settled {done.shops - done.failed} of {done.shops} shops.")
    if done.failed:
        raise typer.Exit(1)  # the CronJob's Job tries again


@app.command("export")
def export_command(
    shop: Annotated[str, typer.Option(help="Shop slug.")],
    format: Annotated[str, typer.Option("--format", help="csv or xlsx.")] = "csv",
    output: Annotated[
        Path | None, typer.Option(help="File to write; CSV goes to stdout without one.")
    ] = None,
) -> None:
    """Export a shop's inquiries as CSV or Excel."""
    if format not in ("csv", "xlsx"):
        raise _fail("--format must be csv or xlsx.")
    if format == "xlsx" and output is None:
        raise _fail("An Excel export needs --output FILE.xlsx.")
    settings = _settings()
    with _database(settings).transaction() as session:
        found = shops.by_slug(session, shop)
        if found is None:
            raise _fail(f"Unknown shop {shop!r}.")
        frame = exports.to_frame(found, inquiries.all_matching(session, found, InquiryFilters()))
    data = exports.to_csv(frame) if format == "csv" else exports.to_xlsx(frame, found.name)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {len(frame)} inquiries to {output}.", err=True)
