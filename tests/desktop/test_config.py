"""The counter's settings file: owner-only, atomic, and clear about what is wrong."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from barberbot.desktop.config import (
    ConfigInvalid,
    DesktopConfig,
    config_path,
    load_config,
    parse_config,
    save_config,
)


def test_saved_settings_come_back_and_only_the_owner_can_read_them(tmp_path: Path) -> None:
    path = tmp_path / "desktop.json"
    config = parse_config(
        {"server_url": "https://bb.example.com/ ", "shop": "kings-cuts", "api_token": "bbt_x"}
    )

    save_config(config, path)

    assert load_config(path) == config
    assert config.server_url == "https://bb.example.com"
    assert config.syncs
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["desktop.json"]  # no temporary left


def test_no_file_yet_means_the_defaults_offline(tmp_path: Path) -> None:
    config = load_config(tmp_path / "missing.json")

    assert config == DesktopConfig()
    assert not config.syncs


def test_lives_in_the_xdg_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))

    assert config_path() == tmp_path / "barberbot" / "desktop.json"


def test_sync_needs_server_shop_and_token_together() -> None:
    with pytest.raises(ConfigInvalid) as caught:
        parse_config({"server_url": "https://bb.example.com"})

    assert caught.value.errors == {
        "shop": "Needed to sync with the server.",
        "api_token": "Needed to sync with the server.",
    }


def test_a_server_address_must_be_a_web_address() -> None:
    with pytest.raises(ConfigInvalid) as caught:
        parse_config({"server_url": "bb.example.com", "shop": "s", "api_token": "t"})

    assert caught.value.errors == {
        "server_url": "Enter the server's address, like https://barberbot.example.com."
    }


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"location": 5}'])
def test_a_damaged_file_is_reported_not_ignored(tmp_path: Path, content: str) -> None:
    path = tmp_path / "desktop.json"
    path.write_text(content)

    with pytest.raises(ConfigInvalid) as caught:
        load_config(path)

    assert caught.value.errors  # one message per problem, shown to the user
    if content.startswith("{not"):
        assert str(path) in caught.value.errors["file"]


def test_unknown_keys_from_a_newer_version_are_kept_out(tmp_path: Path) -> None:
    path = tmp_path / "desktop.json"
    path.write_text(json.dumps({"location": "back-room", "theme": "dark"}))

    assert load_config(path).location == "back-room"
