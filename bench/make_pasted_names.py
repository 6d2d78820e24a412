"""Build tests/data/pasted_names.csv: town names as people paste them into partner lists.

    python bench/make_pasted_names.py [--seed 2026] [--out tests/data/pasted_names.csv]

Each row is a spelling, an optional country, the GeoNames id it means, and its form.
Forms are generated from the GeoNames pool itself (a town with its region, a district
with its city, a town with a descriptor, a numbered district, two neighbouring towns
written as one merged name), plus a few spellings of the kinds seen in public partner
lists, written here by hand (spellings only: no partnership is recorded anywhere).

The expected answer is decided from the data alone, never by asking the resolver: a
spelling is kept only where its meaning is clear from the table (the name is unique in
its region, the district is the only place so called near its city, ...).
"""

import argparse
import csv
import re
from pathlib import Path

import numpy as np

from sistermatch import load_cities
from sistermatch.regions import region_names
from sistermatch.text import fold

EARTH_KM = 6371.0088

# Spellings of the kinds seen in public partner lists (Wikipedia tables, council
# spreadsheets): text, country column, and the place meant (name, country, admin1 or "").
HANDWRITTEN = [
    ("Queens (New York)", "", ("Queens", "US", "NY")),
    ("Favoriten (Vienna)", "", ("Favoriten", "AT", "09")),
    ("Vienna – Favoriten", "", ("Favoriten", "AT", "09")),
    ("Mitte (Berlin)", "", ("Mitte", "DE", "16")),
    ("Berlin-Mitte", "", ("Mitte", "DE", "16")),
    ("Berlin-Spandau", "", ("Spandau", "DE", "16")),
    ("Gniezno (rural gmina)", "", ("Gniezno", "PL", "86")),
    ("Hildesheim (district)", "", ("Hildesheim", "DE", "06")),
    ("Havana – Plaza de la Revolución", "", ("Plaza de la Revolución", "CU", "02")),
    ("Prague 10", "", ("Prague", "CZ", "52")),
    ("Praha 5", "", ("Prague", "CZ", "52")),
    ("Budapest XIII", "", ("Budapest XIII. kerület", "HU", "05")),
    ("Budapest XI.", "", ("Budapest XI. kerület", "HU", "05")),
    ("Paris 16e", "", ("Paris 16 Passy", "FR", "11")),
    ("Paris XVe", "", ("Paris 15 Vaugirard", "FR", "11")),
    ("Lyon 3e", "", ("Lyon 03", "FR", "84")),
    ("Lyon 8e arrondissement", "", ("Lyon 08", "FR", "84")),
    ("Bucharest Sector 3", "", ("Sector 3", "RO", "10")),
    ("Springfield, IL", "", ("Springfield", "US", "IL")),
    ("Springfield, Illinois", "", ("Springfield", "US", "IL")),
    ("Springfield, US, MA", "", ("Springfield", "US", "MA")),
    ("Springfield, MO, US", "", ("Springfield", "US", "MO")),
    ("Portland, Oregon", "", ("Portland", "US", "OR")),
    ("Portland, ME", "", ("Portland", "US", "ME")),
    ("Athens, GA", "", ("Athens", "US", "GA")),
    ("Athens (Georgia)", "US", ("Athens", "US", "GA")),
    ("Birmingham, AL", "", ("Birmingham", "US", "AL")),
    ("Perth (Scotland)", "", ("Perth", "GB", "SCT")),
    ("Toledo (Ohio)", "", ("Toledo", "US", "OH")),
    ("Toledo, Spain", "", ("Toledo", "ES", "54")),
    ("Washington, D.C.", "", ("Washington", "US", "DC")),
    ("Frankfurt (Oder)", "", ("Frankfurt (Oder)", "DE", "11")),
    ("Halle (Saale)", "", ("Halle (Saale)", "DE", "14")),
    ("City of Coventry", "GB", ("Coventry", "GB", "ENG")),
    ("Kraków (city county)", "", ("Kraków", "PL", "77")),
    ("Évry-Courcouronnes", "", ("Évry", "FR", "11")),
    ("Cherbourg-Octeville", "", ("Cherbourg", "FR", "28")),
    ("Mönchengladbach-Rheydt", "", ("Mönchengladbach", "DE", "07")),
    ("Gmina Kórnik", "", ("Kórnik", "PL", "86")),
    ("Comune di Siena", "", ("Siena", "IT", "16")),
    ("Stadt Erlangen", "", ("Erlangen", "DE", "02")),
    ("Zürich (canton of Zürich)", "", ("Zürich", "CH", "ZH")),
    ("Lucerne (Switzerland)", "", ("Luzern", "CH", "LU")),
    # A borough named after two merged localities: the larger part is meant, as for towns.
    ("Coventry (West Midlands)", "", ("Coventry", "GB", "ENG")),
    ("London, Ontario", "", ("London", "CA", "08")),
    ("Tempelhof-Schöneberg (Berlin)", "", ("Schöneberg", "DE", "16")),
]

DESCRIPTORS = {
    "PL": ["{} (rural gmina)", "{} (urban gmina)", "Gmina {}", "{} (town)"],
    "DE": ["{} (district)", "Stadt {}", "{} (town)", "{} (municipality)"],
    "FR": ["{} (commune)", "{} (town)", "{} (city)"],
    "GB": ["City of {}", "{} (town)", "{} (borough)", "Borough of {}"],
    "IT": ["Comune di {}", "{} (municipality)", "{} (comune)"],
    "US": ["City of {}", "{} (city)", "Town of {}", "{} (town)"],
    "": ["{} (municipality)", "{} (city)", "{} (town)", "{} (district)"],
}


class Pool:
    def __init__(self, cities):
        self.c = cities
        self.names = region_names()
        self.codes = np.asarray(cities.countries.codes, dtype=object)[cities.country]

    def near(self, row, km):
        cos = self.c.xyz @ self.c.xyz[row]
        return np.flatnonzero(cos >= np.cos(km / EARTH_KM))

    def km(self, a, b):
        return EARTH_KM * float(np.arccos(np.clip(self.c.xyz[a] @ self.c.xyz[b], -1, 1)))

    def named(self, name):
        return self.c.rows_named(fold(name))

    def place(self, name, country, admin1):
        rows = [
            r
            for r in self.named(name)
            if self.codes[r] == country
            and (not admin1 or self.c.admin1[r] == admin1)
            and self.c.folded_name[r] == fold(name)
        ]
        if not rows:
            raise SystemExit(f"handwritten place not in the pool: {name}, {country}, {admin1}")
        return max(rows, key=lambda r: self.c.population[r])

    def simple(self, row):
        """A name a person would type and paste without qualifiers of its own."""
        name = str(self.c.name[row])
        return re.fullmatch(r"[^\W\d_]+(?:[ '][^\W\d_]+){0,2}", name) is not None


def region_form(pool, rng, n):
    """ "<town> (<region name>)", "<town>, <code>": a town whose name recurs elsewhere but
    not in its own region."""
    c, out = pool.c, []
    known = np.array([bool(pool.names.name(pool.codes[r], c.admin1[r])) for r in range(len(c))])
    cand = np.flatnonzero(known & (c.population >= 3000))
    for r in rng.permutation(cand):
        if len(out) >= n:
            break
        if not pool.simple(r):
            continue
        same = pool.named(c.name[r])
        if len(same) < 2 or (c.region[same] == c.region[r]).sum() != 1:
            continue
        cc, code, region = pool.codes[r], c.admin1[r], pool.names.name(pool.codes[r], c.admin1[r])
        choices = [f"{c.name[r]} ({region})", f"{c.name[r]}, {region}"]
        if cc == "US":
            choices += [f"{c.name[r]}, {code}", f"{c.name[r]}, {code}, US", f"{c.name[r]}, US, {code}"]
        out.append((choices[rng.integers(len(choices))], "", int(c.geonameid[r]), "region"))
    return out


def parent_forms(pool, rng, n):
    """Districts and suburbs with their city: "<district> (<city>)", "<city> – <district>",
    "<city>-<district>"; kept where the district is the nearest place so called to the city."""
    c, out = pool.c, []
    big = np.flatnonzero(c.population >= 400_000)
    pairs = []
    for p in big:
        if not pool.simple(p):
            continue
        for r in pool.near(p, 15.0):
            if r == p or c.population[r] < 5000 or c.population[r] * 10 > c.population[p] or not pool.simple(r):
                continue
            if fold(c.name[p]) in fold(c.name[r]) or fold(c.name[r]) in fold(c.name[p]):
                continue
            # The district must be the nearest place so called (a second one further out
            # is left in: the resolver has to prefer the nearer).
            same = pool.named(c.name[r])
            if min(pool.km(p, s) for s in same) < pool.km(p, r):
                continue
            pairs.append((p, r))
    for i in rng.permutation(len(pairs))[:n]:
        p, r = pairs[i]
        text = [f"{c.name[r]} ({c.name[p]})", f"{c.name[p]} – {c.name[r]}", f"{c.name[p]}-{c.name[r]}"][i % 3]
        form = "hyphen district" if "-" in text and "–" not in text else "parent city"
        out.append((text, "", int(c.geonameid[r]), form))
    return out


def descriptor_form(pool, rng, n):
    """ "<town> (rural gmina)", "City of <town>" for towns of 5,000 people or more that no
    namesake outnumbers tenfold. Where a namesake is near its size the name alone is
    unclear, and a refusal is the right answer."""
    c, out = pool.c, []
    cand = np.flatnonzero(c.population >= 5000)
    for r in rng.permutation(cand):
        if len(out) >= n:
            break
        if not pool.simple(r):
            continue
        same = pool.named(c.name[r])
        if c.population[same].max() >= 10 * c.population[r]:
            continue  # a namesake ten times larger is "the largest by far": the name means it
        pattern = DESCRIPTORS.get(pool.codes[r], DESCRIPTORS[""])
        out.append((pattern[rng.integers(len(pattern))].format(c.name[r]), "", int(c.geonameid[r]), "descriptor"))
    return out


ROMAN = [
    "",
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
    "XXI",
    "XXII",
    "XXIII",
]


def district_number_form(pool, rng, n):
    """ "Paris 16e", "Lyon 3e", "Budapest XIII" from the pool's numbered districts; "Prague 10",
    "Wien 7" where the pool has no numbered entry (the city is meant)."""
    c, out = pool.c, []
    numbered = re.compile(r"^(?P<city>Paris|Lyon|Marseille) (?P<n>\d\d)\b|^Budapest (?P<r>[IVX]+)\. kerület$")
    for r in range(len(c)):
        m = numbered.match(str(c.name[r]))
        if not m:
            continue
        if m["r"]:
            k = ROMAN.index(m["r"])
            texts = [f"Budapest {m['r']}", f"Budapest {m['r']}.", f"Budapest District {m['r']}", f"Budapest {k}"]
        else:
            k = int(m["n"])
            suffix = "er" if k == 1 else "e"
            texts = [
                f"{m['city']} {k}{suffix}",
                f"{m['city']} {k}",
                f"{m['city']} {k}{suffix} arrondissement",
                f"{m['city']} {ROMAN[k]}{suffix}",
            ]
        out.append((texts[rng.integers(len(texts))], "", int(c.geonameid[r]), "district number"))
    for city, country, admin1, top in (("Prague", "CZ", "52", 22), ("Wien", "AT", "09", 23), ("Praha", "CZ", "52", 22)):
        row = pool.place("Vienna" if city == "Wien" else "Prague", country, admin1)
        for k in rng.choice(np.arange(1, top + 1), size=4, replace=False):
            out.append((f"{city} {k}", "", int(c.geonameid[row]), "district number"))
    order = rng.permutation(len(out))[:n]
    return [out[i] for i in sorted(order)]


def merged_form(pool, rng, n):
    """Two neighbouring towns of one order of size written as one merged municipality
    ("Évry-Courcouronnes"); the larger is meant. Kept where the hyphenated name is not
    itself in the pool (another pair so called elsewhere is left in: that is a refusal)."""
    c, out = pool.c, []
    cand = np.flatnonzero((c.population >= 3000) & (c.population < 200_000))
    for a in rng.permutation(cand):
        if len(out) >= n:
            break
        if not pool.simple(a) or " " in str(c.name[a]):
            continue
        for b in pool.near(a, 8.0):
            if b == a or c.population[b] < 3000 or not pool.simple(b) or " " in str(c.name[b]):
                continue
            big, small = (a, b) if c.population[a] >= c.population[b] else (b, a)
            if c.population[big] > 5 * c.population[small] or pool.codes[a] != pool.codes[b]:
                continue
            text = f"{c.name[a]}-{c.name[b]}"
            if len(pool.named(text)):
                continue
            out.append((text, "", int(c.geonameid[big]), "merged name"))
            break
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "tests" / "data" / "pasted_names.csv"))
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    pool = Pool(load_cities())
    rows = [
        (text, country, int(pool.c.geonameid[pool.place(*where)]), "public list")
        for text, country, where in HANDWRITTEN
    ]
    rows += region_form(pool, rng, 70)
    rows += parent_forms(pool, rng, 75)
    rows += descriptor_form(pool, rng, 60)
    rows += district_number_form(pool, rng, 40)
    rows += merged_form(pool, rng, 50)
    # Spreadsheets often carry a country column beside the town: fill it for a quarter of
    # the generated spellings (the handwritten ones say what they say).
    by_id = {int(g): r for r, g in enumerate(pool.c.geonameid)}
    rows = [
        (text, pool.codes[by_id[gid]] if form != "public list" and rng.random() < 0.25 else country, gid, form)
        for text, country, gid, form in rows
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "country", "expected_geonameid", "form"])
        w.writerows(rows)
    forms = {}
    for *_, form in rows:
        forms[form] = forms.get(form, 0) + 1
    print(f"wrote {len(rows)} spellings to {args.out}: " + ", ".join(f"{k} {v}" for k, v in sorted(forms.items())))


if __name__ == "__main__":
    main()
