"""Hostile input, fifth round (session 11): what a generator of malformed recipes, registries, rasters,
OSM files, output folders and spoiled run folders found (/work/bench/hostile11/gen.py, outside the
repository). Each case ends in exit 2 naming the file or key and the fix, or works; never a traceback.
"""

from __future__ import annotations

import json

import pytest

from test_hostile import cli, refused


@pytest.mark.parametrize(
    ("layers", "said"),
    [
        ("  2020: {type: raster, path: x.tif}\n", "layers: the key '2020' reads as a number, not as a name"),
        ("  yes: {type: raster, path: x.tif}\n", "layers: the key 'yes' reads as true/false"),
        ("  ~: {type: raster, path: x.tif}\n", "layers: the key '~' reads as null"),
        ("  ? [a, b]\n  : {type: raster, path: x.tif}\n", "layers: a key written as a list or a mapping"),
    ],
)
def test_a_key_that_is_not_a_name_is_refused_with_its_line(tmp_path, layers, said):
    """`2020:` as a layer's name, `yes:`, `~:` or `? [a, b]`: a TypeError traceback (exit 1)."""
    recipe = tmp_path / "r.yaml"
    text = (
        f"name: r\narea: {{bbox: [116.3, 39.9, 116.31, 39.91]}}\ngrid: {{resolution: 9}}\nlayers:\n{layers}"
    )
    recipe.write_text(text + f"outputs: {{dir: {tmp_path / 'out'}}}\n", encoding="utf-8")
    code, text = cli("validate", recipe)
    refused(code, text, f"{recipe}:5: {said}")
    assert "put it in quotes" in text or "write one name" in text


def test_a_recipe_of_many_keys_is_refused_before_it_is_parsed(tmp_path):
    """A 1.3 MB recipe of 100,000 keys took over a minute (PyYAML read it whole to find its language)
    before the size check; one of 190 KB listed 20,000 unknown keys after ~30 s on a loaded machine."""
    recipe = tmp_path / "r.yaml"
    body = "name: r\nreport: {language: zh}\n" + "".join(f"k{i}: {i}\n" for i in range(20_000))
    recipe.write_text(body, encoding="utf-8")
    refused(*cli("validate", recipe, timeout=20), f"{recipe}：配方文件有 {len(body):,} 字节", "小于 100 KB")


def test_yes_or_true_where_a_number_belongs_is_refused(tmp_path):
    """YAML reads `yes` as true and pydantic read true as 1: a threshold of 1.0, a one-minute fire
    standard, one suggested site, all validated ok (only the resolution refused it)."""
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "name: r\narea: {bbox: [116.3, 39.9, 116.31, 39.91]}\ngrid: {resolution: 9}\nlayers: {}\n"
        "grading: {thresholds: [6, 4.5, yes]}\ncoverage: {sites: true, overrides: {fire: {limit: on}}}\n"
        f"outputs: {{dir: {tmp_path / 'out'}}}\n",
        encoding="utf-8",
    )
    code, text = cli("validate", recipe)
    refused(code, text, "3 problems")
    for line, key in (
        (5, "grading.thresholds.2"),
        (6, "coverage.overrides.fire.limit"),
        (6, "coverage.sites"),
    ):
        assert f"r.yaml:{line}: {key}: Input should be a valid " in text, text


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ("publish: nope://bucket/x}", "5: outputs.publish: unknown protocol 'nope://' in nope://bucket/x"),
        (
            "publish: /dev/null}",
            "5: outputs.publish: /dev/null is not a folder: give a folder or an fsspec URL",
        ),
    ],
)
def test_a_publish_url_nobody_can_write_to_is_refused_by_validate(tmp_path, extra, said):
    """The run wrote its folder, then fsspec's ValueError / NotADirectoryError was a traceback."""
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "name: r\narea: {bbox: [116.3, 39.9, 116.31, 39.91]}\ngrid: {resolution: 9}\nlayers: {}\n"
        f"outputs: {{dir: {tmp_path / 'out'}, {extra}\n",
        encoding="utf-8",
    )
    refused(*cli("validate", recipe), f"r.yaml:{said}")


def test_a_publish_that_fails_after_the_run_says_the_run_is_complete(tmp_path, monkeypatch):
    """A folder validate saw that the run cannot write into (a mocked makedirs refuses): was a
    PermissionError traceback after the run was written; now the run's folder and the fix, in zh too."""
    import fsspec.implementations.memory

    from urbanrisk._errors import RecipeError
    from urbanrisk.lifecycle import publish_run
    from urbanrisk.outputs.i18n_checks import check_text

    def fail(self, path, exist_ok=False):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(fsspec.implementations.memory.MemoryFileSystem, "makedirs", fail)
    run = tmp_path / "runs" / "20261127T040000Z"
    run.mkdir(parents=True)
    (run / "manifest.json").write_text("{}", encoding="utf-8")
    with pytest.raises(RecipeError) as caught:
        publish_run(run, "memory://h11/pub")
    said = str(caught.value)
    assert said.startswith(f"outputs.publish: the run is complete in {run} but memory://h11/pub did not ")
    assert said.endswith(": fix outputs.publish"), said
    assert check_text(said, "zh").startswith(
        f"outputs.publish：运行已完整写入 {run}，但 memory://h11/pub 未能接收"
    )


def test_a_relative_publish_folder_resolves_against_the_recipe(tmp_path):
    """Like every other path of a recipe (it went to the working folder of whoever ran it)."""
    from urbanrisk.recipe.load import recipe_from_text

    text = "name: r\narea: {bbox: [116.3, 39.9, 116.31, 39.91]}\ngrid: {resolution: 9}\nlayers: {}\n"
    recipe = recipe_from_text(text + "outputs: {dir: out, publish: pub}\n", base_dir=tmp_path)
    assert recipe.outputs.publish == str(tmp_path / "pub")


def test_history_lists_a_run_whose_manifest_is_not_an_object_as_unreadable(tmp_path):
    """A manifest of null, a list, counts of the wrong type or nested too deeply: a traceback; a manifest
    linked to /dev/zero: a hang; `latest` linked to itself: a RuntimeError traceback (rescan too)."""
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "name: r\narea: {bbox: [116.3, 39.9, 116.31, 39.91]}\ngrid: {resolution: 9}\nlayers: {}\n"
        f"outputs: {{dir: {tmp_path / 'out'}}}\n",
        encoding="utf-8",
    )
    for stamp, text in (
        ("20260101T000000Z", "null"),
        ("20260102T000000Z", "[]"),
        ("20260103T000000Z", '{"counts": "x"}'),
        ("20260104T000000Z", '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"),  # RecursionError
    ):
        (tmp_path / "out" / "runs" / stamp).mkdir(parents=True)
        (tmp_path / "out" / "runs" / stamp / "manifest.json").write_text(text, encoding="utf-8")
    (tmp_path / "out" / "runs" / "20260105T000000Z").mkdir()
    (tmp_path / "out" / "runs" / "20260105T000000Z" / "manifest.json").symlink_to("/dev/zero")  # read forever
    (tmp_path / "out" / "latest").symlink_to("latest")  # a link in a loop: RuntimeError in rescan, history
    code, text = cli("history", recipe, timeout=30)
    assert code == 0, text
    assert [line.split()[1] for line in text.splitlines()[1:]] == ["unreadable"] * 5, text
    from urbanrisk.lifecycle import latest_run

    assert latest_run(tmp_path / "out", "r") is None


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_empty_output_folder_is_refused(tmp_path, language):
    """`outputs.dir: ""` wrote the runs among the recipe's own files."""
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "name: r\narea: {bbox: [116.3, 39.9, 116.31, 39.91]}\ngrid: {resolution: 9}\nlayers: {}\n"
        f"report: {{language: {language}}}\noutputs: {{dir: ''}}\n",
        encoding="utf-8",
    )
    code, text = cli("validate", recipe)
    assert code == 2 and "outputs.dir" in text, text
    assert ("文件夹为空" if language == "zh" else "the folder is empty") in text, text


def test_the_run_language_of_a_manifest_linked_to_dev_zero_is_english_at_once(tmp_path):
    """`diff` asks each run's report language: a manifest linked to /dev/zero was read forever."""
    from urbanrisk.cli_lines import run_language

    (tmp_path / "manifest.json").symlink_to("/dev/zero")
    assert run_language(tmp_path) == "en"
    (tmp_path / "manifest.json").unlink()
    (tmp_path / "manifest.json").write_text('{"recipe": {"report": {"language": "zh"}}}', encoding="utf-8")
    assert run_language(tmp_path) == "zh"


@pytest.mark.parametrize("encoding", ["rot13", "base64", "zlib_codec", "utf\x00-8"])
def test_an_encoding_that_is_no_text_encoding_is_refused(tmp_path, encoding):
    """Codecs Python knows that turn bytes into bytes: 'rot-13 is not a text encoding', a traceback."""
    (tmp_path / "r.csv").write_text(
        "id,kind,name,lon,lat\n1,fire_station,a,116.305,39.905\n", encoding="utf-8"
    )
    layers = {"r": {"type": "points", "role": "resource", "path": "r.csv", "encoding": encoding}}
    body = {"name": "r", "area": {"bbox": [116.3, 39.9, 116.31, 39.91]}, "grid": {"resolution": 9}}
    recipe = tmp_path / "r.yaml"
    recipe.write_text(json.dumps({**body, "layers": layers, "outputs": {"dir": str(tmp_path / "out")}}))
    refused(*cli("validate", recipe), "layers.r.path: unknown encoding")


def _raster_recipe(tmp_path, data, **profile):
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    path = tmp_path / "p.tif"
    options = {"driver": "GTiff", "width": 4, "height": 4, "count": 1, "dtype": data.dtype, **profile}
    with rasterio.open(path, "w", transform=from_origin(116.3, 39.91, 0.001, 0.001), **options) as dst:
        dst.write(np.asarray(data), 1)
    body = {"name": "r", "area": {"bbox": [116.3, 39.906, 116.304, 39.91]}, "grid": {"resolution": 9}}
    recipe = tmp_path / "r.yaml"
    layers = {"pop": {"type": "raster", "path": str(path)}}
    recipe.write_text(json.dumps({**body, "layers": layers, "outputs": {"dir": str(tmp_path / "out")}}))
    return recipe


def test_an_integer_raster_all_nodata_is_refused_as_one(tmp_path):
    """uint8 with nodata 255 everywhere: 'Cannot convert fill_value nan to dtype uint8', a traceback."""
    import numpy as np

    recipe = _raster_recipe(tmp_path, np.full((4, 4), 255, "uint8"), crs="EPSG:4326", nodata=255)
    refused(*cli("validate", recipe), "p.tif: every pixel of band 1 is nodata (255)")


def test_a_raster_in_a_local_crs_is_refused_with_the_fix(tmp_path):
    """An engineering CRS (LOCAL_CS): PROJ's 'Cannot find coordinate operations' was a traceback."""
    import numpy as np

    recipe = _raster_recipe(tmp_path, np.ones((4, 4), "float32"), crs='LOCAL_CS["arbitrary"]')
    refused(*cli("validate", recipe), "p.tif has a coordinate reference system with no way to lon/lat")


def test_an_output_folder_under_one_nobody_may_write_is_refused(tmp_path, monkeypatch):
    """A read-only or immutable parent (chattr +i; root ignores modes): a PermissionError traceback."""
    import pathlib

    from urbanrisk._errors import InputError
    from urbanrisk.lifecycle import run_lock

    def refuse(self, *args, **kwargs):
        raise PermissionError(1, "Operation not permitted", str(self))

    monkeypatch.setattr(pathlib.Path, "mkdir", refuse)
    said = r"cannot make the folder \(Operation not permitted\): give outputs.dir a folder you can write to"
    with pytest.raises(InputError, match=said), run_lock(tmp_path / "im" / "out"):
        pass


@pytest.mark.parametrize(
    ("path", "said"),
    [("a\x00b.tif", "holds a NUL character"), ("a" * 300 + ".tif", "is too long (a name over 255 bytes")],
)
@pytest.mark.parametrize("key", ["layer", "area", "outputs"])
def test_a_path_no_file_system_takes_is_refused(tmp_path, path, said, key):
    """A NUL ('embedded null byte') or a name over 255 bytes (ENAMETOOLONG): tracebacks in validate."""
    layers = {"pop": {"type": "raster", "path": path if key == "layer" else "p.tif"}}
    area = {"path": path} if key == "area" else {"bbox": [116.3, 39.9, 116.31, 39.91]}
    outputs = {"dir": path if key == "outputs" else str(tmp_path / "out")}
    body = {"name": "r", "area": area, "grid": {"resolution": 9}, "layers": layers, "outputs": outputs}
    recipe = tmp_path / "r.yaml"
    recipe.write_text(json.dumps(body))
    where = {"layer": "layers.pop.path", "area": "area.path", "outputs": "outputs.dir"}[key]
    refused(*cli("validate", recipe), f"r.yaml:1: {where}: the path {said}")


def test_a_file_named_runs_in_the_output_folder_is_refused(tmp_path):
    """clear_debris's mkdir met a file: a FileExistsError traceback (run and rescan)."""
    from urbanrisk._errors import InputError
    from urbanrisk.lifecycle import clear_debris

    (tmp_path / "runs").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="runs is a file, not the folder of runs: move it away"):
        clear_debris(tmp_path)
