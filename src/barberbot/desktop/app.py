"""`barberbot desktop`: the counter window with its store, workbook and background sync."""

from __future__ import annotations

import logging
import tkinter as tk
from pathlib import Path

from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.desktop.config import DesktopConfig, form_cache, load_config, save_config
from barberbot.desktop.settings_dialog import SettingsDialog
from barberbot.desktop.store import LocalStore
from barberbot.desktop.sync import Syncer
from barberbot.desktop.window import InquiryWindow
from barberbot.desktop.workbook import WorkbookKeeper
from barberbot.forms.definition import FormDefinition

log = logging.getLogger("barberbot.desktop")


class CounterApp:
    """Owns the parts and swaps them when the settings change."""

    def __init__(
        self,
        root: tk.Tk,
        data_dir: Path,
        config: DesktopConfig,
        config_file: Path | None = None,
    ) -> None:
        self.root = root
        self.data_dir = data_dir
        self.config = config
        self.config_file = config_file
        self.store = LocalStore(data_dir / "counter.db")
        self.keeper = self._keeper(config)
        self.syncer = self._syncer(config)
        self.window = InquiryWindow(
            root,
            self.store,
            self.keeper,
            self._types(config),
            location=config.location,
            syncer=self.syncer,
            open_settings=self.open_settings,
            form=config.cached_form,
            on_form=self._remember_form,
            country=config.country,
            on_country=self._remember_country,
        )
        self.keeper.refresh()  # also brings a workbook from before a crash up to date
        self._closed = False
        root.protocol("WM_DELETE_WINDOW", self.quit)

    def open_settings(self) -> SettingsDialog:
        return SettingsDialog(self.root, self.config, on_save=self.apply)

    def apply(self, config: DesktopConfig) -> None:
        """Keep new settings and put them to work without a restart."""
        # the form and country cached now (fetched since the dialog opened), or none/the
        # dialog's for another shop (the first sync round fetches them)
        same_shop = (config.server_url, config.shop) == (self.config.server_url, self.config.shop)
        if same_shop:
            config = config.model_copy(
                update={"form": self.config.form, "country": self.config.country}
            )
        else:
            config = config.model_copy(update={"form": {}})
        save_config(config, self.config_file)
        if self.syncer is not None:
            self.syncer.stop()
        if self._workbook_path(config) != self.keeper.path:
            self.keeper.close()
            self.keeper = self._keeper(config)
            self.window.keeper = self.keeper
            self.keeper.refresh()
        self.config = config
        self.syncer = self._syncer(config)
        self.window.syncer = self.syncer
        self.window.location = config.location
        self.window.country = config.country
        self.window.set_types(self._types(config))
        if not same_shop:
            self.window.set_form(config.cached_form)
            self.keeper.form = config.cached_form
        self.window.clear()

    def quit(self) -> None:
        """Close the window: sync stops, the workbook is written a last time. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self.close()
        self.root.destroy()

    def close(self) -> None:
        self.window.close()
        if self.syncer is not None:
            self.syncer.stop()
        if self.syncer is not None and self.syncer.shop is not None:
            self._remember_types(self.syncer.shop.inquiry_types)
        self.keeper.close()
        self.store.close()

    def _remember_types(self, fetched: dict[str, str]) -> None:
        """Keep the shop's types fetched this run, for the next start offline."""
        if fetched and fetched != self.config.inquiry_types:
            self.config = self.config.model_copy(update={"inquiry_types": fetched})
            save_config(self.config, self.config_file)

    def _remember_form(self, form: FormDefinition) -> None:
        """Keep the shop's form as soon as it is fetched: a start offline asks its questions."""
        if form_cache(form) != self.config.form:
            self.config = self.config.model_copy(update={"form": form_cache(form)})
            save_config(self.config, self.config_file)

    def _remember_country(self, country: str | None) -> None:
        """Keep the shop's country as soon as it is fetched, for numbers typed offline."""
        if country != self.config.country:
            self.config = self.config.model_copy(update={"country": country})
            save_config(self.config, self.config_file)

    def _types(self, config: DesktopConfig) -> dict[str, str]:
        return dict(config.inquiry_types) or dict(DEFAULT_INQUIRY_TYPES)

    def _workbook_path(self, config: DesktopConfig) -> Path:
        return Path(config.workbook) if config.workbook else self.data_dir / "inquiries.xlsx"

    def _keeper(self, config: DesktopConfig) -> WorkbookKeeper:
        return WorkbookKeeper(
            self._workbook_path(config), self.store, self._types(config), config.cached_form
        )

    def _syncer(self, config: DesktopConfig) -> Syncer | None:
        if not config.syncs:
            return None
        return Syncer(self.store, config, on_synced=self.keeper.refresh).start()


def run_desktop(
    data_dir: Path,
    *,
    config_file: Path | None = None,
    workbook: Path | None = None,
    location: str | None = None,
) -> None:
    """Open the window; `workbook` and `location` override the saved settings for this run."""
    config = load_config(config_file)
    overrides = {"workbook": str(workbook) if workbook else None, "location": location}
    config = config.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    root = tk.Tk()
    app = CounterApp(root, data_dir, config, config_file)
    try:
        root.mainloop()
    finally:
        app.quit()
