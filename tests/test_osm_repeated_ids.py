"""An OSM extract that holds an object twice (the same type and id) is refused by validate and the run,
the ids named: libosmium read every copy, so a fuel station held twice was two stations, silently."""

from __future__ import annotations

from pathlib import Path

import osmium
import pytest

from test_hostile import cli
from test_hostile_round14 import _josm_recipe
from urbanrisk.layers.osm_ids import RepeatedIds, repeated_message
from urbanrisk.osm_check import osm_read_problems

DATA = Path(__file__).parent / "data"
FUEL = "<node id='7' version='1' lat='39.99' lon='116.305'><tag k='amenity' v='fuel'/></node>"
WAY = "<way id='10' version='1'><nd ref='2'/><nd ref='3'/><tag k='highway' v='residential'/></way>"


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(
    ("extra", "said"), [("", "objects twice (the same type and id: node 7; 1 tagged in all)"),
                        (WAY, "objects twice (the same type and id: node 7, way 10; 2 tagged in all)")]
)  # fmt: skip
def test_a_place_and_a_street_held_twice_are_refused_with_their_ids(tmp_path, command, extra, said) -> None:
    """A node twice: the run read both (two fuel stations); a way twice: libosmium's area assembly stopped
    at it ("Way ID twice in input"; validate passed it): both now named, with the fix."""
    recipe, osm = _josm_recipe(tmp_path, FUEL + FUEL)
    osm.write_text(osm.read_text(encoding="utf-8").replace("</osm>", extra + "</osm>"), encoding="utf-8")
    args = ("run", "--scheduler", "synchronous", recipe) if command == "run" else ("validate", recipe)
    code, text = cli(*args)
    assert code == 2, text
    assert said in text and str(osm) in text, text
    assert "osmium time-filter sorted.osm.pbf -o once.osm.pbf" in text, text
    assert "re-download" not in text, text
    assert not (tmp_path / "out" / "latest").exists()


def test_the_same_file_with_each_object_once_still_runs(tmp_path) -> None:
    recipe, _ = _josm_recipe(tmp_path, FUEL)
    assert cli("validate", recipe)[0] == 0


def test_a_shipped_extract_concatenated_twice_names_every_repeated_tagged_object(tmp_path) -> None:
    """The usual cause, on real data: the Baltimore clip written twice into one file (as osmium cat does)."""
    source, twice = DATA / "baltimore_sw_clip.osm.pbf", tmp_path / "twice.osm.pbf"
    kinds = {"node": 0, "way": 0, "relation": 0}
    with osmium.SimpleWriter(str(twice)) as writer:
        for copy in range(2):
            for obj in osmium.FileProcessor(str(source)):
                writer.add(obj)
                if copy == 0 and len(obj.tags):
                    kinds[
                        obj.type_str().replace("n", "node").replace("w", "way").replace("r", "relation")
                    ] += 1
    assert osm_read_problems(source, ()) == []
    problems = osm_read_problems(twice, ())
    said = [text for text in problems if "objects twice" in text]
    assert len(said) == 1 and said[0].startswith(
        f"{twice}: it holds objects twice (the same type and id: "
    ), problems
    assert f"; {sum(kinds.values()):,} tagged in all)" in said[0] and kinds["way"] > 0, (said, kinds)


def test_repeated_ids_by_hand() -> None:
    import pyarrow as pa

    found = RepeatedIds()
    found.add(pa.array(["n3 T", "n5 T", "w-2 T", "r1 T"]))
    found.add(pa.array(["n5 Tx=y", "n3 T", "w-2 T", "w4 T", "r2 T"]))  # a second block: the copies
    assert found.repeated() == {"node": [3, 5], "way": [-2]}
    text = repeated_message(Path("x.osm"), {"node": list(range(1, 8))})
    assert "(the same type and id: node 1, node 2, node 3, node 4, node 5, …; 7 tagged in all)" in text
    assert RepeatedIds().repeated() == {} and repeated_message(Path("x.osm"), {}) is None


def test_one_message_for_objects_twice_in_english_and_chinese(tmp_path) -> None:
    """The run's refusal of a building way held twice (libosmium's area assembly stops) names it as
    validate does, and the untagged case (no id known) keeps the same fix; both read in Chinese."""
    from urbanrisk.layers.osm_streets import cannot_read
    from urbanrisk.outputs.i18n_checks import check_text

    nodes = "".join(
        f"<node id='{i}' version='1' lat='{39.99 + i * 1e-4}' lon='116.3{i}'/>" for i in (1, 2, 3)
    )
    way = "<way id='10' version='1'><nd ref='1'/><nd ref='2'/><nd ref='3'/><nd ref='1'/>{tags}</way>"
    for tags, ids in (
        ("<tag k='building' v='yes'/>", " (the same type and id: way 10; 1 tagged in all)"),
        ("", ""),
    ):
        path = tmp_path / f"joined{len(tags)}.osm"
        body = nodes + way.format(tags=tags) * 2
        path.write_text(f"<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>{body}</osm>\n", "utf-8")
        text = str(cannot_read(path, RuntimeError("Way ID twice in input")))
        assert text.startswith(
            f"{path}: cannot read this OSM file (Way ID twice in input): it holds objects twice{ids};"
        )
        assert f"osmium merge {path.name} b.osm.pbf" in text and "osmium sort" in text, text
        zh = check_text(text, "zh")
        assert "其中有重复的对象" in zh and "osmium merge" in zh and "extracts" not in zh, zh
    said = repeated_message(Path("a.osm.pbf"), {"node": [7]})
    zh = check_text(said, "zh")
    assert (
        zh.startswith("a.osm.pbf：其中有重复的对象（类型和 id 相同：node 7；带标签的共 1 个）")
        and "copy" not in zh
    ), zh
