"""Hostile or broken input yields precise structured issues, never an exception."""

from __future__ import annotations

import pytest

from services.declaration.ceb import codes
from services.declaration.ceb.xml_codec import decode_xml
from services.declaration.ceb.xml_security import XmlLimits, secure_parse
from tests.declaration.unit.ceb_testdata import official_bytes

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE ceb:CEB311Message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0">
&xxe;</ceb:CEB311Message>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><lolz>&lol2;</lolz>"""
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a/>'


def only_code(data: bytes, limits: XmlLimits | None = None) -> str:
    result = decode_xml(data, limits)
    assert result.message is None and len(result.issues) >= 1
    return result.issues[0].code


def test_external_entity_is_refused_as_doctype() -> None:
    assert only_code(XXE) == codes.XML_DOCTYPE_FORBIDDEN


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    assert only_code(BILLION_LAUGHS) == codes.XML_DOCTYPE_FORBIDDEN


def test_external_dtd_reference_is_refused() -> None:
    assert only_code(EXTERNAL_DTD) == codes.XML_DOCTYPE_FORBIDDEN


def test_doctype_after_a_comment_is_still_found_in_the_prolog() -> None:
    assert only_code(b"<?xml version='1.0'?>\n<!-- hi -->\n<!DOCTYPE a><a/>") == codes.XML_DOCTYPE_FORBIDDEN


def test_doctype_is_reported_on_its_line() -> None:
    assert secure_parse(XXE).issues[0].line == 2


def test_gbk_bytes_declared_utf8_are_reported_with_offset_and_line() -> None:
    data = '<?xml version="1.0" encoding="UTF-8"?>\n<a>中文</a>'.encode("gbk")
    issue = secure_parse(data).issues[0]
    assert (issue.code, issue.line, "offset 42" in issue.message) == (
        codes.XML_BAD_BYTES_FOR_ENCODING,
        2,
        True,
    )


def test_undeclared_non_utf8_input_is_reported_as_bad_bytes() -> None:
    issue = secure_parse("<a>中文</a>".encode("gbk")).issues[0]
    assert issue.code == codes.XML_BAD_BYTES_FOR_ENCODING and "no encoding declared" in issue.message


def test_declared_gbk_is_refused_unless_configured() -> None:
    assert (
        only_code('<?xml version="1.0" encoding="GBK"?><a>中</a>'.encode("gbk"))
        == codes.XML_ENCODING_NOT_ALLOWED
    )


def test_declared_gbk_parses_when_the_encoding_is_allowed() -> None:
    data = '<?xml version="1.0" encoding="GBK"?><a>中</a>'.encode("gbk")
    parsed = secure_parse(data, XmlLimits(allowed_encodings=("UTF-8", "GBK")))
    assert parsed.root is not None and parsed.root.text == "中"


def test_unknown_declared_encoding_is_refused() -> None:
    assert only_code(b'<?xml version="1.0" encoding="X-NOPE"?><a/>') == codes.XML_ENCODING_NOT_ALLOWED


def test_utf16_input_is_refused_by_default() -> None:
    assert only_code("<a/>".encode("utf-16")) == codes.XML_ENCODING_NOT_ALLOWED


def test_nesting_beyond_the_configured_depth_is_refused() -> None:
    assert only_code(b"<a>" * 40 + b"</a>" * 40) == codes.XML_TOO_DEEP


def test_nesting_beyond_libxml2s_own_limit_is_still_reported_as_too_deep() -> None:
    assert only_code(b"<a>" * 5000 + b"</a>" * 5000) == codes.XML_TOO_DEEP


def test_input_over_the_configured_size_is_refused_before_parsing() -> None:
    assert only_code(official_bytes("import", "CEB311"), XmlLimits(max_bytes=1024)) == codes.XML_TOO_LARGE


@pytest.mark.parametrize(
    "garbage",
    [b"\x00\x01\x02\xff", b"not xml at all", b"<a><b></a>", b'{"json": true}', b"<a>&undefined;</a>"],
)
def test_non_xml_garbage_is_a_format_error(garbage: bytes) -> None:
    assert only_code(garbage) in {codes.XML_MALFORMED, codes.XML_BAD_BYTES_FOR_ENCODING}


def test_empty_input_is_reported_as_empty() -> None:
    assert only_code(b"  \n") == codes.XML_EMPTY


def test_wrong_root_in_the_ceb_namespace_is_an_unknown_message() -> None:
    data = b'<ceb:CEB999Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1"/>'
    assert only_code(data) == codes.XML_UNKNOWN_MESSAGE


def test_right_root_in_the_wrong_namespace_is_refused() -> None:
    data = official_bytes("import", "CEB311").replace(b"http://www.chinaport.gov.cn/ceb", b"urn:other")
    assert only_code(data) == codes.XML_NOT_CEB_NAMESPACE


def test_schema_error_carries_line_element_and_json_pointer() -> None:
    data = official_bytes("import", "CEB311").replace(b"<ceb:acturalPaid>19050<", b"<ceb:acturalPaid>abc<", 1)
    issue = decode_xml(data).issues[0]
    assert (issue.code, issue.element, issue.pointer) == (
        codes.SCHEMA_INVALID,
        "ceb:acturalPaid",
        "/records/0/head/acturalPaid",
    )


def test_schema_messages_use_prefixes_not_lxml_clark_notation() -> None:
    issues = decode_xml(official_bytes("export", "CEB303")).issues
    assert all("{" not in issue.message for issue in issues)


def test_passing_text_instead_of_bytes_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        secure_parse("<a/>")  # type: ignore[arg-type]
