"""The admin's pages over HTTP against a real clinic server on SQLite and PostgreSQL: the accounts
(add with a role, team and a password typed twice; disable) and the audit log (newest first,
filtered, 100 a page); admins only, every change audited, every form refused without its CSRF token.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.browser_fixtures import csrf_of, web_client
from tests.clinic_fixtures import ADMIN_EMAIL, PASSWORD, ClinicServer, login

ANA = "ana@clinic.test"


@pytest.fixture
def clinic(clinic_server: ClinicServer) -> ClinicServer:
    clinic_server.physio(ANA, "north")
    clinic_server.user("cara@clinic.test", "clinician")
    return clinic_server


def audit_rows(server: ClinicServer) -> list[dict[str, Any]]:
    answer = server.request("GET", "/api/v1/audit", server.admin_token)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def new_user_form(csrf: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf": csrf,
        "email": "dan@clinic.test",
        "role": "physio",
        "team": "north",
        "password": "a long enough password",
        "password_again": "a long enough password",
    }
    return {**form, **changes}


def field_error(page: str, field_id: str) -> str:
    """The error shown at a field (its aria-describedby element's text), '' when none."""
    tag = re.search(rf'<(?:input|select)[^>]*id="{field_id}"[^>]*>', page)
    assert tag, f"no field #{field_id}"
    if 'aria-invalid="true"' not in tag.group(0):
        return ""
    described = re.search(r'aria-describedby="([^"]+)"', tag.group(0))
    assert described, f"#{field_id} is invalid but names no error"
    found = re.search(rf'id="{described.group(1)}">([^<]*)<', page)
    assert found, f"the error of #{field_id} is not on the page"
    return html.unescape(found.group(1))


@pytest.mark.parametrize("email", [ANA, "cara@clinic.test"])
def test_admin_pages_are_for_admins_only(clinic: ClinicServer, email: str) -> None:
    with web_client(clinic, email) as client:
        csrf = csrf_of(client.get("/caseload").text) if client.get("/caseload").status_code == 200 else ""
        for path in ("/admin/users", "/admin/audit", "/admin/audit?patient=P-0042"):
            answer = client.get(path)
            assert answer.status_code == 403, path
            assert "needs the role admin" in answer.text
        answer = client.post("/admin/users", data=new_user_form(csrf))
        assert answer.status_code == 403
    assert all(row["action"] != "add user" or "dan@" not in (row["detail"] or "") for row in audit_rows(clinic))
    assert (
        clinic.request("POST", "/api/v1/login", json={"email": "dan@clinic.test", "password": "x"}).status_code == 401
    )


def test_admin_pages_send_a_logged_out_visitor_to_login(clinic: ClinicServer) -> None:
    import httpx

    for path in ("/admin/users", "/admin/audit"):
        answer = httpx.get(clinic.url + path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == f"/login?next={path}"


def test_admin_adds_a_user_who_can_then_log_in(clinic: ClinicServer) -> None:
    with web_client(clinic, ADMIN_EMAIL) as admin:
        listing = admin.get("/admin/users")
        assert listing.status_code == 200
        for email in (ADMIN_EMAIL, ANA, "cara@clinic.test"):
            assert f"<td>{email}</td>" in listing.text
        for field in ("new-email", "new-role", "new-team", "new-password", "new-password-again"):
            assert f'<label for="{field}">' in listing.text, f"#{field} has a label"
        answer = admin.post("/admin/users", data=new_user_form(csrf_of(listing.text), email=" Dan@Clinic.test "))
        assert answer.status_code == 303 and answer.headers["location"] == "/admin/users?added=dan%40clinic.test"
        shown = admin.get(answer.headers["location"]).text
        assert "Added dan@clinic.test." in shown and "<td>dan@clinic.test</td>" in shown
    assert login(clinic.url, "dan@clinic.test", "a long enough password")
    users = clinic.request("GET", "/api/v1/users", clinic.admin_token).json()
    [dan] = [u for u in users if u["email"] == "dan@clinic.test"]
    assert (dan["role"], dan["team"], dan["disabled"]) == ("physio", "north", False)
    [row] = [r for r in audit_rows(clinic) if r["action"] == "add user" and "dan@" in (r["detail"] or "")]
    assert (row["actor"], row["detail"]) == (ADMIN_EMAIL, "dan@clinic.test as physio in north")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"password_again": "a long enough passwort"}, "new-password-again", "The two passwords differ"),
        ({"password": "short", "password_again": "short"}, "new-password", "The password is too short"),
        ({"email": "not an address"}, "new-email", "'not an address' is not an email address"),
        ({"email": ANA}, "new-email", f"There is already an account for {ANA}"),
        ({"role": "superuser"}, "new-role", "Role 'superuser' is not known"),
        ({"team": "t" * 101}, "new-team", "at most 100 characters"),
    ],
)
def test_admin_form_shows_each_mistake_at_its_field_and_saves_nothing(
    clinic: ClinicServer, changes: dict[str, str], field: str, message: str
) -> None:
    before = clinic.request("GET", "/api/v1/users", clinic.admin_token).json()
    with web_client(clinic, ADMIN_EMAIL) as admin:
        csrf = csrf_of(admin.get("/admin/users").text)
        answer = admin.post("/admin/users", data=new_user_form(csrf, **changes))
    assert answer.status_code == 400
    assert message in field_error(answer.text, field)
    others = {"new-email", "new-role", "new-team", "new-password", "new-password-again"} - {field}
    assert all(field_error(answer.text, other) == "" for other in others)
    assert "a long enough pass" not in answer.text, "a password is never sent back"
    if field != "new-email":
        assert 'value="dan@clinic.test"' in answer.text, "what was typed is kept"
    assert clinic.request("GET", "/api/v1/users", clinic.admin_token).json() == before


def test_admin_form_without_its_csrf_token_is_refused(clinic: ClinicServer) -> None:
    with web_client(clinic, ADMIN_EMAIL) as admin:
        for csrf in ("", "f" * 64):
            assert admin.post("/admin/users", data=new_user_form(csrf)).status_code == 403
        ana = next(u for u in clinic.request("GET", "/api/v1/users", clinic.admin_token).json() if u["email"] == ANA)
        assert admin.post(f"/admin/users/{ana['id']}/disable", data={}).status_code == 403
    users = clinic.request("GET", "/api/v1/users", clinic.admin_token).json()
    assert "dan@clinic.test" not in [u["email"] for u in users]
    assert not next(u for u in users if u["email"] == ANA)["disabled"]


def test_admin_disables_a_user_whose_session_ends_at_once(clinic: ClinicServer) -> None:
    ana_id = next(
        u["id"] for u in clinic.request("GET", "/api/v1/users", clinic.admin_token).json() if u["email"] == ANA
    )
    with web_client(clinic, ANA) as ana, web_client(clinic, ADMIN_EMAIL) as admin:
        assert ana.get("/caseload").status_code != 303
        listing = admin.get("/admin/users").text
        assert f'action="/admin/users/{ana_id}/disable"' in listing
        answer = admin.post(f"/admin/users/{ana_id}/disable", data={"csrf": csrf_of(listing)})
        assert answer.status_code == 303
        shown = admin.get(answer.headers["location"]).text
        assert f"Disabled {ANA}." in shown and f'action="/admin/users/{ana_id}/disable"' not in shown
        assert ana.get("/caseload").status_code == 303, "her open session is over"
        me = next(
            u["id"] for u in clinic.request("GET", "/api/v1/users", clinic.admin_token).json() if u["role"] == "admin"
        )
        refused = admin.post(f"/admin/users/{me}/disable", data={"csrf": csrf_of(shown)})
        assert refused.status_code == 400 and "your own account" in refused.text
        assert admin.post("/admin/users/99999/disable", data={"csrf": csrf_of(shown)}).status_code == 404
    answer = clinic.request("POST", "/api/v1/login", json={"email": ANA, "password": PASSWORD})
    assert answer.status_code == 401
    [row] = [r for r in audit_rows(clinic) if r["action"] == "disable user"]
    assert (row["actor"], row["detail"]) == (ADMIN_EMAIL, ANA)


def _record(server: ClinicServer, rows: list[tuple[str, str, str | None]]) -> None:
    """Audit rows written straight into the server's database, as its code writes them."""
    from clinic import audit
    from clinic.config import ClinicConfig
    from clinic.db import open_database

    engine = open_database(ClinicConfig(db_url=server.db_url))
    try:
        with engine.begin() as conn:
            for actor, action, patient in rows:
                audit.record(conn, actor, action, patient, None)
    finally:
        engine.dispose()


def _table(page: str) -> list[list[str]]:
    body = page.split('<table id="audit-table"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", r, re.S)] for r in rows
    ]


def test_admin_audit_log_newest_first_filtered_and_100_a_page(clinic: ClinicServer) -> None:
    _record(clinic, [("cli:tester", f"step {n}", "P-0042" if n % 2 else "P-0077") for n in range(1, 251)])
    _record(clinic, [("device:abc", "push", "P-0042")])
    with web_client(clinic, ADMIN_EMAIL) as admin:
        first = admin.get("/admin/audit?actor=cli:tester")
        assert first.status_code == 200
        rows = _table(first.text)
        assert [r[2] for r in rows] == [f"step {n}" for n in range(250, 150, -1)], "the newest 100, newest first"
        assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
        third = _table(admin.get("/admin/audit?actor=cli:tester&page=3").text)
        assert [r[2] for r in third] == [f"step {n}" for n in range(50, 0, -1)]
        both = _table(admin.get("/admin/audit?actor=cli:tester&patient=P-0042").text)
        assert len(both) == 100 and {r[3] for r in both} == {"P-0042"} and both[0][2] == "step 249"
        patient = _table(admin.get("/admin/audit?patient=P-0042").text)
        # the newest: the view filtered by P-0042 just above, audited under that patient
        assert patient[0][1:4] == [ADMIN_EMAIL, "web view audit log", "P-0042"]
        assert patient[1][1:4] == ["device:abc", "push", "P-0042"]
        assert all(r[3] == "P-0042" for r in patient)
        everything = _table(admin.get("/admin/audit").text)
        assert everything[0][2] == "web view audit log", "reading the log is in the log"
        assert _table(admin.get("/admin/audit?actor=nobody@clinic.test").text) == []
        assert admin.get("/admin/audit?page=0").status_code in (400, 422)
    views = [r for r in audit_rows(clinic) if r["action"] == "web view audit log"]
    assert {r["patient_id"] for r in views} == {None, "P-0042"}


def test_admin_pages_escape_user_text(clinic: ClinicServer) -> None:
    clinic.user("eve@clinic.test", "physio", "<b>x</b><script>alert(1)</script>")
    _record(clinic, [("cli:tester", "<script>alert(2)</script>", "<i>P</i>")])
    with web_client(clinic, ADMIN_EMAIL) as admin:
        users = admin.get("/admin/users").text
        log = admin.get("/admin/audit").text
    assert "<script>alert(1)" not in users and "&lt;b&gt;x&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in users
    assert "<script>alert(2)" not in log and "&lt;script&gt;alert(2)&lt;/script&gt;" in log
    assert "<i>P</i>" not in log
