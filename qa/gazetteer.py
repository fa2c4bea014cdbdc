"""Country and city names, Arabic -> English, from the Unicode CLDR (babel's locale data: 295
territories and ~420 exemplar cities of the time-zone database), so an English answer says "Vienna" or
"Austria" for فيينا / النمسا by lookup, for any corpus, instead of a 1.5B model's transliteration."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale

from index.text import normalize


@lru_cache(maxsize=1)
def places() -> dict[str, str]:
    """Normalised Arabic name -> English name."""
    ar, en = Locale("ar"), Locale("en")
    out: dict[str, str] = {}
    for code, name in ar.territories.items():
        english = en.territories.get(code)
        if english and not code.isdigit():  # "001" is the world, "150" Europe: regions stay with the model
            out[normalize(name)] = english
    for zone, names in ar.time_zones.items():
        city = names.get("city")
        english = (en.time_zones.get(zone) or {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")
        if city and "/" in zone and not zone.startswith(("Etc/", "Antarctica/")):
            out.setdefault(normalize(city), english)
    return out


def english(arabic: str) -> str | None:
    """'النمسا' -> 'Austria', 'وفيينا' -> 'Vienna'; None for a name the CLDR does not list."""
    name = normalize(arabic).strip(" .,،:;\"'()")
    table = places()
    # a glued و / ب / ل ("وفيينا", "بالنمسا"); ل before ال drops the ا ("للنمسا" is ل + "النمسا")
    forms = (name, name[1:] if name[:1] in "وبل" else name, "ال" + name[2:] if name.startswith("لل") else name)
    for form in forms:
        if form in table:
            return table[form]
    return None
