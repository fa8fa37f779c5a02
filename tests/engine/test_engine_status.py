"""engine status: hosts with and without Hosted Engine, as a table and as JSON."""

import json

import pytest

from .conftest import PASSWORD, SDK_MISSING

pytest.importorskip("ovirtsdk4", reason=SDK_MISSING)


def test_status_table_shows_he_fields_and_hosts_without_he(engine, run):
    engine.add_host("he-1", he=True)
    engine.add_host("he-2", he=True).he.local_maintenance = True
    engine.add_host("plain", status="maintenance")
    result = run(engine, "status")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == ["HOST", "STATUS", "HE", "ACTIVE", "SCORE", "LOCAL-MAINT",
                                "GLOBAL-MAINT"]
    assert lines[1].split() == ["he-1", "up", "yes", "yes", "3400", "no", "no"]
    assert lines[2].split() == ["he-2", "up", "yes", "yes", "3400", "yes", "no"]
    assert lines[3].split() == ["plain", "maintenance", "no", "-", "-", "-", "-"]


def test_status_json_and_the_all_content_request(engine, run):
    he_host = engine.add_host("he-1", he=True)
    engine.add_host("plain")
    result = run(engine, "status", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data == [
        {"name": "he-1", "id": he_host.id, "status": "up", "hosted_engine": {
            "configured": True, "active": True, "score": 3400, "local_maintenance": False,
            "global_maintenance": False}},
        {"name": "plain", "id": engine.host("plain").id, "status": "up",
         "hosted_engine": None},
    ]
    [listing] = engine.find("GET", "/api/hosts")
    assert listing.query == {"all_content": "true"}
    assert listing.headers["All-Content"] == "true"
    # The connection was closed: the SSO token was revoked.
    assert engine.find("POST", "/sso-logout")
    assert PASSWORD not in result.text
