"""`barberbot campaigns ...`: the background sender, and customers brought up to date."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from sqlalchemy import select

from barberbot.campaigns.bounce_server import serving
from barberbot.campaigns.verp import ReturnPaths
from barberbot.core.db import Database
from barberbot.core.logging import configure_logging
from barberbot.core.settings import Settings
from barberbot.customers import service as customers
from barberbot.models import Shop
from barberbot.shops import service as shops

app = typer.Typer(help="Targeted campaigns: send them, keep customers up to date.")


def _setup() -> tuple[Settings, Database]:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    return settings, Database.from_url(settings.resolved_database_url)


@app.command("bounces")
def bounces(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: all).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="SMTP port (25 where the MX points here).")] = 2525,
) -> None:
    """Receive bounce reports for campaign e-mail (SMTP) and record those recipients bounced.

    Needs BARBERBOT_BOUNCE_ADDRESS (the senders' too): the domain's MX, or a relay of your
    mail server, sends its mail here. SIGTERM stops it.
    """
    settings, db = _setup()
    if not settings.bounce_address:
        typer.secho("Set BARBERBOT_BOUNCE_ADDRESS first.", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    paths = ReturnPaths(settings.resolved_secret_key, settings.bounce_address)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        with serving(db, paths, host, port):
            typer.echo(f"Receiving bounces for {paths.local}+...@{paths.domain} on {host}:{port}")
            stop.wait()
    finally:
        db.engine.dispose()


@app.command("sync-customers")
def sync_customers(shop: Annotated[str, typer.Option(help="Shop slug.")]) -> None:
    """Link a shop's new inquiries to customers now (the sender does it before each send)."""
    _sync(shop)


customers_app = typer.Typer(help="Customers kept from the shops' inquiries.")


@customers_app.command("sync")
def sync_command(
    shop: Annotated[str | None, typer.Option(help="Shop slug (default: every shop).")] = None,
) -> None:
    """Link new inquiries to customers in full, one shop per transaction; leaves the settled
    mark from which the dashboard's customer counts sync incrementally."""
    _sync(shop)


def _sync(slug: str | None) -> None:
    _, db = _setup()
    try:
        with db.sessions() as session:
            slugs = [slug] if slug else list(session.scalars(select(Shop.slug).order_by(Shop.id)))
        for each in slugs:
            with db.transaction() as session:
                found = shops.by_slug(session, each)
                if found is None:
                    typer.secho(f"Unknown shop {each!r}.", fg=typer.colors.RED, err=True)
                    raise typer.Exit(1)
                linked = customers.sync(session, found)
            typer.echo(f"{each}: {linked} new inquiries linked to customers.")
    finally:
        db.engine.dispose()
