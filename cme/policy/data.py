"""Loading the shipped policy values and discipline lists (data migrations call these)."""

import csv
import json
from pathlib import Path

DATA = Path(__file__).parent / "data"


def policy_rows() -> list[dict]:
    """Every (year, key) row of data/policy.json: the defaults, overlaid per year."""
    raw = json.loads((DATA / "policy.json").read_text(encoding="utf-8"))
    rows = []
    for year, overrides in raw["years"].items():
        for key, spec in {**raw["defaults"], **overrides}.items():
            rows.append(
                {
                    "year": int(year),
                    "province": spec.get("province", ""),
                    "key": key,
                    "value": spec["value"],
                    "verified": spec.get("verified", True),
                    "source": spec.get("source", ""),
                }
            )
    return rows


def load_policy(model) -> int:
    """Insert the shipped rows that are missing; never overwrite an administrator's edit."""
    existing = set(model.objects.values_list("year", "province", "key"))
    new = [
        model(**row)
        for row in policy_rows()
        if (row["year"], row["province"], row["key"]) not in existing
    ]
    model.objects.bulk_create(new)
    return len(new)


def load_disciplines(model) -> int:
    existing = set(model.objects.values_list("year", "secondary_code", "tertiary_code"))
    new = []
    for path in sorted(DATA.glob("disciplines-*.csv")):
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                key = (int(row["year"]), row["secondary_code"], row["tertiary_code"])
                if key not in existing:
                    new.append(
                        model(
                            year=key[0],
                            secondary_code=row["secondary_code"],
                            secondary_name=row["secondary_name"],
                            tertiary_code=row["tertiary_code"],
                            tertiary_name=row["tertiary_name"],
                        )
                    )
    model.objects.bulk_create(new)
    return len(new)
