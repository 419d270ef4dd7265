"""The demo corpus generator: problems, their repeats, disposition and follow-up times."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.schema import REPORT_FIELDS
from pipeline.synth.gazetteer import (
    GANGS,
    KECAMATAN_OFFICE,
    KECAMATAN_VILLAGES,
    KECAMATAN_WEIGHTS,
    LANDMARKS,
    OPD,
    PROVINCE,
    REGENCY,
    STREETS,
)
from pipeline.synth.noise import CLOSINGS, DURATIONS, GREETINGS, informal
from pipeline.synth.scenarios import (
    MIXED_QUESTIONS,
    MIXED_SHARE,
    SCENARIOS,
    SHARED_OWNERSHIP,
    VAGUE_COMPLAINTS,
    VAGUE_SHARE,
    Scenario,
)
from pipeline.synth.timing import intake_times

REWORDING_TRIES = 10
"""Draws of a repeat's wording before one differs from the first report's."""


@dataclass
class _Problem:
    """A concrete problem instance, remembered so that later reports can repeat it."""

    scenario: Scenario
    obj: str
    district: str
    village: str
    address: str
    landmark: str
    report_id: str
    created_at: datetime
    urgent: bool
    owner: str
    """The agency key the problem is dispositioned to (a scenario's usual owner, or one of
    :data:`SHARED_OWNERSHIP`'s others)."""
    text: str = ""
    """What its first report said (a repeat says it in other words)."""


def _owner(scenario: Scenario, rng: random.Random) -> str:
    """Who this problem goes to: the scenario's agency, or another that shares it."""
    roll = rng.random()
    for agency, share in SHARED_OWNERSHIP.get(scenario.key, ()):
        if roll < share:
            return agency
        roll -= share
    return scenario.agency


@dataclass
class DemoGenerator:
    """Streams synthetic Kutai Timur reports; the same seed always gives the same rows."""

    seed: int = 42
    start: datetime = datetime(2024, 1, 1)
    end: datetime = datetime(2025, 12, 31)
    duplicate_rate: float = 0.08
    urgent_rate: float = 0.05
    id_prefix: str = "KTM"

    def generate(self, n: int) -> Iterator[dict]:
        """Yield ``n`` report rows (dicts keyed by the schema's field names) in intake order."""
        rng = random.Random(self.seed)
        stamps = intake_times(n, self.start, self.end, self.seed)
        routine = [s for s in SCENARIOS if s.urgent_reason is None]
        urgent = [s for s in SCENARIOS if s.urgent_reason is not None]
        routine_w = [s.weight for s in routine]
        urgent_w = [s.weight for s in urgent]
        districts = list(KECAMATAN_VILLAGES)
        district_w = [KECAMATAN_WEIGHTS.get(d, 0.8) for d in districts]
        recent: deque[_Problem] = deque(maxlen=400)
        for index, stamp in enumerate(stamps.tolist()):
            created = datetime(1970, 1, 1) + timedelta(seconds=stamp)
            report_id = f"{self.id_prefix}-{index + 1:07d}"
            earlier = self._pick_repeat(recent, created, rng)
            if earlier is not None:
                row = self._repeat(earlier, report_id, created, rng)
            else:
                pool, weights = (
                    (urgent, urgent_w) if rng.random() < self.urgent_rate else (routine, routine_w)
                )
                scenario = rng.choices(pool, weights)[0]
                district = rng.choices(districts, district_w)[0]
                problem = _Problem(
                    scenario=scenario,
                    obj=rng.choice(scenario.objects),
                    district=district,
                    village=rng.choice(KECAMATAN_VILLAGES[district]),
                    address=self._address(rng),
                    landmark=rng.choice(LANDMARKS),
                    report_id=report_id,
                    created_at=created,
                    urgent=False,
                    owner=_owner(scenario, rng),
                )
                row = self._first_report(problem, rng)
                problem.urgent, problem.text = bool(row["urgent"]), row["text"]
                if row["channel"] == "pengaduan":
                    recent.append(problem)
            self._add_history(row, created, rng)
            yield row

    # -- building blocks -----------------------------------------------------------------

    @staticmethod
    def _address(rng: random.Random) -> str:
        if rng.random() < 0.25:
            return f"Gg. {rng.choice(GANGS)} RT {rng.randint(1, 40):02d}"
        return f"Jl. {rng.choice(STREETS)} RT {rng.randint(1, 40):02d}"

    def _pick_repeat(
        self, recent: deque[_Problem], created: datetime, rng: random.Random
    ) -> _Problem | None:
        if not recent or rng.random() >= self.duplicate_rate:
            return None
        candidates = [
            p for p in recent if timedelta(hours=2) < created - p.created_at < timedelta(days=45)
        ]
        return rng.choice(candidates) if candidates else None

    def _fill(self, template: str, problem: _Problem, rng: random.Random) -> str:
        place = rng.choice(
            (
                f"di {problem.address} Desa {problem.village}",
                f"di {problem.village} Kec. {problem.district}",
                f"di {problem.address}, {problem.village}",
                f"di desa {problem.village}",
            )
        )
        text = template.format(
            obj=problem.obj,
            lokasi=place,
            landmark=problem.landmark,
            durasi=rng.choice(DURATIONS),
            desa=problem.village,
            kec=problem.district,
        )
        return text[0].upper() + text[1:]

    def _compose(self, body: str, rng: random.Random) -> str:
        parts = []
        if rng.random() < 0.45:
            parts.append(rng.choice(GREETINGS))
        parts.append(body)
        if rng.random() < 0.55:
            parts.append(rng.choice(CLOSINGS))
        return informal(" ".join(parts), rng, regional=rng.random() < 0.12)

    def _labels(self, problem: _Problem, channel: str, urgent: bool) -> dict:
        scenario = problem.scenario
        agency_key = problem.owner
        agency = (
            f"Kecamatan {problem.district}" if agency_key == KECAMATAN_OFFICE else OPD[agency_key]
        )
        return {
            "channel": channel,
            "topic": scenario.topic,
            "subtopic": scenario.subtopic,
            "agency": agency,
            "urgent": urgent,
            "urgent_reason": scenario.urgent_reason if urgent else None,
            "source_topic": scenario.key,
        }

    def _first_report(self, problem: _Problem, rng: random.Random) -> dict:
        scenario = problem.scenario
        roll = rng.random()
        urgent = False
        if scenario.urgent_reason is not None:
            if scenario.calm and roll < 0.3:
                template = rng.choice(scenario.calm)
                channel = "aspirasi" if template.lower().startswith("usul") else "pengaduan"
                urgent = channel == "pengaduan" and rng.random() < URGENCY_DISAGREEMENT
            else:
                template, channel = rng.choice(scenario.complaints), "pengaduan"
                urgent = rng.random() >= URGENCY_DISAGREEMENT
        elif scenario.suggestions and roll < 0.12:
            template, channel = rng.choice(scenario.suggestions), "aspirasi"
        elif scenario.questions and roll < 0.25:
            template, channel = rng.choice(scenario.questions), "permintaan_informasi"
        elif roll < 0.25 + VAGUE_SHARE:
            template, channel = rng.choice(VAGUE_COMPLAINTS), "pengaduan"
        else:
            template, channel = rng.choice(scenario.complaints), "pengaduan"
            if rng.random() < MIXED_SHARE:
                template += rng.choice(MIXED_QUESTIONS)
        return self._row(problem, template, channel, urgent, None, rng)

    def _repeat(
        self, earlier: _Problem, report_id: str, created: datetime, rng: random.Random
    ) -> dict:
        """The same problem reported again, in other words, by someone else."""
        templates = earlier.scenario.complaints
        prefix = rng.choice(
            ("", "", "Sudah pernah dilaporkan tapi belum ada tindakan. ", "Melaporkan lagi, ")
        )
        problem = _Problem(**{**earlier.__dict__, "report_id": report_id, "created_at": created})
        for _ in range(REWORDING_TRIES):
            row = self._row(
                problem,
                prefix + rng.choice(templates),
                "pengaduan",
                earlier.urgent,
                earlier.report_id,
                rng,
            )
            if row["text"] != earlier.text:
                break
        return row

    def _row(
        self,
        problem: _Problem,
        template: str,
        channel: str,
        urgent: bool,
        duplicate_of: str | None,
        rng: random.Random,
    ) -> dict:
        source = rng.choices(SOURCE_CHOICES, SOURCE_WEIGHTS)[0]
        title = None
        if source in ("web", "android") and rng.random() < 0.7:
            title = rng.choice(problem.scenario.titles)
        row = dict.fromkeys(REPORT_FIELDS)
        row.update(
            id=problem.report_id,
            title=title,
            text=self._compose(self._fill(template, problem, rng), rng),
            created_at=problem.created_at,
            source=source,
            province=PROVINCE,
            regency=REGENCY,
            district=problem.district,
            village=problem.village,
            address=problem.address,
            duplicate_of=duplicate_of,
            **self._labels(problem, channel, urgent),
        )
        return row

    def _add_history(self, row: dict, created: datetime, rng: random.Random) -> None:
        """Disposition, follow-up and closing times as seen at the end of the period."""
        hours = rng.lognormvariate(2.6 if row["urgent"] else 3.3, 0.9)
        dispositioned = created + timedelta(hours=hours)
        responded = dispositioned + timedelta(hours=rng.lognormvariate(4.2, 0.8))
        closed = responded + timedelta(days=10)
        row["status"] = "new"
        if dispositioned <= self.end and rng.random() > 0.02:
            row["dispositioned_at"], row["status"] = dispositioned, "dispositioned"
            if responded <= self.end and rng.random() > 0.05:
                row["responded_at"], row["status"] = responded, "responded"
                if closed <= self.end:
                    row["closed_at"], row["status"] = closed, "closed"


URGENCY_DISAGREEMENT = 0.15
"""Share of urgent-sounding reports a dispatcher judged able to wait, and of the calm variants
of a dangerous problem (a leaning tree, a cracked wall) judged urgent all the same: real
urgency labels disagree with the words."""

SOURCE_CHOICES = ("web", "android", "whatsapp", "sms", "social")
SOURCE_WEIGHTS = (0.35, 0.3, 0.2, 0.05, 0.1)


def generate(n: int, seed: int = 42) -> Iterator[dict]:
    """``n`` synthetic Kutai Timur reports for the given seed (see :class:`DemoGenerator`)."""
    return DemoGenerator(seed=seed).generate(n)
