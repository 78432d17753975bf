"""Settings turned back into the BARBERBOT_* environment a child process reads."""

from __future__ import annotations

import json
import os

from pydantic import SecretStr

from barberbot.core.settings import Settings


def settings_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """This process's environment, minus its BARBERBOT_* variables, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BARBERBOT_")}
    for name, value in settings.model_dump(mode="json", exclude_none=True).items():
        text = json.dumps(value) if isinstance(value, dict | list) else str(value)
        env[f"BARBERBOT_{name.upper()}"] = text
    for name in type(settings).model_fields:  # dumped masked above: the real values
        secret = getattr(settings, name)
        if isinstance(secret, SecretStr):
            env[f"BARBERBOT_{name.upper()}"] = secret.get_secret_value()
    env.update({f"BARBERBOT_{k.upper()}": v for k, v in overrides.items()})
    return env
