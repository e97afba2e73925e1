"""Make the bundled samples of the real partner feeds, personal data removed.

    python data/samples/make_samples.py --feeds ../shared/data/partners --more-feeds ../shared/data/partners-more

Each sample keeps a few tens of records of one feed, in the same format, encoding,
line endings and quirks as the original (BOM, CRLF, U+FFFD damage, 4-digit postal
codes, float-ified codes, HTML in values, placeholder identifiers…), chosen so the
traps stay: placeholder ids, one SIREN for several places, the same name in
different towns, a person's name in an organisation field, and the overlaps
between partners.  Rows the scrubbing does not touch are copied byte for byte.

Personal data is removed: every e-mail address that is not an organisation's
generic mailbox and every phone number (in any field, free text included) becomes
empty; contact-person fields are emptied; the records that name a private person
as a place keep their identifier (so the partner configs' exclusions still have
something to exclude) with the person replaced by an obviously fictitious name.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loader.geo import damaged_name_pattern, fold
from loader.privacy import EMAIL_REMOVED, PHONE_REMOVED, is_functional_email, redact

HERE = Path(__file__).resolve().parent
HUB_DU_SUD = "hub-du-sud-mednum-json/20230517-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.json"
FICTITIOUS_PERSON = "Camille Exemple"


def scrub_text(text: str) -> str:
    """Personal e-mails and phone numbers removed (generic organisation mailboxes kept)."""
    cleaned, removed = redact(text)
    if not removed:
        return text
    for marker in (EMAIL_REMOVED, PHONE_REMOVED):
        cleaned = cleaned.replace(f" ({marker})", "").replace(marker, "")
    return "\n".join(" ".join(line.split()) for line in cleaned.splitlines()).strip()


def scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


# -- CSV: copy the raw text of untouched rows, rewrite only the scrubbed ones ----------------------


def csv_rows(text: str, delimiter: str) -> tuple[list[str], list[tuple[list[str], str]]]:
    """Header and (row, raw text of the row) pairs, multi-line quoted fields included."""
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(iter(lines), delimiter=delimiter)
    header = next(reader)
    consumed = reader.line_num
    rows = []
    for row in reader:
        raw = "".join(lines[consumed : reader.line_num])
        consumed = reader.line_num
        rows.append((row, raw))
    return header, rows


def write_csv_sample(
    source: Path,
    target: Path,
    delimiter: str,
    keep: Callable[[dict[str, str], int], bool],
    edit: Callable[[dict[str, str]], dict[str, str]] = lambda r: r,
) -> int:
    data = source.read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    terminator = "\r\n" if "\r\n" in text[:5000] else "\n"
    header, rows = csv_rows(text, delimiter)
    header_raw = io.StringIO(text, newline="").readline()
    out = io.StringIO(newline="")
    out.write(header_raw)
    writer = csv.writer(out, delimiter=delimiter, lineterminator=terminator)
    kept = 0
    for index, (row, raw) in enumerate(rows):
        record = dict(zip(header, row, strict=False))
        if not keep(record, index):
            continue
        changed = {k: scrub(v) for k, v in edit(dict(record)).items()}
        kept += 1
        if changed == record:
            out.write(raw)
        else:
            writer.writerow([changed.get(name, "") for name in header])
    target.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    return kept


# -- the feeds -----------------------------------------------------------------------------------


def maplabbzh(feeds: Path, out: Path) -> int:
    ids = {"1", "3", "4", "5", "6", "8", "9", "12", "17", "19", "22", "23", "25", "29", "31", "46", "50", "55",
           "56", "57", "63", "64", "72", "73", "76", "77", "99", "103", "109", "113", "117", "120", "121"}  # fmt: skip
    document = json.loads((feeds / "maplabbzh-geojson/map_bzh_fablab.geojson").read_text(encoding="utf-8"))
    features = []
    for feature in document["features"]:
        if feature["properties"]["id"] in ids:
            feature["properties"] = {**scrub(feature["properties"]), "tel": ""}
            features.append(feature)
    document["features"] = features
    text = json.dumps(document, ensure_ascii=False, indent="\t")
    (out / "map_bzh_fablab.geojson").write_text(text + "\n", encoding="utf-8")
    return len(features)


def hub_du_sud(feeds: Path, out: Path, regionsud_pairs: set[str]) -> int:
    name = Path(HUB_DU_SUD).name
    records = json.loads((feeds / HUB_DU_SUD).read_text(encoding="utf-8"))
    wanted = {0, 1, 2, 85, 104, 105, 145, 168, 171, 172, 281, 315, 318, 328, 346, 556, 575, 582, 587, 601, 604,
              607, 611, 613, 614, 645}  # fmt: skip
    epoch = [i for i, r in enumerate(records) if r.get("date_maj") == "1970-01-01"][:3]
    kept = []
    for index, record in enumerate(records):
        if index in wanted or index in epoch or _pair(record["nom"], record.get("commune", "")) in regionsud_pairs:
            record = scrub(record)
            record.pop("telephone", None)
            if record["id"] == "mediation-numerique-france-tiers-lieux-61267deb82ef2249277bb16f":
                record["nom"] = FICTITIOUS_PERSON  # a private person's name, published upstream as a place
            kept.append(record)
    (out / name).write_text(json.dumps(kept, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(kept)


def _pair(name: str, commune: str) -> str:
    return f"{fold(name)}|{fold(commune)}"


def regionsud(feeds: Path, out: Path) -> tuple[int, set[str]]:
    """The raw Région Sud file; returns the (name, commune) pairs it shares with Hub du Sud."""
    folder = "regionsud-inclusion-numerique-csv"
    name = "regionsud-lieux-dinclusion-numerique-2022_v2.csv"
    hub = json.loads((feeds / HUB_DU_SUD).read_text(encoding="utf-8"))
    hub_pairs = {_pair(r["nom"], r.get("commune", "")) for r in hub}
    named = ("Avenir 84", "P@Je", "Association Pasteur  Avenir Jeunesse", "D'Clic Lab", "Fab'Alpes", "Les Satellites",
             "Make It Marseille", "zae joncquier")  # fmt: skip
    shared: set[str] = set()
    counts = {"exact": 0, "damaged": 0, "generic": 0, "four-digit": 0}

    def keep(row: dict[str, str], index: int) -> bool:
        name_, commune = row["nom"], row["adresse_commune"]
        if name_.strip().startswith(named):
            return True
        pair = _pair(name_, commune)
        pattern = damaged_name_pattern(name_)
        if pair in hub_pairs and counts["exact"] < 8 and len(fold(name_)) > 12:
            counts["exact"] += 1
            shared.add(pair)
            return True
        if pattern is not None and counts["damaged"] < 6 and "Tiers" in row["type_lieu"]:
            counts["damaged"] += 1
            return True
        if fold(name_) == "biblioth que" and counts["generic"] < 3:
            counts["generic"] += 1
            return True
        if len(row["adresse_code_postal"]) == 4 and counts["four-digit"] < 5:
            counts["four-digit"] += 1
            return True
        return False

    kept = write_csv_sample(feeds / folder / name, out / name, ";", keep)
    return kept, shared


def ess_numerique(feeds: Path, out: Path) -> tuple[int, int]:
    folder = feeds / "ess-numerique-tierslieux-csv"

    def edit_place(row: dict[str, str]) -> dict[str, str]:
        if row["ID_UNIQUE"] == "131.0":  # a private person's name and sole-trader SIREN, published as a place
            return {**row, "NOM": FICTITIOUS_PERSON, "siren": "", "INTERNET": ""}
        return row

    places = write_csv_sample(folder / "03_tierslieux_numerique.csv", out / "03_tierslieux_numerique.csv", ",",
                              lambda row, index: True, edit_place)  # fmt: skip
    per_kind: dict[str, int] = {}
    specific = {"430402446", "503831935", "432887982", "810404871", "062201199"}

    def keep(row: dict[str, str], index: int) -> bool:
        if row["siren"] == "528704117":
            return False  # a sole trader: a person
        if row["siren"] in specific or "tiers_lieux" in row["sources"]:
            return True
        kind = f"{row['sources']}|{row['famille_ess']}"
        per_kind[kind] = per_kind.get(kind, 0) + 1
        return per_kind[kind] <= 3

    units = write_csv_sample(folder / "x_consolidated.csv", out / "x_consolidated.csv", ",", keep)
    return places, units


def hub_lo(feeds: Path, out: Path) -> int:
    gids = {1, 19, 20, 22, 31, 32, 33, 34, 88, 116, 118, 130, 147, 162, 172, 186, 187, 190, 193, 223, 227, 229,
            232, 233, 280, 281, 314, 462, 497, 498, 514}  # fmt: skip
    records = json.loads((feeds / "hub-lo-centre-val-de-loire-json/hub-lo.json").read_text(encoding="utf-8"))
    kept = []
    for record in records:
        if record["gid"] not in gids:
            continue
        record = scrub(record)
        for private in ("c_telephone", "c_mobile", "c__userid_modification"):
            record[private] = ""
        if record["c_contacts"] not in ("", "#N/D"):
            record["c_contacts"] = ""  # names of contact persons
        if record["c_initial_agent"] not in ("", 1, "1"):
            record["c_initial_agent"] = ""
        kept.append(record)
    (out / "hub-lo.json").write_text(json.dumps(kept, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(kept)


def dsi4eu(feeds: Path, out: Path) -> int:
    names = {"450", "Artilect FabLab Toulouse", "Assemblee Virtuelle", "Association Dedale", "Avenir 84", "Dedale",
             "Fab Lab La Casemate", "Framasoft", "Groupe SOS", "I Wheel Share", "La Paillasse", "Open Food Facts",
             "OuiShare", "SIMPLON.CO", "We Sign It", "Wesign.it"}  # fmt: skip
    other_countries: dict[str, int] = {}

    def keep(row: dict[str, str], index: int) -> bool:
        name = row["Organisation name"].strip()
        if name in names or name.startswith(("CEREHC", "CERHEC")):
            return True
        country = row["Country"]
        other_countries[country] = other_countries.get(country, 0) + 1
        limit = 6 if country == "France" else 2
        return country in ("France", "United Kingdom", "Spain", "") and other_countries[country] <= limit

    return write_csv_sample(feeds / "dsi4eu-organisations-csv/organisations.csv", out / "organisations.csv", ",", keep)


def coopcycle(feeds: Path, out: Path) -> int:
    records = json.loads((feeds / "coopcycle-coops-json/coops.json").read_text(encoding="utf-8"))
    kept = [scrub(record) for record in records]
    (out / "coops.json").write_text(json.dumps(kept, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(kept)


def essglobal(feeds: Path, out: Path) -> int:
    for name in ("legal-form.skos", "organisational-structure.skos"):
        text = (feeds / "essglobal-vocab-rdf" / name).read_text(encoding="utf-8")
        cleaned, removed = redact(text)  # the authors' personal addresses, next to their names
        if removed:
            text = cleaned.replace(f" ({EMAIL_REMOVED})", "").replace(EMAIL_REMOVED, "")
        (out / name).write_text(text, encoding="utf-8")
    return 30


# -- the partners that joined with fifteen: ../shared/data/partners-more ---------------------------


def write_json(records: list[Any], target: Path, indent: int | None, final_newline: bool) -> None:
    """A JSON array in the original's layout (one line, or pretty-printed; with or without a final newline)."""
    separators = (",", ":") if indent is None else None
    text = json.dumps(records, ensure_ascii=False, indent=indent, separators=separators)
    target.write_text(text + ("\n" if final_newline else ""), encoding="utf-8")


def conseillers_numeriques(feeds: Path, out: Path) -> int:
    """Placeholders, homonym CCAS, a repeated SIRET, SIRENs shared with the ESS Numérique and HUB-LO samples,
    host structures of La Réunion, Corsica and Maine-et-Loire (the regional files' places)."""
    records = json.loads((feeds / "conseillers-numeriques-json/cnfs.json").read_text(encoding="utf-8"))
    repeated = [r["id"] for r in records if r["siret"] == "40036201800089"][:2]
    ids = {1, 2, 3, 7, 475, 106, 111, 112, 249, 466, 1279, 1294, 1322, 1363, 367, 403, 405, 1296, 1297, 1300,
           1359, 1361, 1362, 1370, *repeated}  # fmt: skip
    kept = [scrub(r) for r in records if r["id"] in ids]
    write_json(kept, out / "cnfs.json", None, True)
    return len(kept)


def centres_sociaux(feeds: Path, out: Path) -> int:
    """Ids listed twice, towns cut to their first word, postal codes in free text, Paris arrondissements."""
    wanted = {"91", "92", "93", "94", "95"}
    counts: dict[str, int] = {}

    def keep(row: dict[str, str], index: int) -> bool:
        town, code = row["ville"].strip(), row["code_postal"].strip()
        kinds = {
            "listed twice": row["id"] in wanted,
            "cut town": town in ("Saint", "Sainte", "Villeneuve"),
            "free postal code": not code.isdigit(),
            "arrondissement": "ARRONDISS" in town,
            "no town": not town,
            "plain": index % 150 == 7,
        }
        kind = next((k for k, v in kinds.items() if v), None)
        if kind is None:
            return False
        counts[kind] = counts.get(kind, 0) + 1
        return kind == "listed twice" or counts[kind] <= 4

    folder = feeds / "centres-sociaux-csv"
    return write_csv_sample(folder / "data_centre_sociaux.csv", out / "data_centre_sociaux.csv", ",", keep)


def engagement_citoyen(feeds: Path, out: Path) -> int:
    """Every programme and level of territory, territories in several programmes, the spreadsheet error."""
    name = "engagement-citoyen-Engagement_citoyen (9).csv"
    counts: dict[tuple[str, str], int] = {}

    def keep(row: dict[str, str], index: int) -> bool:
        if row["codgeo"].startswith("#") or row["codgeo"] in ("33318", "64"):
            return True
        kind = (row["Dispositif"], row["echelon"])
        counts[kind] = counts.get(kind, 0) + 1
        return counts[kind] <= 3

    folder = feeds / "engagement-citoyen-csv"
    return write_csv_sample(folder / name, out / name, ",", keep)


def ultranum(feeds: Path, out: Path) -> int:
    """Each kind of place, an organisation with two places; contact persons emptied."""
    records = json.loads((feeds / "ultranum-gogocarto-json/ultra-num.json").read_text(encoding="utf-8"))
    per_kind: dict[str, int] = {}
    kept = []
    for record in records:
        kind = record["Type de lieu"]
        per_kind[kind] = per_kind.get(kind, 0) + 1
        if per_kind[kind] <= 3 or record["Nom de l'organisation"].startswith("AREP"):
            record = scrub(record)
            for private in ("Contact : nom", "Contact : email", "Contact : téléphone", "Fixe", "Mobile"):
                record[private] = ""
            kept.append(record)
    write_json(kept, out / "ultra-num.json", 2, False)
    return len(kept)


def maine_et_loire(feeds: Path, out: Path) -> int:
    """Each kind of place, places without a name, closed places, numbers as text; phones emptied."""
    records = json.loads((feeds / "maine-et-loire-mednum-json/maine-et-loire.json").read_text(encoding="utf-8"))
    per_kind: dict[str, int] = {}
    kept = []
    for record in records:
        kind = record["SS_CAT"]
        per_kind[kind] = per_kind.get(kind, 0) + 1
        closed = record["AFFICHAGE"] == "INACTIF" and per_kind[kind] < 6
        if per_kind[kind] <= 2 or not record["NOM_STRUCTURE"] or closed:
            record = scrub(record)
            record["NUM_TEL"] = ""
            kept.append(record)
    write_json(kept, out / "maine-et-loire.json", 2, False)
    return len(kept)


def corse(feeds: Path, out: Path) -> int:
    """Each kind of actor, the latitude with a longitude leaked in, one name for several sites; people emptied."""
    records = json.loads((feeds / "corse-mednum-json/corse.json").read_text(encoding="utf-8"))
    per_kind: dict[str, int] = {}
    kept = []
    for record in records:
        kind = record["Type"]
        per_kind[kind] = per_kind.get(kind, 0) + 1
        shared_name = record["Structure"].startswith("Communauté d’Agg")
        if per_kind[kind] <= 3 or record["Structure"] == "A Prova" or shared_name:
            record = scrub(record)
            record["Contact"] = record["N° de téléphone"] = record["Conseiller numérique"] = None
            kept.append(record)
    write_json(kept, out / "corse.json", 4, False)
    return len(kept)


def repaircafes(feeds: Path, out: Path) -> int:
    """Cafés with two sessions, the two activities at one address, exceptions; volunteers' mailboxes scrubbed."""
    records = json.loads((feeds / "repaircafes-amsterdam-json/cafes.json").read_text(encoding="utf-8"))
    kept = [
        scrub(r)
        for index, r in enumerate(records)
        if index < 12 or len(r["rrule"]) > 1 or r["name"].startswith("Afvalpaleis") or "BYSETPOS=-1" in r["rrule"][0]
    ]
    for record in kept:
        if not is_functional_email(record.get("email", "")):
            record["email"] = ""
    write_json(kept, out / "cafes.json", 2, False)
    return len(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=Path, required=True, help="folder of the full feeds (../shared/data/partners)")
    parser.add_argument("--more-feeds", type=Path, help="folder of the later feeds (../shared/data/partners-more)")
    args = parser.parse_args()
    feeds: Path = args.feeds

    def folder(name: str) -> Path:
        path = HERE / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    counts: dict[str, object] = {}
    counts["maplabbzh"] = maplabbzh(feeds, folder("maplabbzh-geojson"))
    counts["regionsud"], shared = regionsud(feeds, folder("regionsud-inclusion-numerique-csv"))
    counts["hub-du-sud"] = hub_du_sud(feeds, folder("hub-du-sud-mednum-json"), shared)
    counts["ess-numerique (places, units)"] = ess_numerique(feeds, folder("ess-numerique-tierslieux-csv"))
    counts["hub-lo"] = hub_lo(feeds, folder("hub-lo-centre-val-de-loire-json"))
    counts["dsi4eu"] = dsi4eu(feeds, folder("dsi4eu-organisations-csv"))
    counts["coopcycle"] = coopcycle(feeds, folder("coopcycle-coops-json"))
    counts["essglobal"] = essglobal(feeds, folder("essglobal-vocab-rdf"))
    more: Path | None = args.more_feeds
    if more is not None:
        counts["conseillers-numeriques"] = conseillers_numeriques(more, folder("conseillers-numeriques-json"))
        counts["centres-sociaux"] = centres_sociaux(more, folder("centres-sociaux-csv"))
        counts["engagement-citoyen"] = engagement_citoyen(more, folder("engagement-citoyen-csv"))
        counts["ultranum"] = ultranum(more, folder("ultranum-gogocarto-json"))
        counts["maine-et-loire"] = maine_et_loire(more, folder("maine-et-loire-mednum-json"))
        counts["corse"] = corse(more, folder("corse-mednum-json"))
        counts["repaircafes-amsterdam"] = repaircafes(more, folder("repaircafes-amsterdam-json"))
    for name, count in counts.items():
        print(f"{name}: {count} records")


if __name__ == "__main__":
    main()
