"""The Companies page past 1,000 remote companies: pages, server-side filters, no API calls."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.apply.engine import apply_integration
from hub.extensions import db
from hub.integrations import configure_integration
from hub.models import Company, Tenant
from hub.sync.mirror import store_page
from tests.test_api_integrations import Api, make_token
from tests.test_web_pages import admin  # noqa: F401  (the logged-in admin fixture)

COMPANIES = 1500
CREDENTIALS = {"username": "api@acme.test", "secret": "s3cret", "integration_code": "CODE"}


@pytest.fixture
def big_mirror(app: Flask, admin: FlaskClient) -> int:  # noqa: F811
    """An Autotask integration whose mirror holds 1,500 companies (every 3rd a customer)."""
    with app.app_context():
        tenant = db.session.scalar(select(Tenant))
        integration = configure_integration(tenant, "autotask", CREDENTIALS)
        types = [{"id": 1, "label": "Customer"}, {"id": 3, "label": "Prospect"}]
        store_page(integration, "company_types", types, primary_key="id", change_field=None)
        companies = [
            {
                "id": 1000 + i,
                "companyName": f"Company {i:04d}" + (" Widgets" if i % 10 == 0 else ""),
                "companyType": 1 if i % 3 == 0 else 3,
                "isActive": i % 7 != 0,
            }
            for i in range(COMPANIES)
        ]
        store_page(integration, "companies", companies, primary_key="id", change_field=None)
        db.session.commit()
        apply_integration(integration.id)  # active customers become hub companies
        return integration.id


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-remote="(\d+)"', page)


def test_the_companies_page_pages_past_a_thousand(
    app: Flask,
    admin: FlaskClient,  # noqa: F811
    big_mirror: int,
) -> None:
    first = admin.get("/integrations/autotask/companies").get_data(as_text=True)
    assert "Showing 1 to 100 of 1,500 matching" in first
    assert len(_rows(first)) == 100 and 'id="page-next"' in first and "page-prev" not in first
    last = admin.get("/integrations/autotask/companies?offset=1400").get_data(as_text=True)
    assert "Showing 1401 to 1500 of 1,500" in last and "page-next" not in last
    assert "Company 1499" in last and "Company 0000" not in last
    seen = set()
    for offset in range(0, COMPANIES, 500):
        page = admin.get(f"/integrations/autotask/companies?limit=500&offset={offset}")
        seen |= set(_rows(page.get_data(as_text=True)))
    assert len(seen) == COMPANIES

    # Filters run on the server over every row, not only the first page.
    with app.app_context():
        mapped = db.session.query(Company).filter(Company.mirror_id.is_not(None)).count()
    unmapped = admin.get("/integrations/autotask/companies?mapped=unmapped&offset=1000")
    text = unmapped.get_data(as_text=True)
    assert f"of {COMPANIES - mapped:,} matching" in text and 'data-mapped="yes"' not in text
    widgets = admin.get("/integrations/autotask/companies?search=widgets&active=inactive")
    text = widgets.get_data(as_text=True)
    expected = [i for i in range(COMPANIES) if i % 10 == 0 and i % 7 == 0]
    assert f"of {len(expected)} matching" in text
    assert set(_rows(text)) == {str(1000 + i) for i in expected}

    # The page's script asks for the list alone when a filter changes.
    fragment = admin.get(
        "/integrations/autotask/companies?mapped=mapped&offset=100",
        headers={"X-Requested-With": "fetch"},
    ).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="company-list">') and "<html" not in fragment
    assert f"Showing 101 to {min(200, mapped)} of {mapped:,}" in fragment


def test_the_api_pages_the_same_list(app: Flask, client: FlaskClient, big_mirror: int) -> None:
    api = Api(client, make_token(app, slug="acme"))
    answer = api.get("/integrations/autotask/companies?limit=1000&offset=1000").json
    assert answer["total"] == COMPANIES and answer["offset"] == 1000
    assert len(answer["items"]) == 500
    assert api.get("/integrations/autotask/companies?limit=5000").status_code == 422
