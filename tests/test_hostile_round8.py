"""Hostile input, round 8 (session 14): what round 7 left (``outputs.dir: /proc/self`` passed
``validate``; a raster in US survey feet read as metres; a hole's vertices beyond the 64th never
tested) and what a generator of hostile inputs found. Each is told by ``validate`` as by the run, with
its fix; good input still passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from test_hostile import city, cli, raster_recipe, refused  # noqa: F401  (city: the module's fixture)

# --- 1. outputs.dir on a virtual file system ----------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc here")
@pytest.mark.parametrize("folder", ["/proc/self", "/proc/self/out/x"])
def test_outputs_dir_on_a_virtual_file_system_is_refused_by_validate(tmp_path, city, folder):  # noqa: F811
    """``outputs.dir: /proc/self`` passed validate; only the run refused it."""
    recipe = raster_recipe(tmp_path, city[0], outputs={"dir": folder})
    for command in ("validate", "run"):
        code, text = cli(command, recipe)
        refused(code, text, "cannot write a file in the folder")
        assert "outputs.dir" in text and "virtual file system" in text and "no space" not in text, text


def test_outputs_dir_in_a_folder_one_may_write_still_validates(tmp_path, city):  # noqa: F811
    recipe = raster_recipe(tmp_path, city[0], outputs={"dir": str(tmp_path / "new" / "out")})
    code, text = cli("validate", recipe)
    assert code == 0, text
    assert not (tmp_path / "new").exists()  # validate makes nothing
