"""The hazard sources' 4x4 risk matrix (GB/T 27921 style): consequence from the exposed residents,
score = severity x consequence, grade by :data:`urbanrisk.result.MATRIX_GRADES`; for one source or
for every source at once (numpy, the same integers and grades)."""

from __future__ import annotations

import numpy as np

from ..result import MATRIX_GRADES

__all__ = ["CONSEQUENCE_BREAKS", "consequences", "matrix_grade", "matrix_grades"]

CONSEQUENCE_BREAKS = (100, 1_000, 5_000)  # exposed residents -> consequence 1..4


def consequences(residents: np.ndarray, aggravated: np.ndarray) -> np.ndarray:
    """The consequence (1-4) of each source: its exposed residents' class (:data:`CONSEQUENCE_BREAKS`),
    one higher (at most 4) where ``aggravated`` (a vulnerable site exposed or a standard breached).

    Examples
    --------
    >>> residents = np.array([0.0, 99.9, 100.0, 4_999.0, 5_000.0, np.nan])  # NaN: as 0, the lowest
    >>> consequences(residents, np.array([False, True, False, True, True, False])).tolist()
    [1, 2, 2, 4, 4, 1]
    """
    level = 1 + sum((residents >= b).astype(np.int64) for b in CONSEQUENCE_BREAKS)
    return np.minimum(4, level + aggravated.astype(np.int64))


def matrix_grade(severity: int, consequence: int) -> tuple[int, str]:
    """Risk-matrix score and grade.

    Examples
    --------
    >>> matrix_grade(4, 3), matrix_grade(3, 3), matrix_grade(2, 2), matrix_grade(1, 2)
    ((12, 'I'), (9, 'II'), (4, 'III'), (2, 'IV'))
    """
    score = int(severity) * int(consequence)
    return score, next(grade for threshold, grade in MATRIX_GRADES if score >= threshold)


def matrix_grades(severity: np.ndarray, consequence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`matrix_grade` of every pair at once: scores (int) and grades (text).

    Examples
    --------
    >>> score, grade = matrix_grades(np.array([4, 3, 2, 1]), np.array([3, 3, 2, 2]))
    >>> score.tolist(), grade.tolist()
    ([12, 9, 4, 2], ['I', 'II', 'III', 'IV'])
    """
    score = np.asarray(severity, dtype=np.int64) * np.asarray(consequence, dtype=np.int64)
    grades = np.full(len(score), MATRIX_GRADES[-1][1], dtype=object)
    for threshold, grade in reversed(MATRIX_GRADES[:-1]):  # the highest threshold reached wins
        grades[score >= threshold] = grade
    return score, grades
