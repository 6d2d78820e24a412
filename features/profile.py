"""Profile features: shared industry, shared history, country groups and diaspora.

Unknown is not "no": overlap is zero when a side has no facts, and the
``*_known`` columns tell the model which pairs have facts on both sides, so a gap in
the tables is not read as a mismatch.
"""

import numpy as np

from sistermatch.text import format_population

from .base import FeatureBlock, lookup

__all__ = ["ProfileFeatures", "MODES"]

MODES = ("alike", "complement")

HISTORY_PHRASES = {
    "ww2_bombed": "heavily bombed in WWII",
    "ww2_battle": "sites of Second World War battles",
    "civil_war_bombed": "heavily bombed in a civil war",
    "ww1_front": "on the First World War front",
    "former_capital": "former capitals",
    "hanseatic": "Hanseatic League towns",
    "hanseatic_kontor": "Hanseatic trading posts",
    "silk_road": "Silk Road cities",
    "colonial_port": "colonial-era ports",
    "earthquake": "struck by major earthquakes",
    "disaster": "marked by major disasters",
    "olympic_host": "Olympic host cities",
    "world_expo": "World Expo hosts",
    "unesco_heritage": "UNESCO World Heritage cities",
    "roman_foundation": "founded by the Romans",
    "reformation": "centres of the Reformation",
    "industrial_revolution": "industrial-revolution towns",
    "divided_city": "divided cities",
}


class ProfileFeatures(FeatureBlock):
    """Pair features from the merged :class:`ProfileStore`.

    Parameters
    ----------
    industry_mode : {"alike", "complement"}
        ``alike`` scores shared sectors (rare ones weigh more); ``complement`` scores the
        candidate's sectors that the query lacks.
    history_mode : {"alike", "complement"}
    """

    name = "profile"
    columns = (
        "industry_overlap",
        "industry_known",
        "history_overlap",
        "historic_country_tie",
        "alliance_tie",
        "diaspora_in_query",
        "diaspora_in_candidate",
        "diaspora_city",
    )

    def __init__(self, industry_mode="alike", history_mode="alike"):
        self.industry_mode = industry_mode
        self.history_mode = history_mode

    def compute(self, batch, qpos, cand):
        for mode in (self.industry_mode, self.history_mode):
            if mode not in MODES:
                raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        ctx = batch.ctx
        p = ctx.profiles
        c = ctx.cities
        if p is None:
            return (0.0,) * len(self.columns)
        q = batch.query(qpos)
        cq, cc = c.country[q], c.country[cand]
        eff = p.industry_effective
        ind = batch.rowdot(eff, qpos, cand)
        if self.industry_mode == "complement":
            # The candidate's sectors the query lacks: |c|^2 - q.c, only for known queries.
            ind = p.industry_self[cand] - ind
            ind = np.where(p.industry_self[q] > 0, ind, 0.0)
        hist = _sparse_rowwise_dot(p.history_weighted, p.history_city, q, cand)
        if self.history_mode == "complement":
            hist = p.history_self[cand] - hist
        corridor = p.diaspora_corridor
        # The query town is a centre of the candidate country's community, or the reverse.
        city_link = (lookup(p.diaspora_city, q, cc) + lookup(p.diaspora_city_by_origin, cq, cand)) > 0
        return self.stack(
            ind,
            p.industry_known[q] & p.industry_known[cand],
            hist,
            lookup(p.group_shared[:, :, 0], cq, cc),
            lookup(p.group_shared[:, :, 1], cq, cc),
            lookup(corridor.T, cq, cc, lambda v: np.log1p(v) / 10.0),
            lookup(corridor, cq, cc, lambda v: np.log1p(v) / 10.0),
            city_link & (cq != cc),
        )

    def add_linear(self, batch, w, score):
        p = batch.ctx.profiles
        if p is None or self.industry_mode != "alike" or self.history_mode != "alike":
            return super().add_linear(batch, w, score)  # the complement modes: column by column
        c = batch.ctx.cities
        q = int(batch.rows[0])
        cq = c.country[q]
        if w[0]:
            score.city += w[0] * (p.industry_effective @ p.industry_effective[q])
        if w[1] and p.industry_known[q]:
            score.city[p.industry_known] += w[1]
        if w[2]:
            hist = p.history_city @ p.history_weighted[q].toarray().ravel()
            score.city += w[2] * hist
        corridor = p.diaspora_corridor
        score.country += (
            w[3] * p.group_shared[cq, :, 0]
            + w[4] * p.group_shared[cq, :, 1]
            + w[5] * np.log1p(corridor[:, cq]) / 10.0
            + w[6] * np.log1p(corridor[cq]) / 10.0
        )
        if w[7]:
            # The query is a centre of the candidate country's community, or the candidate of the query's.
            in_query = p.diaspora_city[q].toarray().ravel() > 0
            in_query[cq] = False
            score.country += w[7] * in_query
            row = p.diaspora_city_by_origin[cq]
            extra = row.indices[(~in_query[c.country[row.indices]]) & (c.country[row.indices] != cq)]
            score.city[extra] += w[7]

    def describe(self, column, batch, qpos, cand, value):
        ctx = batch.ctx
        p, c = ctx.profiles, ctx.cities
        if p is None or not value:
            return None
        q = int(batch.rows[qpos])
        cq, cc = int(c.country[q]), int(c.country[cand])
        names = c.countries.names
        if column == "industry_overlap":
            tq, tc = _tags(p.industry_effective[q], p.industry_tags), _tags(p.industry_effective[cand], p.industry_tags)
            if self.industry_mode == "complement":
                extra = [t for t in tc if t not in tq]
                return f"complements {c.name[q]} with {_pretty(extra)}" if extra else None
            shared = [t for t in tq if t in tc]
            if not shared:
                return None
            level = "" if p.industry_known[q] and p.industry_known[cand] else " (regional or national profile)"
            return f"shared industry: {_pretty(shared)}{level}"
        if column == "history_overlap":
            hq = set(p.history_city[q].indices)
            shared = [p.history_tags[j] for j in p.history_city[cand].indices if j in hq]
            if self.history_mode == "complement" or not shared:
                return None
            return "both " + ", ".join(HISTORY_PHRASES.get(t, t) for t in shared[:3])
        if column in ("historic_country_tie", "alliance_tie"):
            both = p.group_member[cq].multiply(p.group_member[cc]).indices
            kind = [p.group_names[j] for j in both]
            return f"{names[cq]} and {names[cc]}: {_pretty(kind[:4])}" if kind else None
        if column == "diaspora_in_query":
            people = format_population(p.diaspora_corridor[cc, cq], words=True)
            return f"about {people} people from {names[cc]} live in {names[cq]}"
        if column == "diaspora_in_candidate":
            people = format_population(p.diaspora_corridor[cq, cc], words=True)
            return f"about {people} people from {names[cq]} live in {names[cc]}"
        if column == "diaspora_city":
            if p.diaspora_city[q, cc]:
                return f"community from {names[cc]} in {c.name[q]}"
            return f"community from {names[cq]} in {c.name[cand]}"
        return None


def _tags(vec, tags):
    return [tags[j] for j in np.flatnonzero(vec > 0)]


def _pretty(tags):
    return ", ".join(t.replace("_", " ") for t in tags)


def _sparse_rowwise_dot(left, right, a, b):
    """``left[a] . right[b]`` row by row; ``a`` a scalar (one query) or an array."""
    if np.isscalar(a):
        vec = left[a].toarray().ravel()
        if np.size(b) < right.shape[0] // 8:  # a shortlist: only its rows
            return np.asarray(right[b] @ vec)
        return np.asarray(right @ vec)[b]
    return np.asarray(left[a].multiply(right[b]).sum(axis=1)).ravel()
