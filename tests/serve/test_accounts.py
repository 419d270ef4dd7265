"""Accounts: login sessions kept on the server, login throttling, user and key administration
(API and UI) with an audit trail."""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient

from models.router import Router
from serve import throttle as throttle_module
from serve.store.records import StoreError
from serve.throttle import LoginBusyError, LoginThrottle
from tests.serve.conftest import LiveServer, Service, service_with
from tests.serve.test_ui import csrf_of, login

pytestmark = pytest.mark.slow


def replay(service: Service, cookies: dict[str, str]) -> TestClient:
    """Another browser holding a copy of these cookies."""
    return TestClient(service.client.app, cookies=cookies)


def is_logged_in(client: TestClient) -> bool:
    return client.get("/antrian", follow_redirects=False).status_code == 200


def test_a_copied_cookie_dies_at_logout(service: Service) -> None:
    login(service)
    copied = replay(service, dict(service.client.cookies))
    assert is_logged_in(copied)
    page = service.client.get("/antrian")
    service.client.post("/logout", data={"csrf": csrf_of(page.text)})
    assert not is_logged_in(service.client)
    assert not is_logged_in(copied)  # the session ended on the server, not only here


def test_a_new_password_or_deactivation_ends_every_session(service: Service) -> None:
    login(service)
    elsewhere = replay(service, dict(service.client.cookies))
    service.store.set_password("siti", "sandi-baru-siti", actor="budi")
    assert not is_logged_in(service.client)
    assert not is_logged_in(elsewhere)
    login(service, password="sandi-baru-siti")
    assert is_logged_in(service.client)
    service.store.set_active("siti", False, actor="budi")
    assert not is_logged_in(service.client)
    assert service.client.get("/api/v1/reports", headers=service.staff).status_code == 401


def test_each_login_gets_a_session_of_its_own(service: Service) -> None:
    login(service)
    first = replay(service, dict(service.client.cookies))
    login(service)  # logging in again from the same browser replaces its session
    assert is_logged_in(service.client)
    assert not is_logged_in(first)


def try_login(client: TestClient, name: str, password: str) -> tuple[int, str | None]:
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": name, "password": password, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    return answer.status_code, answer.headers.get("retry-after")


def test_wrong_passwords_for_one_name_are_throttled(
    router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_with(router, monkeypatch, LAPOR_LOGIN_FAILURES_PER_USER="3") as client:
        client.app.state.store.add_user("siti", "staff", "kata-sandi-siti")
        checked = []
        authenticate = client.app.state.store.authenticate
        monkeypatch.setattr(
            client.app.state.store,
            "authenticate",
            lambda *args: checked.append(args[0]) or authenticate(*args),
        )
        assert [try_login(client, "siti", "salah-123")[0] for _ in range(3)] == [401] * 3
        status, retry = try_login(client, "Siti ", "kata-sandi-siti")
        assert status == 429
        assert 800 < int(retry) <= 900  # until the first failure leaves the 15-minute window
        assert len(checked) == 3  # a throttled try costs no password hash
        assert try_login(client, "budi", "salah-123")[0] == 401  # other names are not locked


def test_a_throttled_try_is_answered_only_after_a_delay_that_costs_no_cpu(
    router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    from serve.routes import ui

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(ui, "asyncio", SimpleNamespace(sleep=sleep))  # the login page's only
    with service_with(
        router, monkeypatch, LAPOR_LOGIN_FAILURES_PER_ADDRESS="2",
        LAPOR_LOGIN_THROTTLED_DELAY_SECONDS="1.5",
    ) as client:  # fmt: skip
        statuses = [try_login(client, f"orang{n}", "salah-123")[0] for n in range(3)]
    assert statuses == [401, 401, 429]
    assert slept == [1.5]  # only the throttled try waited


def test_wrong_passwords_from_one_address_are_throttled(
    router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_with(router, monkeypatch, LAPOR_LOGIN_FAILURES_PER_ADDRESS="4") as client:
        statuses = [try_login(client, f"orang{n}", "salah-123")[0] for n in range(5)]
        assert statuses == [401, 401, 401, 401, 429]
        page = client.get("/login")
        assert (
            "Terlalu banyak percobaan"
            in client.post(
                "/login", data={"username": "x", "password": "y", "csrf": csrf_of(page.text)}
            ).text
        )


def test_the_throttle_window_slides_and_a_right_password_clears_the_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1_000.0]
    monkeypatch.setattr(throttle_module.time, "monotonic", lambda: clock[0])
    throttle = LoginThrottle(per_user=2, per_address=3, window_seconds=60, hashes=1)
    throttle.failed("siti", "10.0.0.1")
    clock[0] += 10
    throttle.failed("siti", "10.0.0.1")
    assert throttle.retry_after("siti", "10.0.0.1") == 50  # the first failure leaves at +60
    assert throttle.retry_after("siti", "10.0.0.2") is None  # nobody is locked out everywhere
    clock[0] += 50
    assert throttle.retry_after("siti", "10.0.0.1") is None
    throttle.failed("siti", "10.0.0.1")
    throttle.succeeded("siti", "10.0.0.1")
    assert throttle.retry_after("siti", "10.0.0.1") is None
    throttle.failed("budi", "10.0.0.1")  # the address's third failure in the window
    assert throttle.retry_after("ani", "10.0.0.1") == 10  # the address kept its count


def test_a_name_attacked_from_many_addresses_still_takes_a_new_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1_000.0]
    monkeypatch.setattr(throttle_module.time, "monotonic", lambda: clock[0])
    throttle = LoginThrottle(
        per_user=10, per_address=30, window_seconds=60, hashes=1, per_user_everywhere=3
    )
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert throttle.retry_after("budi", address) is None
        throttle.failed("budi", address)
        clock[0] += 1
    assert throttle.retry_after("budi", "10.0.0.1") == 57  # failed here: no more tries
    assert throttle.retry_after("budi", "10.9.9.9") is None  # a new address gets its try
    assert throttle.retry_after("siti", "10.0.0.1") is None  # another name is not affected


def throttled_client(
    router: Router, monkeypatch: pytest.MonkeyPatch, **environment: str
) -> AbstractContextManager[TestClient]:
    return service_with(
        router,
        monkeypatch,
        LAPOR_LOGIN_FAILURES_PER_USER="3",
        LAPOR_LOGIN_THROTTLED_DELAY_SECONDS="0",
        **environment,
    )


def login_from(client: TestClient, address: str, name: str, password: str) -> int:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf": csrf_of(page.text)},
        headers={"X-Forwarded-For": address},
        follow_redirects=False,
    ).status_code


def test_wrong_passwords_from_one_address_never_lock_the_user_out_elsewhere(
    router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    with throttled_client(router, monkeypatch, LAPOR_TRUSTED_PROXIES="testclient") as client:
        client.app.state.store.add_user("budi", "admin", "kata-sandi-budi")
        wrong = [login_from(client, "203.0.113.7", "budi", "salah-123") for _ in range(4)]
        assert wrong == [401, 401, 401, 429]
        assert login_from(client, "198.51.100.2", "budi", "kata-sandi-budi") == 303


def test_forwarded_addresses_are_believed_only_from_trusted_proxies(
    router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    with throttled_client(router, monkeypatch) as client:  # no proxy trusted: the default
        statuses = [login_from(client, f"203.0.113.{n}", "budi", "salah-123") for n in range(1, 41)]
    assert statuses[:3] == [401] * 3
    assert set(statuses[3:]) == {429}  # forged addresses change nothing


def test_password_checks_run_a_bounded_number_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle_module, "HASH_WAIT_SECONDS", 0.05)
    throttle = LoginThrottle(per_user=5, per_address=5, window_seconds=60, hashes=1)

    async def two_at_once() -> None:
        async with throttle.turn():
            with pytest.raises(LoginBusyError):
                async with throttle.turn():
                    pass
        async with throttle.turn():  # the turn came back
            pass

    asyncio.run(two_at_once())


def test_admins_manage_users_and_keys_through_the_api(service: Service) -> None:
    client, admin = service.client, service.admin
    staff_key = service.staff["X-API-Key"]
    assert client.get("/api/v1/users", headers=service.staff).status_code == 403
    off = client.post("/api/v1/users/siti/deactivate", headers=admin)
    assert off.status_code == 200, off.text
    assert off.json()["active"] is False
    assert client.get("/api/v1/reports", headers=service.staff).status_code == 401  # at once
    assert client.post("/api/v1/users/siti/deactivate", headers=admin).status_code == 409
    assert client.post("/api/v1/users/siti/activate", headers=admin).status_code == 200
    assert client.get("/api/v1/reports", headers=service.staff).status_code == 200
    keys = client.get("/api/v1/keys", params={"user": "siti"}, headers=admin).json()
    assert [k["prefix"] for k in keys] == [staff_key[:8]]
    assert staff_key not in client.get("/api/v1/keys", headers=admin).text
    revoked = client.delete(f"/api/v1/keys/{keys[0]['id']}", headers=admin)
    assert revoked.json()["revoked"] is True
    assert client.get("/api/v1/reports", headers=service.staff).status_code == 401
    fresh = client.post("/api/v1/users/siti/keys", headers=admin).json()["api_key"]
    assert client.get("/api/v1/reports", headers={"X-API-Key": fresh}).status_code == 200
    reset = client.put("/api/v1/users/siti/password", json={"password": "baru-1234"}, headers=admin)
    assert reset.status_code == 204
    assert service.store.authenticate("siti", "baru-1234") is not None
    yourself = client.post("/api/v1/users/budi/deactivate", headers=admin)
    assert (yourself.status_code, "yourself" in yourself.json()["detail"]) == (409, True)
    with pytest.raises(StoreError) as last_admin:
        service.store.set_active("budi", False, actor="cli:root")
    assert last_admin.value.code == "user.last_admin"
    own = client.get("/api/v1/keys", params={"user": "budi"}, headers=admin).json()[0]["id"]
    in_use = client.delete(f"/api/v1/keys/{own}", headers=admin)
    assert (in_use.status_code, "this request was made with" in in_use.text) == (409, True)
    assert client.post("/api/v1/users/nobody/activate", headers=admin).status_code == 409
    trail = client.get("/api/v1/audit", headers=admin).json()
    assert [(e["actor"], e["action"], e["target"]) for e in trail[:6]] == [
        ("budi", "set_password", "siti"),
        ("budi", "add_key", "siti"),
        ("budi", "revoke_key", "siti"),
        ("budi", "activate", "siti"),
        ("budi", "deactivate", "siti"),
        ("system", "add_key", "budi"),
    ]


def test_admins_manage_users_on_their_page(service: Service) -> None:
    login(service)
    assert service.client.get("/pengguna").status_code == 403  # staff
    login(service, "budi", "kata-sandi-budi")
    page = service.client.get("/pengguna")
    assert page.status_code == 200
    form = {"csrf": csrf_of(page.text)}
    added = service.client.post(
        "/pengguna", data={**form, "change": "add_user", "name": "ani", "password": "sandi-ani-1"}
    )
    assert "Pengguna ani ditambahkan." in added.text
    keyed = service.client.post("/pengguna", data={**form, "change": "add_key", "name": "ani"})
    key = keyed.text.split('class="new-key">')[1].split("<")[0]
    assert service.store.principal_for_key(key).name == "ani"
    assert key not in service.client.get("/pengguna").text  # shown once
    short = service.client.post(
        "/pengguna", data={**form, "change": "set_password", "name": "ani", "password": "x"}
    )
    assert "Tidak disimpan" in short.text
    off = service.client.post("/pengguna", data={**form, "change": "deactivate", "name": "ani"})
    assert "Pengguna ani dinonaktifkan." in off.text
    assert service.store.principal_for_key(key) is None
    assert "menonaktifkan ani" in off.text  # the audit trail on the page


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_accounts_page_and_the_api_share_one_user_name_rule_and_refuse_nul(
    backend: str, request: pytest.FixtureRequest
) -> None:
    service: Service = request.getfixturevalue(
        "service" if backend == "sqlite" else "postgres_service"
    )
    login(service, "budi", "kata-sandi-budi")
    form = {"csrf": csrf_of(service.client.get("/pengguna").text)}
    for name in ("<img src=x onerror=alert(1)>", "dua kata", "ani;drop"):
        page = service.client.post("/pengguna", data={**form, "change": "add_user", "name": name})
        assert "Nama pengguna hanya boleh berisi" in page.text, name
        api = service.client.post(
            "/api/v1/users", json={"name": name, "role": "staff"}, headers=service.admin
        )
        assert api.status_code == 422, name
    assert [u.name for u in service.store.users()] == ["siti", "budi"]
    for change in ("add_user", "deactivate", "set_password", "add_key"):
        nul = service.client.post(
            "/pengguna", data={**form, "change": change, "name": "si\x00ti", "password": "x"}
        )
        assert nul.status_code == 422, (change, nul.text)
        assert "Karakter NUL tidak diizinkan" in nul.text


def test_the_served_app_ignores_forwarded_addresses_from_localhost(live_server: LiveServer) -> None:
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default: as the service is served,
    forged addresses must not dodge the per-address throttle."""
    with httpx.Client(base_url=live_server.url) as client:
        csrf = csrf_of(client.get("/login").text)
        statuses = [
            client.post(
                "/login",
                data={"username": "budi", "password": "salah-123", "csrf": csrf},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(1, 13)
        ]
    assert statuses == [401] * 10 + [429] * 2
