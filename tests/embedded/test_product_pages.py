"""Small things a browser or an administrator meets first: the icon in the tab and the admin's name."""


def test_the_favicon_is_served_at_the_sites_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_the_admin_says_the_products_name_not_djangos(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "民情流水线 管理后台" in page
    assert "Django 管理" not in page and "Django administration" not in page
