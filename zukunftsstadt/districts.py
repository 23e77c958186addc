"""The Kreise of Germany by the first five digits of the AGS, so that a search for a Kreis
finds the records located in its Kommunen.

The names come from the Destatis district list (04-kreise.xlsx, Stand 31.12.2018, CC BY 4.0)
as the npm package `landkreise-deutschland` ships it; `make districts` regenerates
`data/districts.json` from that package:

    python -m zukunftsstadt.districts PATH/TO/package/data/districts.json
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "districts.json"
SOURCE = ("Statistisches Bundesamt (Destatis), Kreisfreie Städte und Landkreise, Stand "
          "31.12.2018, CC BY 4.0; npm-Paket landkreise-deutschland 3.0.0")
_OWN_NAME = ("Region ", "Städteregion ", "Regionalverband ")  # names that say what they are


@cache
def _table() -> dict[str, str]:
    return json.loads(DATA.read_text(encoding="utf-8"))["districts"]


def name_of(ags: str) -> str | None:
    """The Kreis a Kommune lies in, as people name it ("Landkreis Uckermark",
    "Vogelsbergkreis"); None for a kreisfreie Stadt, which is its own Kommune."""
    return _table().get(ags[:5])


def all_names() -> list[str]:
    return sorted(set(_table().values()))


def label(kind: str, name: str) -> str | None:
    """How a district is named in text; None for kreisfreie Städte."""
    if kind in ("Kreisfreie Stadt", "Stadtkreis"):
        return None
    if name.casefold().endswith("kreis") or name.startswith(_OWN_NAME):
        return name
    return f"{kind} {name}"


def convert(rows: list[dict[str, object]]) -> dict[str, object]:
    """The package's `data/districts.json` rows as the table this module reads."""
    table = {}
    for row in rows:
        name = label(str(row["type"]), str(row["name"]))
        if name:
            table[str(row["AGS"]).zfill(5)] = name
    return {"source": SOURCE, "districts": dict(sorted(table.items()))}


if __name__ == "__main__":
    converted = convert(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
    DATA.write_text(json.dumps(converted, ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8")
    print(f"{len(converted['districts'])} Kreise in {DATA}")  # type: ignore[arg-type]
