"""Names: the same or a near name (Toledo and Toledo, Berat and Bérat)."""

from .base import FeatureBlock

__all__ = ["NameFeatures"]


class NameFeatures(FeatureBlock):
    """Same folded name, and the same first five letters (a playful near-name)."""

    name = "name"
    columns = ("same_name", "name_prefix")

    def compute(self, batch, qpos, cand):
        c = batch.ctx.cities
        q = batch.query(qpos)
        same = c.name_key[q] == c.name_key[cand]
        return self.stack(same, (c.name_prefix_key[q] == c.name_prefix_key[cand]) & ~same)

    def describe(self, column, batch, qpos, cand, value):
        c = batch.ctx.cities
        q = int(batch.rows[qpos])
        if column == "same_name" and value:
            return f"both named {c.name[cand]}"
        if column == "name_prefix" and value:
            return f"similar names: {c.name[q]} and {c.name[cand]}"
        return None
