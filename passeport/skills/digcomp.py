"""The DigComp 2.2 self-assessment: questions, scoring and level per area."""

from __future__ import annotations

from dataclasses import dataclass

from .referentials import (
    DIGCOMP_ANSWERS,
    DIGCOMP_AREAS,
    DIGCOMP_LEVELS,
    DIGCOMP_QUESTIONS,
)

QUESTION_COUNT = len(DIGCOMP_QUESTIONS)
ANSWER_VALUES = {value for value, _label in DIGCOMP_ANSWERS}


@dataclass(frozen=True)
class AreaLevel:
    area: str
    name: str
    level: int
    label: str
    digcomp: str
    descriptor: str
    mean: float


def level_of(mean: float) -> int:
    """Mean of the answers (0-3) of an area -> level 0-3, halves rounded up."""
    if mean < 0.5:
        return 0
    if mean < 1.5:
        return 1
    if mean < 2.5:
        return 2
    return 3


def score(answers: dict[str, int]) -> list[AreaLevel]:
    """`answers` maps a competence code ("1.1") to an answer 0-3; gives a level per area
    (areas with no answer are left out)."""
    out = []
    for area, name in DIGCOMP_AREAS.items():
        values = [v for code, v in answers.items() if code.split(".")[0] == area]
        if not values:
            continue
        mean = sum(values) / len(values)
        level = level_of(mean)
        label, digcomp, descriptor = DIGCOMP_LEVELS[level]
        out.append(AreaLevel(area, name, level, label, digcomp, descriptor, round(mean, 2)))
    return out


def question(number: int) -> tuple[str, str]:
    """(competence code, text) of question `number` (1-based)."""
    return DIGCOMP_QUESTIONS[number - 1]
