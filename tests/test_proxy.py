"""deploy/nginx.conf, run for real: nginx in front of the live test server, as the docker-compose
"proxy" service stands in front of gunicorn. Only the addresses differ (a free port instead of 80,
the live server instead of web:8000, the test media folder instead of the media volume).

Skipped when nginx is not installed, unless PROXY_REQUIRED=1 (CI installs it and sets that).
"""

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

CONF = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"


def _nginx() -> str:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        if os.environ.get("PROXY_REQUIRED") == "1":
            pytest.fail("PROXY_REQUIRED=1 but nginx is not installed (apt-get install nginx)")
        pytest.skip("nginx is not installed")
    return binary


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def proxy(live_server, tmp_path):
    """The base URL of nginx running deploy/nginx.conf in front of the live server."""
    binary = _nginx()
    port = _free_port()
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    site = (
        CONF.read_text(encoding="utf-8")
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
        .replace("http://web:8000", live_server.url)
        .replace("alias /srv/media/;", f"alias {media}/;")
    )
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"""
        {"user root;" if os.geteuid() == 0 else ""}  # (the test's media folder is private to its user)
        worker_processes 1;
        daemon off;
        pid {tmp_path}/nginx.pid;
        error_log {tmp_path}/error.log;
        events {{ worker_connections 64; }}
        http {{
            include /etc/nginx/mime.types;
            access_log off;
            client_body_temp_path {tmp_path}/body;
            proxy_temp_path {tmp_path}/proxy;
            fastcgi_temp_path {tmp_path}/fastcgi;
            uwsgi_temp_path {tmp_path}/uwsgi;
            scgi_temp_path {tmp_path}/scgi;
            include {tmp_path}/site.conf;
        }}
        """,
        encoding="utf-8",
    )
    process = subprocess.Popen([binary, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/proxy-health", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail((tmp_path / "error.log").read_text())
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(url, headers=None):
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers or {}), timeout=10
        ) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_uploaded_pictures_come_from_the_media_folder_with_long_caching_and_no_sniffing(proxy):
    picture = Path(settings.MEDIA_ROOT) / "renditions" / "proxy-test" / "400x400.webp"
    picture.parent.mkdir(parents=True, exist_ok=True)
    picture.write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 ")

    status, headers, body = _get(f"{proxy}{settings.MEDIA_URL}renditions/proxy-test/400x400.webp")

    assert status == 200 and body.startswith(b"RIFF")
    assert headers["Content-Type"] == "image/webp"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "max-age=2592000" in headers["Cache-Control"]


PICTURES = {
    "a.jpg": b"\xff\xd8\xff\xe0",
    "a.jpeg": b"\xff\xd8\xff\xe0",
    "a.png": b"\x89PNG\r\n\x1a\n",
    "a.gif": b"GIF89a",
    "a.webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    "a.avif": b"\x00\x00\x00\x1cftypavif",
}


def test_only_the_picture_types_on_the_allow_list_are_served_from_media(proxy):
    media = Path(settings.MEDIA_ROOT) / "allow-list"
    media.mkdir(parents=True, exist_ok=True)
    for name, head in PICTURES.items():
        (media / name).write_bytes(head + b"\x00" * 16)
        status, headers, _body = _get(f"{proxy}{settings.MEDIA_URL}allow-list/{name}")
        assert status == 200, name
        assert headers["Content-Type"].startswith("image/"), name


def test_every_other_file_among_the_uploads_is_404_whatever_it_holds(proxy):
    # Pages, server-side includes, SVG, scripts, documents, text and files without an extension:
    # not one of them is served from /media/, even when its bytes are a valid PDF or PNG.
    media = Path(settings.MEDIA_ROOT) / "deny"
    media.mkdir(parents=True, exist_ok=True)
    names = [
        "page.html",
        "page.htm",
        "page.shtml",
        "x.pdf.html",
        "x.png.shtml",
        "drawing.svg",
        "run.js",
        "data.xml",
        "report.pdf",
        "notes.txt",
        "sheet.csv",
        "letter.docx",
        "blob.bin",
        "noextension",
        "x.png.",
        "x.PHP",
        ".htaccess",
    ]
    for name in names:
        (media / name).write_bytes(b"%PDF-1.4 <script>alert(1)</script>")
        status, _headers, body = _get(f"{proxy}{settings.MEDIA_URL}deny/{name}")
        assert status == 404, name
        assert b"<script>" not in body
    assert _get(f"{proxy}{settings.MEDIA_URL}deny/")[0] == 404  # no folder listing either


def test_private_papers_are_not_in_the_media_folder_at_all(proxy):
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    name = storages["private"].save("suppliers/documents/licence.pdf", ContentFile(b"%PDF-1.4 private"))

    assert not (Path(settings.MEDIA_ROOT) / name).exists()
    assert _get(f"{proxy}{settings.MEDIA_URL}{name}")[0] == 404


def test_everything_else_goes_to_the_app_with_the_host_and_scheme_it_was_asked_for(proxy, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # as in production
    host = proxy.split("//", 1)[1]

    status, _headers, body = _get(f"{proxy}/static/js/shop.js")
    assert status == 200 and b"data-recently-viewed" in body

    # robots.txt names the sitemap by the address the request came to: Host with its port, scheme
    # from the outer TLS terminator when there is one, else this connection's.
    assert f"Sitemap: http://{host}/sitemap.xml" in _get(f"{proxy}/robots.txt")[2].decode()
    behind_tls = _get(f"{proxy}/robots.txt", headers={"X-Forwarded-Proto": "https"})[2].decode()
    assert f"Sitemap: https://{host}/sitemap.xml" in behind_tls


def test_an_upload_over_the_limit_gets_a_page_saying_so(proxy):
    request = urllib.request.Request(
        f"{proxy}/shop/portal/",
        data=b"x" * (33 * 1024 * 1024),
        headers={"Content-Type": "application/octet-stream"},
    )
    try:
        urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    except ConnectionError:
        pytest.fail("nginx closed the connection instead of answering")
    else:
        pytest.fail("a 33 MB upload was let through")
    assert status == 413
    assert "文件太大" in body and "File too large" in body


def test_a_logo_uploaded_under_a_lying_name_is_served_through_the_proxy_as_the_picture_it_is(proxy, client):
    from django.contrib.auth.models import Group, Permission
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.factories.suppliers import SupplierFactory, image_upload, portal_user_for

    # A transactional test before this one may have flushed what suppliers' data migration made.
    group, _created = Group.objects.get_or_create(name="Cooperative users")
    group.permissions.add(Permission.objects.get(codename="use_portal"))
    supplier = SupplierFactory()
    client.force_login(portal_user_for(supplier))
    png = SimpleUploadedFile("logo.html", image_upload("a.png", fmt="PNG").read(), content_type="text/html")
    fields = ("short_name", "contact_name", "phone", "email", "address")
    data = {name: getattr(supplier, name) for name in fields} | {"households_supported": "1", "logo": png}
    assert client.post(reverse("portal:profile"), data).status_code == 302
    supplier.refresh_from_db()

    status, headers, body = _get(f"{proxy}{supplier.logo.url}")

    assert supplier.logo.url.endswith(".png")
    assert (status, headers["Content-Type"]) == (200, "image/png") and body.startswith(b"\x89PNG")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert _get(f"{proxy}{supplier.logo.url[:-4]}.html")[0] == 404
