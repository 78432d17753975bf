"""The access commands (`user`, `token` and `shop list`), through the runner."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.cli import app as cli
from barberbot.models import ApiToken, Role, Shop, User
from tests.auth.conftest import sign_in
from tests.factories import make_token, make_user

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers  # each command configures logging anew: put it back
    root.setLevel(level)


def _api(client: TestClient, shop: Shop) -> int:
    return client.get(f"/api/v1/shops/{shop.slug}/inquiries").status_code


def test_lists_of_shops_users_and_tokens(session: Session, shop: Shop, owner: User) -> None:
    make_token(session, owner, "Front counter")

    shops = runner.invoke(cli, ["shop", "list"])
    users = runner.invoke(cli, ["user", "list"])
    tokens = runner.invoke(cli, ["token", "list", "--user", owner.email])

    assert shops.output == "kings-cuts\tKing's Cuts\tUTC\tGB\t1 member(s)\n"
    assert users.output == "owner@kings.example\t-\tkings-cuts (owner)\n"
    assert tokens.exit_code == 0
    assert "\towner@kings.example\tFront counter\t" in tokens.output
    assert tokens.output.rstrip().endswith("expires -\tactive")
    assert "bbt_" not in tokens.output


def test_set_password_signs_the_user_out_everywhere(
    client: TestClient, shop: Shop, owner: User
) -> None:
    sign_in(client, owner.email)

    result = runner.invoke(
        cli, ["user", "set-password", owner.email, "--password", "a new long password"]
    )

    assert result.exit_code == 0, result.output
    assert "1 session(s) signed out" in result.output
    assert _api(client, shop) == 401
    assert sign_in(client, owner.email, "a new long password") == 303


def test_token_revoke_refuses_it_from_then_on(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    token = make_token(session, owner, "Old laptop")
    [record] = session.scalars(select(ApiToken)).all()

    result = runner.invoke(cli, ["token", "revoke", str(record.id)])
    missing = runner.invoke(cli, ["token", "revoke", "999999"])

    assert result.exit_code == 0
    assert f"Token {record.id} (Old laptop, of {owner.email}) revoked." in result.output
    assert missing.exit_code == 1
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/shops/{shop.slug}/inquiries", headers=headers).status_code == 401


def test_remove_stops_a_member_at_once_but_keeps_a_shop_owned(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    staff = make_user(session, email="staff@kings.example", shops=[shop], role=Role.STAFF)
    token = make_token(session, staff)
    sign_in(client, staff.email)
    assert _api(client, shop) == 200

    sole = runner.invoke(cli, ["user", "remove", owner.email])
    removed = runner.invoke(cli, ["user", "remove", staff.email])

    assert sole.exit_code == 1
    assert "only owner of kings-cuts" in sole.output
    assert removed.exit_code == 0, removed.output
    assert _api(client, shop) == 401
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/shops/{shop.slug}/inquiries", headers=headers).status_code == 401
    session.expire_all()
    assert session.scalars(select(User.email)).all() == [owner.email]
