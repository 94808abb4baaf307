from lifeline.api.tests.helpers import client_for


def test_api_docs_page_loads_no_script_from_the_internet(city, command_staff):
    # Checkpoints and offices may have no internet: the docs page must use bundled files.
    response = client_for(command_staff).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "https://" not in html.replace("https://django-ninja.dev", "")
    assert "cdn." not in html
