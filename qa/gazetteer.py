"""Country and city names, Arabic -> English, from the Unicode CLDR (babel's locale data: 295
territories and ~420 exemplar cities of the time-zone database), so an English answer says "Vienna" or
"Austria" for فيينا / النمسا by lookup, for any corpus, instead of a 1.5B model's transliteration."""
from __future__ import annotations

import re
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
        if city and (english := _english_city(en, zone)):
            out.setdefault(normalize(city), english)
    return out


def _english_city(en: Locale, zone: str) -> str | None:
    """A time zone's city in English ("Europe/Zurich" -> "Zurich"); None for a zone that names no city
    ("UTC", "Etc/GMT+1", the Antarctic stations)."""
    if "/" not in zone or zone.startswith(("Etc/", "Antarctica/")):
        return None
    return (en.time_zones.get(zone) or {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")


@lru_cache(maxsize=1)
def regions() -> dict[str, str]:
    """Normalised Arabic name -> English name of the CLDR's continents (أوروبا, آسيا): places a question
    can name, though a model, not this table, renders them in an answer. One-word names only: a region's
    name has other wordings ("وسط آسيا" in the CLDR, "آسيا الوسطى" in the news), and its continent
    ("Central Asia" names "Asia") is checked anyway."""
    ar, en = Locale("ar"), Locale("en")
    return {normalize(name): en.territories[code] for code, name in ar.territories.items()
            if code.isdigit() and code != "001" and code in en.territories and " " not in name.strip()}


@lru_cache(maxsize=1)
def _countries_of_cities() -> dict[str, str]:
    """English city name -> the English name of its country, from the time-zone database's cities."""
    from babel.core import get_global

    en, territory_of = Locale("en"), get_global("zone_territories")
    out: dict[str, str] = {}
    for zone, code in territory_of.items():
        if code in en.territories and (city := _english_city(en, zone)):
            out.setdefault(city, en.territories[code])
    return out


def country_of(place: str) -> str | None:
    """'Moscow' -> 'Russia': the country of a CLDR city; None for a country, a region or an unknown name."""
    return _countries_of_cities().get(place)


def english(arabic: str, table: dict[str, str] | None = None) -> str | None:
    """'النمسا' -> 'Austria', 'وفيينا' -> 'Vienna'; None for a name the CLDR does not list. table: another
    name table (`regions()`); the CLDR places by default."""
    name = normalize(arabic).strip(" .,،:;\"'()")
    table = places() if table is None else table
    # a glued و / ب / ل ("وفيينا", "بالنمسا"); ل before ال drops the ا ("للنمسا" is ل + "النمسا")
    forms = (name, name[1:] if name[:1] in "وبل" else name, "ال" + name[2:] if name.startswith("لل") else name)
    for form in forms:
        if form in table:
            return table[form]
    return None


@lru_cache(maxsize=1)
def _english_names() -> re.Pattern[str]:
    names = sorted(set(places().values()), key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(n) for n in names) + r")(?![A-Za-z])")


def named(question: str, language: str, with_regions: bool = False) -> list[str]:
    """The CLDR places a question names, in English ("Brussels", "Belarus"; Arabic questions by lookup
    of each word, "بروكسل" -> "Brussels"); with_regions: continents and regions too ("Europe", أوروبا)."""
    if language == "en":
        found = _english_names().findall(question)
        if with_regions:
            found += [r for r in set(regions().values()) if re.search(rf"(?<![A-Za-z]){re.escape(r)}(?![A-Za-z])", question)]
        return list(dict.fromkeys(found))
    words = re.findall(r"[\u0621-\u064a]+", question)
    grams = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    found = [english(g, table) for table in ([places(), regions()] if with_regions else [places()]) for g in grams]
    return list(dict.fromkeys(f for f in found if f))


def mentions(text: str, place: str) -> bool:
    """Whether a text names the place: its English name, or an Arabic name of it or its adjective
    (روسيا ~ الروسي / الروسية, أوكرانيا ~ الأوكراني), with a glued و / ب / ل / ال."""
    if re.search(rf"(?<![A-Za-z]){re.escape(place)}", text, re.I):
        return True
    forms = {a for a, e in [*places().items(), *regions().items()] if e == place}
    stems = {f[2:] if f.startswith("ال") else f for f in forms}
    adjectives = {s[:-1] if s.endswith("يا") else (s[:-1] if s.endswith("ا") else s) + "ي" for s in stems if " " not in s}
    squeezed = {_squeeze(s) for s in stems} - {""}
    words = [normalize(w) for w in re.findall(r"[\u0621-\u064a]+", text)]
    for w, nxt in zip(words, words[1:] + [""]):
        for cand in (w, f"{w} {nxt}"):
            bare = {cand, cand[1:] if cand[:1] in "وبلف" and len(cand) > 3 else cand}
            bare |= {"ال" + c[2:] for c in bare if c.startswith("لل")}
            bare |= {c[2:] for c in bare if c.startswith("ال")}
            if bare & stems or bare & adjectives or {c[:-1] for c in bare if c.endswith("ه")} & adjectives:
                return True
            if {_squeeze(c) for c in bare} & squeezed:  # لوس أنجلس ~ لوس انجلوس
                return True
    return False


def _squeeze(name: str) -> str:
    """A name without its long vowels, when three letters or more remain (spellings vary in them)."""
    out = re.sub(r"(?<=\S)[اوي]", "", name)
    return out if len(out.replace(" ", "")) >= 3 else ""
