"""Reference data: Lianyungang's districts and zones, parks and incubation bases."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.gateway.parties.reference import (
    DistrictKind,
    ParkKind,
    ReferenceData,
    district_by_division_code,
    get_district,
    get_park,
    list_districts,
    list_parks,
    load_reference_data,
    parks_in_district,
)

STATUTORY = {
    "320706": "海州区",
    "320703": "连云区",
    "320707": "赣榆区",
    "320722": "东海县",
    "320723": "灌云县",
    "320724": "灌南县",
}
ZONES = {
    "lyg_etdz": "连云港经济技术开发区",
    "lyg_hitech_zone": "连云港高新技术产业开发区",
    "xuwei_new_area": "徐圩新区（连云港石化产业基地）",
    "lyg_comprehensive_bonded_zone": "连云港综合保税区",
    "yuntaishan_scenic_area": "云台山风景名胜区",
    "haizhou_bay_resort": "连云港海州湾旅游度假区",
}


def test_city() -> None:
    city = load_reference_data().city
    assert (city.name_zh, city.division_code) == ("连云港市", "320700")


def test_districts_and_counties_with_their_division_codes() -> None:
    statutory = [d for d in list_districts() if d.kind is not DistrictKind.FUNCTIONAL_ZONE]
    assert {d.division_code: d.name_zh for d in statutory} == STATUTORY
    assert {d.id for d in list_districts(DistrictKind.COUNTY)} == {"donghai", "guanyun", "guannan"}
    assert {d.id for d in list_districts(DistrictKind.DISTRICT)} == {"haizhou", "lianyun", "ganyu"}


def test_functional_zones_have_stable_ids_and_no_division_code() -> None:
    zones = list_districts(DistrictKind.FUNCTIONAL_ZONE)
    assert {z.id: z.name_zh for z in zones} == ZONES
    assert all(z.division_code is None and z.host_division_codes for z in zones)
    assert all(z.name_en for z in zones)


def test_lookups() -> None:
    donghai = district_by_division_code("320722")
    assert donghai is not None and donghai.id == "donghai"
    assert get_district("lyg_comprehensive_bonded_zone") is not None
    assert get_district("nowhere") is None
    assert district_by_division_code("320000") is None
    assert get_park("no_such_park") is None


def test_the_crystal_incubator_named_by_the_policy() -> None:
    crystal = get_park("donghai_crystal_export_incubator")
    assert crystal is not None
    assert crystal.kind is ParkKind.INCUBATION_BASE
    assert crystal.district_id == "donghai" and crystal.source == "policy"
    assert "水晶" in crystal.name_zh
    assert crystal in parks_in_district("donghai")


def test_parks_are_labelled_and_point_at_known_districts() -> None:
    parks = list_parks()
    assert list_parks(ParkKind.INDUSTRIAL_PARK) and list_parks(ParkKind.INCUBATION_BASE)
    for park in parks:
        assert get_district(park.district_id) is not None
        assert park.source in {"policy", "illustrative", "certified"}
    # Nothing but the policy-named base claims to be more than illustrative yet.
    assert {p.id for p in parks if p.source != "illustrative"} == {"donghai_crystal_export_incubator"}


def test_models_are_frozen() -> None:
    with pytest.raises(ValidationError):
        list_districts()[0].name_zh = "x"  # type: ignore[misc]


def _data(**changes: object) -> dict[str, object]:
    loaded = load_reference_data().model_dump(mode="json")
    loaded.update(changes)
    return loaded


def test_inconsistent_data_is_refused() -> None:
    good = _data()
    ReferenceData.model_validate(good)
    bad_park = dict(good["parks"][0], district_id="atlantis")  # type: ignore[index]
    with pytest.raises(ValidationError, match="unknown district_id"):
        ReferenceData.model_validate(_data(parks=[bad_park]))
    duplicate = list(good["districts"]) + [good["districts"][0]]  # type: ignore[call-overload,index]
    with pytest.raises(ValidationError, match="duplicate district ids"):
        ReferenceData.model_validate(_data(districts=duplicate))
    zone_with_code = dict(good["districts"][6], division_code="320799")  # type: ignore[index]
    with pytest.raises(ValidationError, match="functional zone"):
        ReferenceData.model_validate(_data(districts=[*good["districts"][:6], zone_with_code]))  # type: ignore[index]
    outside = dict(good["districts"][0], division_code="320102")  # type: ignore[index]
    with pytest.raises(ValidationError, match="not in Lianyungang"):
        ReferenceData.model_validate(_data(districts=[outside, *good["districts"][1:]]))  # type: ignore[index]
