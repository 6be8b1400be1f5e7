"""Every worked example of the docs and the OpenAPI is a filing the service accepts (issue 13 §5).

The JSON example of each type is filed as it stands, on its resource; the XML example is
the same message as CEB XML — filed too, with its business number made unique (the JSON
filing already holds the example's number, and a second would be a duplicate).
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from services.declaration.ceb.catalogue import spec_for
from services.declaration.documents.kinds import all_types, document_type
from services.declaration.intake.examples import answer_example, example_types, json_example, xml_example
from services.declaration.intake.schemas import FilingAnswer
from services.declaration.prechecks.ownership import CODE_FIELDS
from tests.declaration.service.conftest import Api
from tests.declaration.service.test_official_samples import owner_of_codes

DOCS = Path(__file__).parents[3] / "docs" / "declaration-examples.md"
#: Partners before the documents that name them, as an integrator would file.
ORDER = ("CEB311", "CEB411", "CEB511", "CEB621", "CEB513", "CEB711", "CEB623", "CEB625",
         "CEB303", "CEB403", "CEB505", "CEB603", "CEB507", "CEB509", "CEB607", "CEB605",
         "CEB213", "CEB215", "CEB701")  # fmt: skip


def test_every_declaration_type_has_an_example() -> None:
    assert set(example_types()) == {t.message_type for t in all_types()} == set(ORDER)
    for message_type in example_types():
        FilingAnswer.model_validate(answer_example(message_type))


async def test_every_example_is_accepted_as_json_and_as_xml(api: Api) -> None:
    for message_type in ORDER:
        doc_type = document_type(message_type)
        assert doc_type is not None
        data = json_example(message_type)
        body = json.dumps(data, ensure_ascii=False).encode()
        owner = owner_of_codes(xml_example(message_type).encode())
        response = await api.post_json(body, owner, doc_type.path)  # type: ignore[arg-type]
        assert response.status_code == 200, (message_type, response.text)
        assert all(record["accepted"] for record in response.json()["records"]), response.text

        xml = unique_numbers(xml_example(message_type), message_type)
        response = await api.post_xml(xml, owner, doc_type.path)  # type: ignore[arg-type]
        assert response.status_code == 200, (message_type, response.text)
        assert all(record["accepted"] for record in response.json()["records"]), response.text


def test_the_docs_show_each_example() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for message_type in example_types():
        assert json.dumps(json_example(message_type), ensure_ascii=False, indent=2) in text, message_type
        assert xml_example(message_type).strip() in text, message_type


def unique_numbers(xml: str, message_type: str) -> bytes:
    """The XML example with its business numbers and guids changed (its JSON twin holds the originals).

    tests/e2e/test_readme_walk.py files the examples through a running platform with it too.
    """
    spec = spec_for(message_type)
    assert spec is not None
    root = etree.fromstring(xml.encode())
    for element in root.iter():
        if (
            isinstance(element.tag, str)
            and element.text
            and etree.QName(element).localname
            in {
                *spec.key_fields,
                "guid",
            }
            - set(CODE_FIELDS)
        ):
            element.text = element.text[:-1] + ("Y" if element.text[-1] != "Y" else "Z")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
