from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from enumeration.models import User

pytestmark = pytest.mark.django_db


def login(client: Client, user: User) -> None:
    client.force_login(user)


@pytest.mark.parametrize("persona", ["petugas", "supervisor", "koseka", "pemkot"])
def test_field_staff_and_pemkot_cannot_reach_the_admin(client, request, persona):
    user = request.getfixturevalue(persona)
    User.objects.filter(pk=user.pk).update(is_staff=True)  # even with the flag set by mistake
    login(client, user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/enumeration/user/").status_code == 302


def test_bps_admin_reaches_the_admin_in_indonesian(client, bps_admin, field):
    login(client, bps_admin)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    assert "Administrasi Regsosek" in response.content.decode()
    for url in [
        "/admin/enumeration/sls/",
        "/admin/enumeration/user/",
        "/admin/enumeration/assignment/",
        "/admin/enumeration/kelurahan/",
        "/admin/enumeration/assignment/import/",
    ]:
        assert client.get(url).status_code == 200, url


def test_admin_import_reports_errors_and_imports_nothing(client, bps_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, bps_admin)
    upload = SimpleUploadedFile("staff.csv", b"username,nama,peran\nppl.baru,Budi,ppl\n", content_type="text/csv")
    response = client.post("/admin/enumeration/assignment/import/", {"kind": "staff", "file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "username_atasan" in body and "tidak ada yang diimpor" in body
    assert not User.objects.filter(username="ppl.baru").exists()


def test_passwords_are_hashed_with_argon2(settings, db):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = User.objects.create_user(username="a.b.c", password="kata-sandi-panjang", full_name="X", role="pemkot")
    assert user.password.startswith("argon2$")


def test_repeated_failed_logins_are_throttled(client, petugas, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": petugas.username, "password": "salah-salah"})
    response = client.post(url, {"username": petugas.username, "password": "rahasia-uji-123"})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.content.decode()


def test_login_page_is_indonesian_by_default_and_english_on_request(client, db):
    assert "Kata sandi" in client.get(reverse("login")).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert "Password" in client.get(reverse("login")).content.decode()


def test_pages_show_only_the_users_scope(client, petugas, field):
    login(client, petugas)
    home = client.get("/").content.decode()
    assert "Keranggan" in home and "Pondok" not in home
    assert client.get(f"/sls/{field['own1'].pk}/").status_code == 200
    assert client.get(f"/sls/{field['other'].pk}/").status_code == 404
    other_page = client.get(f"/?kelurahan={field['other'].kelurahan_id}").content.decode()
    assert field["other"].full_code not in other_page
    own_page = client.get(f"/?kelurahan={field['own1'].kelurahan_id}").content.decode()
    assert field["own1"].full_code in own_page and field["team"].full_code not in own_page


def test_api_lists_are_scoped(client, supervisor, field, petugas, other_petugas):
    login(client, supervisor)
    sls = client.get("/api/v1/sls/").json()
    assert {s["id"] for s in sls} == {field["own1"].pk, field["own2"].pk, field["team"].pk}
    staff = {s["username"] for s in client.get("/api/v1/staff/").json()}
    assert petugas.username in staff and other_petugas.username not in staff


def test_api_refuses_anonymous_users(client, db):
    assert client.get("/api/v1/sls/").status_code == 401
