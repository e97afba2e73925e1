"""The readers on files of every dialect partners use, and properties that hold for any content."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carrefour.errors import ConfigError, HarvestError
from loader.feeds import FeedSpec, Problem, Record, read_feed
from tests.harvest.conftest import fast_settings


def read(tmp_path: Path, data: bytes, name: str = "feed.csv", **feed: object) -> list[Record | Problem]:
    path = tmp_path / name
    path.write_bytes(data)
    table = {"format": "csv", "source": str(path), **feed}
    return list(read_feed(FeedSpec.from_table(table), fast_settings(), tmp_path / "cache"))


@pytest.mark.parametrize(
    ("data", "feed"),
    [
        ("\ufeffnom,cp\r\nCrèche « Les Lutins »,4000\r\n".encode(), {}),  # UTF-8 with BOM, CRLF
        ("nom;cp\nCrèche « Les Lutins »;4000\n".encode("cp1252"), {"encoding": "cp1252"}),  # Windows, ';'
        ("nom\tcp\nCrèche « Les Lutins »\t4000\n".encode("latin-1"), {"encoding": "latin-1", "format": "tsv"}),
        ('"nom","cp"\n"Crèche « Les Lutins »","4000"\n'.encode(), {"delimiter": ","}),
    ],
)
def test_csv_dialects_and_encodings(tmp_path: Path, data: bytes, feed: dict[str, object]) -> None:
    (record,) = read(tmp_path, data, **feed)
    assert isinstance(record, Record)
    assert record.fields == {"nom": "Crèche « Les Lutins »", "cp": "4000"}  # values stay the partner's strings


def test_multi_line_quoted_fields_keep_their_line_numbers(tmp_path: Path) -> None:
    data = b'id,adresse\n1,"12 rue X,\n29200"\n2,"Place Y"\n3,a,b\n'
    items = read(tmp_path, data)
    assert [i.origin for i in items] == ["line 2", "line 4", "line 5"]
    assert items[0].fields["adresse"] == "12 rue X,\n29200"
    assert isinstance(items[2], Problem) and "3 fields where the header has 2" in items[2].message


def test_u_fffd_damage_is_kept_as_written(tmp_path: Path) -> None:
    (record,) = read(tmp_path, "nom;cp\nBiblioth\ufffdque;4000\n".encode(), delimiter=";")
    assert record.fields["nom"] == "Biblioth\ufffdque"


def test_json_records_by_path_and_geojson_points(tmp_path: Path) -> None:
    document = {"data": {"items": [{"id": 1, "nom": "A"}, "not a record"]}}
    items = read(tmp_path, json.dumps(document).encode(), "f.json", format="json", records="data.items")
    assert items[0] == Record({"id": 1, "nom": "A"}, "$.data.items[0]")
    assert isinstance(items[1], Problem) and items[1].origin == "$.data.items[1]"
    point = {"type": "Point", "coordinates": [-4.5, 48.4]}
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 7, "properties": {"name": "Lab"}, "geometry": point}
    ]}  # fmt: skip
    (feature,) = read(tmp_path, json.dumps(collection).encode(), "f.geojson", format="geojson")
    assert feature.fields == {"name": "Lab", "_id": 7, "_geometry_type": "Point", "_longitude": -4.5, "_latitude": 48.4}


def test_rdf_records_are_resources_with_predicate_fields(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "data/samples/essglobal-vocab-rdf/legal-form.skos"
    spec = FeedSpec.from_table({"format": "rdf", "source": str(sample), "rdf_format": "rdf",
                                "record_types": ["http://www.w3.org/2004/02/skos/core#Concept"]})  # fmt: skip
    records = list(read_feed(spec, fast_settings(), tmp_path))
    ids = [r.fields["@id"] for r in records]
    assert ids[0] == "http://purl.org/essglobal/standard/legal-form/L1" and len(ids) == 5
    labels = records[1].fields["http://www.w3.org/2004/02/skos/core#prefLabel"]
    assert {"@value": "Cooperative", "@language": "en"} in labels


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"format": "csv", "source": "x.csv", "delimter": ";"}, "unknown option 'delimter'"),
        ({"format": "json", "source": "x.json", "delimiter": ";"}, "unknown option 'delimiter' for format json"),
        ({"format": "csv", "source": "x.csv", "encoding": "utf-9"}, "unknown encoding"),
        ({"format": "xls", "source": "x.xls"}, "format must be one of"),
        ({"format": "sparql", "endpoint": "http://x/sparql", "query": "SELECT * WHERE {?s ?p ?o}"}, "ORDER BY"),
        ({"format": "webpages"}, "needs a sitemap"),
        ({"format": "csv", "source": "ftp://x/y.csv"}, "only http\\(s\\) URLs"),
        ({"format": "csv", "source": "x.csv", "hosts": ["https://cdn.example.org/"]}, "option 'hosts'.* not a host"),
        ({"format": "csv", "source": "x.csv", "hosts": ["cdn.example.org:https"]}, "option 'hosts'"),
        ({"format": "csv", "source": "x.csv", "allow_private_addresses": "yes"}, "must be true or false"),
    ],
)
def test_bad_feed_options_are_config_errors_naming_them(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FeedSpec.from_table(table)


def test_a_csv_without_header_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(HarvestError, match="no header line"):
        read(tmp_path, b"")


cells = st.text(alphabet=st.characters(codec="cp1252", exclude_characters="\x00\r"), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-8-sig"]),
    terminator=st.sampled_from(["\n", "\r\n"]),
)
def test_any_csv_written_by_a_csv_writer_reads_back(
    tmp_path: Path, rows: list[list[str]], delimiter: str, encoding: str, terminator: str
) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=terminator, quoting=csv.QUOTE_ALL)
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    items = read(tmp_path, out.getvalue().encode(encoding), delimiter=delimiter,
                 encoding="utf-8" if encoding == "utf-8-sig" else encoding)  # fmt: skip
    assert [i.fields for i in items if isinstance(i, Record)] == [dict(zip("abc", row, strict=True)) for row in rows]
    assert not [i for i in items if isinstance(i, Problem)]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(st.dictionaries(st.text(max_size=10), json_values, max_size=5), max_size=6))
def test_any_json_list_of_objects_reads_back(tmp_path: Path, records: list[dict[str, object]]) -> None:
    items = read(tmp_path, json.dumps(records, ensure_ascii=False).encode(), "f.json", format="json")
    assert [i.fields for i in items] == records
    assert [i.origin for i in items] == [f"$[{n}]" for n in range(len(records))]
