"""Profile features: shared industry, shared history, country groups and diaspora.

Unknown is not "no": overlap is zero when a side has no facts, and the
``*_known`` columns tell the model which pairs have facts on both sides, so a gap in
the tables is not read as a mismatch.
"""

import numpy as np
import scipy.sparse as sp

from sistermatch.text import format_population

from .base import FeatureBlock, FeatureState, dense_line, line, lookup, values_at

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

    REGION_WEIGHT = 0.6
    COUNTRY_WEIGHT = 0.3
    uses_graph = False

    def __init__(self, industry_mode="alike", history_mode="alike"):
        self.industry_mode = industry_mode
        self.history_mode = history_mode

    def fit(self, ctx):
        """Weighted forms of the profile matrices (:class:`ProfileStore`), from the facts alone.

        Industry: each city carries its own tags, else its region's, else its country's,
        as a unit vector of IDF-weighted tags (rarity over what cities effectively carry),
        a fallback counting less (``REGION_WEIGHT``, ``COUNTRY_WEIGHT``). Every city
        without tags of its own carries its region's vector (``region_vectors_``), so the
        linear stage scores a query against the regions and the few cities with their own
        tags instead of against every city. History: IDF-weighted tags. Country groups:
        IDF-weighted shared groups, split into (former states and colonial ties, alliances
        and communities).
        """
        p, c = ctx.profiles, ctx.cities
        if p is None:
            return None
        n_c, n_r = len(c.countries), c.n_regions
        own = p.industry_city.getnnz(axis=1) > 0
        own_rows = np.flatnonzero(own)
        region_country = np.zeros(n_r, dtype=np.int64)
        region_country[c.region] = c.country
        region_has = p.industry_region.getnnz(axis=1) > 0
        region_bin = np.where(
            region_has[:, None], p.industry_region.toarray(), p.industry_country[region_country].toarray()
        )
        city_bin = p.industry_city[own_rows].toarray()
        # Rarity over what each city effectively carries (its own, its region's or its
        # country's tags), so a tag known only at a coarser level still counts.
        fallback_cities = np.bincount(c.region[~own], minlength=n_r).astype(np.float64)
        count = city_bin.sum(axis=0) + fallback_cities @ region_bin
        carriers = len(own_rows) + fallback_cities[region_bin.any(axis=1)].sum()
        idf = _idf(count, carriers)
        region_vectors = (
            _unit(region_bin * idf) * np.where(region_has, self.REGION_WEIGHT, self.COUNTRY_WEIGHT)[:, None]
        )
        city_vectors = _unit(city_bin * idf)
        effective = region_vectors[c.region]
        effective[own_rows] = city_vectors
        history_count = np.asarray(p.history_city.sum(axis=0)).ravel()
        history_idf = _idf(history_count, int((p.history_city.getnnz(axis=1) > 0).sum()))
        history_weighted = (p.history_city @ sp.diags(history_idf)).tocsr()
        history_rows = np.flatnonzero(p.history_city.getnnz(axis=1) > 0)
        member = p.group_member
        size = np.asarray(member.sum(axis=0)).ravel()
        group_idf = np.log((n_c + 1.0) / (size + 1.0))
        historic = np.array([k in ("former_state", "colonial") for k in p.group_kinds], dtype=bool)
        group_shared = np.zeros((n_c, n_c, 2), dtype=np.float64)
        for slot, mask in enumerate((historic, ~historic)):
            group_shared[:, :, slot] = (member @ sp.diags(np.where(mask, group_idf, 0.0)) @ member.T).toarray()
        return FeatureState(
            industry_idf_=idf,
            industry_effective_=effective,
            industry_self_=np.einsum("ij,ij->i", effective, effective),
            industry_known_=own,
            own_rows_=own_rows,
            own_regions_=c.region[own_rows],
            city_vectors_=city_vectors,
            region_vectors_=region_vectors,
            history_weighted_=history_weighted,
            history_self_=np.asarray(history_weighted.multiply(p.history_city).sum(axis=1)).ravel(),
            history_rows_=history_rows,
            history_of_rows_=p.history_city[history_rows],
            group_shared_=group_shared,
            group_member_=member.toarray() > 0,
            diaspora_by_origin_=p.diaspora_city.T.tocsr(),
        )

    def compute(self, batch, qpos, cand):
        for mode in (self.industry_mode, self.history_mode):
            if mode not in MODES:
                raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        ctx = batch.ctx
        p = ctx.profiles
        c = ctx.cities
        if p is None:
            return (0.0,) * len(self.columns)
        st = self.state(ctx)
        q = batch.query(qpos)
        cq, cc = c.country[q], c.country[cand]
        ind = batch.rowdot(st.industry_effective_, qpos, cand)
        if self.industry_mode == "complement":
            # The candidate's sectors the query lacks: |c|^2 - q.c, only for known queries.
            ind = st.industry_self_[cand] - ind
            ind = np.where(st.industry_self_[q] > 0, ind, 0.0)
        if np.isscalar(q):  # one query: its weighted tags against the towns that have any
            hist = values_at(st.history_rows_, self._history_of_rows(batch, st), cand)
        else:
            hist = np.asarray(st.history_weighted_[q].multiply(p.history_city[cand]).sum(axis=1)).ravel()
        if self.history_mode == "complement":
            hist = st.history_self_[cand] - hist
        corridor = p.diaspora_corridor
        # The query town is a centre of the candidate country's community, or the reverse.
        city_link = (lookup(p.diaspora_city, q, cc) + lookup(st.diaspora_by_origin_, cq, cand)) > 0
        return self.stack(
            ind,
            st.industry_known_[q] & st.industry_known_[cand],
            hist,
            lookup(st.group_shared_[:, :, 0], cq, cc),
            lookup(st.group_shared_[:, :, 1], cq, cc),
            lookup(corridor.T, cq, cc, lambda v: np.log1p(v) / 10.0),
            lookup(corridor, cq, cc, lambda v: np.log1p(v) / 10.0),
            city_link & (cq != cc),
        )

    @staticmethod
    def _history_of_rows(batch, st):
        """The batch's one query's weighted history tags against each town that has any, in
        ``history_rows_`` order: built once per batch (the linear stage, then the shortlist's
        rows, read the same)."""
        q = int(batch.rows[0])
        return batch.cached("profile.history", lambda: st.history_of_rows_ @ dense_line(st.history_weighted_, q))

    def add_linear(self, batch, w, score):
        p = batch.ctx.profiles
        if p is None or self.industry_mode != "alike" or self.history_mode != "alike":
            return super().add_linear(batch, w, score)  # the complement modes: column by column
        st = self.state(batch.ctx)
        c = batch.ctx.cities
        q = int(batch.rows[0])
        cq = c.country[q]
        if w[0]:
            # Cities without tags of their own carry their region's vector: score the
            # regions, then put the cities with their own tags right.
            vq = st.industry_effective_[q]
            region_part = st.region_vectors_ @ vq
            score.region += w[0] * region_part
            part = st.city_vectors_ @ vq
            part -= region_part[st.own_regions_]
            part *= w[0]
            score.city[st.own_rows_] += part
        if w[1] and st.industry_known_[q]:
            score.city[st.own_rows_] += w[1]
        if w[2]:
            score.city[st.history_rows_] += w[2] * self._history_of_rows(batch, st)
        corridor = p.diaspora_corridor
        score.country += (
            w[3] * st.group_shared_[cq, :, 0]
            + w[4] * st.group_shared_[cq, :, 1]
            + w[5] * np.log1p(corridor[:, cq]) / 10.0
            + w[6] * np.log1p(corridor[cq]) / 10.0
        )
        if w[7]:
            # The query is a centre of the candidate country's community, or the candidate of the query's.
            in_query = dense_line(p.diaspora_city, q) > 0
            in_query[cq] = False
            score.country += w[7] * in_query
            centres = line(st.diaspora_by_origin_, cq)[0]
            extra = centres[(~in_query[c.country[centres]]) & (c.country[centres] != cq)]
            score.city[extra] += w[7]

    def describe(self, column, batch, qpos, cand, value):
        ctx = batch.ctx
        p, c = ctx.profiles, ctx.cities
        if p is None or not value:
            return None
        q = int(batch.rows[qpos])
        cq, cc = int(c.country[q]), int(c.country[cand])
        names = c.countries.names
        st = self.state(ctx)
        if column == "industry_overlap":
            eff = st.industry_effective_
            tq, tc = _tags(eff[q], p.industry_tags), _tags(eff[cand], p.industry_tags)
            if self.industry_mode == "complement":
                extra = [t for t in tc if t not in tq]
                return f"complements {c.name[q]} with {_pretty(extra)}" if extra else None
            shared = [t for t in tq if t in tc]
            if not shared:
                return None
            level = "" if st.industry_known_[q] and st.industry_known_[cand] else " (regional or national profile)"
            return f"shared industry: {_pretty(shared)}{level}"
        if column == "history_overlap":
            hq = set(p.history_city[q].indices)
            shared = [p.history_tags[j] for j in p.history_city[cand].indices if j in hq]
            if self.history_mode == "complement" or not shared:
                return None
            return "both " + ", ".join(HISTORY_PHRASES.get(t, t) for t in shared[:3])
        if column in ("historic_country_tie", "alliance_tie"):
            member = st.group_member_
            both = np.flatnonzero(member[cq] & member[cc])
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


def _idf(count, carriers):
    """Rarity weights of tags carried by ``count`` of ``carriers`` cities (0 for unused tags)."""
    n = max(float(carriers), 1.0)
    return np.where(count > 0, np.log((n + 1.0) / (count + 1.0)) + 1.0, 0.0)


def _unit(m):
    norm = np.linalg.norm(m, axis=1, keepdims=True)
    return np.divide(m, norm, out=np.zeros_like(m, dtype=np.float64), where=norm > 0)


def _tags(vec, tags):
    return [tags[j] for j in np.flatnonzero(vec > 0)]


def _pretty(tags):
    return ", ".join(t.replace("_", " ") for t in tags)
