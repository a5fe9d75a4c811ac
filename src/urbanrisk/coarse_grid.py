"""A grid too coarse for coverage (session 13, fresh13): coverage takes each cell's travel at its centre.

At H3 r7 (about 5 km² a cell, edge 1.4 km) one point stands for thousands of residents: on an
east-Baltimore recipe the centre of one cell lay in the harbour, 546 m from a street, and its 9,832
residents were counted uncovered by every drive standard. Resolution 9 (0.1 km², the demo's) or finer
suits the standards (a 4-min drive, 500 m on foot). Light: ``urbanrisk validate`` says it too.
"""

from __future__ import annotations

#: The finest resolution whose cells are too coarse for coverage (r8: 0.74 km², edge 531 m).
FINEST_COARSE = 8


def coarse_coverage_warning(resolution: int) -> str:
    """The warning for a grid coarser than resolution 9 ("" from 9 on).

    >>> coarse_coverage_warning(9)
    ''
    >>> coarse_coverage_warning(7)[:70]
    'H3 resolution 7 cells are about 5.16 km² (edge about 1,406 m): coverag'
    """
    if resolution > FINEST_COARSE:
        return ""
    import h3  # light, but only here

    km2 = h3.average_hexagon_area(resolution, unit="km^2")
    edge = h3.average_hexagon_edge_length(resolution, unit="m")
    return (
        f"H3 resolution {resolution} cells are about {km2:,.3g} km² (edge about {edge:,.0f} m): coverage "
        "takes each cell's travel at its centre, so a centre on water, rail land or a park leaves the whole "
        "cell's residents uncovered; use resolution 9 or finer (0.1 km² cells) for coverage"
    )


#: The warning in Chinese (regex, replacement), for :func:`urbanrisk.outputs.i18n.data_text`.
ZH_COARSE_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"^H3 resolution (\d+) cells are about ([\d.,]+) km² \(edge about ([\d,]+) m\): coverage takes "
        r"each cell's travel at its centre, .*$",
        r"H3 分辨率 \1 的网格单元约 \2 平方千米（边长约 \3 米）：覆盖分析以每个单元中心点的到达时间代表整个"
        r"单元，中心落在水面、铁路用地或公园时全单元常住人口都计为未覆盖；覆盖分析请用分辨率 9 或更细"
        r"（单元约 0.1 平方千米）",
    ),
)
