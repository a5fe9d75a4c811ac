"""``compute.store`` checked before the run (session 12): a bad store passed ``urbanrisk validate`` and
failed once the layers were loaded, or in a worker (a traceback). Each case ends in exit 2 naming the
key, its line and the fix, in the recipe's language, with the recipe's other problems; nothing is made
or removed while checking.
"""

from __future__ import annotations

import errno
import importlib.util
import os

import pytest

from test_hostile import cli, refused

HEAD = "name: r\narea: {bbox: [116.3, 39.9, 116.31, 39.91]}\ngrid: {resolution: 9}\nlayers: {}\n"


def _recipe(tmp_path, store: str, language: str = "en", extra: str = ""):
    """A recipe whose ``compute.store`` (line 7) is ``store``."""
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        HEAD
        + f"report: {{language: {language}}}\noutputs: {{dir: {tmp_path / 'out'}}}\n"
        + f"compute: {{store: '{store}'}}\n"
        + extra,
        encoding="utf-8",
    )
    return recipe


def _read_only(monkeypatch, folder):
    """``folder`` made read-only; root ignores modes, so for root the OS's refusal is played."""
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:
        from urbanrisk.recipe import store_check

        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(kwargs.get("dir")))

        monkeypatch.setattr(store_check.tempfile, "TemporaryFile", refuse)
    return folder


CASES = {
    "empty": (
        lambda tmp, mp: "",
        "the store is empty: name a folder or an fsspec URL",
        "存储位置为空",
    ),
    "unknown protocol": (
        lambda tmp, mp: "nope://bucket/x",
        "unknown protocol 'nope://' in nope://bucket/x",
        "nope://bucket/x 中的协议 'nope://' 未知",
    ),
    "read-only protocol": (
        lambda tmp, mp: "https://example.org/store",
        "https://example.org/store cannot be written (fsspec's https:// only reads)",
        "https://example.org/store 无法写入（fsspec 的 https:// 只能读取）",
    ),
    "a file": (
        lambda tmp, mp: (tmp / "f.txt").write_text("x") and str(tmp / "f.txt"),
        "f.txt is a file, not a folder: compute.store is the folder",
        "f.txt 是文件而不是文件夹",
    ),
    "under a file": (
        lambda tmp, mp: (tmp / "f.txt").write_text("x") and str(tmp / "f.txt" / "store"),
        "f.txt is a file, not a folder: compute.store is the folder",
        "f.txt 是文件而不是文件夹",
    ),
    "read-only folder": (
        lambda tmp, mp: str(_read_only(mp, tmp / "ro") / "store"),
        "ro cannot be written (read-only): give compute.store a folder you can write to",
        "ro 无法写入（只读）：请为 compute.store 指定一个可写入的文件夹",
    ),
    "inside the outputs": (
        lambda tmp, mp: str(tmp / "out" / "store"),
        "is inside outputs.dir",
        "位于 outputs.dir",
    ),
    "the outputs folder itself": (
        lambda tmp, mp: "out",
        "is inside outputs.dir",
        "位于 outputs.dir",
    ),
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_store_the_run_cannot_write_is_refused_by_validate(tmp_path, monkeypatch, case, language):
    """Each passed validate (exit 0); the run failed after loading its layers, or with a traceback."""
    store, en, zh = CASES[case]
    recipe = _recipe(tmp_path, store(tmp_path, monkeypatch), language)
    code, text = cli("validate", recipe)
    refused(code, text, "r.yaml:7: compute.store: ")
    assert (zh if language == "zh" else en) in text, text
    assert "Traceback" not in text


def test_a_store_whose_package_is_missing_is_refused(tmp_path):
    """s3:// without s3fs: the ImportError came when the run wrote its first store."""
    if importlib.util.find_spec("s3fs") is not None:
        pytest.skip("s3fs is installed here: s3:// can be written")
    code, text = cli("validate", _recipe(tmp_path, "s3://bucket/store"))
    refused(code, text, "r.yaml:7: compute.store: the s3:// filesystem needs a package that is not installed")


def test_a_bad_store_is_listed_with_the_recipe_s_other_problems(tmp_path):
    """All at once: the store and an unknown key, in line order."""
    recipe = _recipe(tmp_path, "https://example.org/s", extra="grdi: 1\n")
    code, text = cli("validate", recipe)
    refused(code, text, "2 problems in the recipe")
    assert text.index("r.yaml:7: compute.store: ") < text.index("r.yaml:8: "), text


def test_the_run_refuses_a_bad_store_before_any_work(tmp_path):
    """The run's own check: exit 2 before its outputs folder is made (no layer was loaded)."""
    (tmp_path / "f.txt").write_text("x")
    code, text = cli("run", _recipe(tmp_path, str(tmp_path / "f.txt")), "--quiet")
    refused(code, text, "compute.store: ")
    assert "is a file, not a folder" in text, text
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("store", ["new/deeper/store", "memory://store12/x", "file://{tmp}/s", "."])
def test_a_store_the_run_can_write_passes_and_nothing_is_left_behind(tmp_path, store):
    """A folder yet to be made (its first existing parent writable), memory://, file://, the recipe's
    own folder: validate passes, makes no folder and leaves no file."""
    recipe = _recipe(tmp_path, store.format(tmp=tmp_path))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, text = cli("validate", recipe)
    assert code == 0, text
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
