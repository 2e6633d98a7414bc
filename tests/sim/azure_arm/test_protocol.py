"""The wire protocol in detail, in-process on a manual clock: Entra ID endpoints, ARM's
authentication and api-version rules, long-running operations, resource groups, faults."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from .conftest import Raw, make_raw

VNET = {
    "location": "eastus",
    "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}],
    },
}


def _token_form(raw: Raw, **changes: str) -> dict[str, str]:
    form = {
        "client_id": raw.state.client_id,
        "client_secret": raw.state.client_secret,
        "grant_type": "client_credentials",
        "scope": "https://management.azure.com/.default",
    }
    form.update(changes)
    return form


def test_openid_configuration_is_built_from_the_origin(raw: Raw) -> None:
    tenant = raw.state.tenant_id
    answer = raw.http.get(f"/{tenant}/v2.0/.well-known/openid-configuration").json()
    assert answer["token_endpoint"] == f"https://sim/{tenant}/oauth2/v2.0/token"
    assert answer["authorization_endpoint"] == f"https://sim/{tenant}/oauth2/v2.0/authorize"
    assert answer["issuer"] == f"https://sim/{tenant}/v2.0"
    unknown = raw.http.get("/not-a-tenant/v2.0/.well-known/openid-configuration")
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_tenant"


def test_token_endpoints(raw: Raw) -> None:
    tenant = raw.state.tenant_id
    good = raw.http.post(f"/{tenant}/oauth2/v2.0/token", data=_token_form(raw))
    body = good.json()
    assert good.status_code == 200
    assert (body["token_type"], body["expires_in"], body["ext_expires_in"]) == (
        "Bearer",
        3599,
        3599,
    )
    listed = raw.http.get(
        "/subscriptions",
        params={"api-version": "2022-12-01"},
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert listed.json()["value"][0]["subscriptionId"] == raw.state.subscription_id

    wrong = raw.http.post(f"/{tenant}/oauth2/v2.0/token", data=_token_form(raw, client_secret="x"))
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert wrong.json()["error_description"].startswith("AADSTS7000215: Invalid client secret")
    stranger = raw.http.post(
        f"/{tenant}/oauth2/v2.0/token", data=_token_form(raw, client_id="someone-else")
    )
    assert stranger.status_code == 400 and "AADSTS700016" in stranger.json()["error_description"]
    bad_scope = raw.http.post(
        f"/{tenant}/oauth2/v2.0/token", data=_token_form(raw, scope="https://x/read")
    )
    assert bad_scope.json()["error"] == "invalid_scope"

    v1 = raw.http.post(
        f"/{tenant}/oauth2/token",
        data={
            "client_id": raw.state.client_id,
            "client_secret": raw.state.client_secret,
            "grant_type": "client_credentials",
            "resource": "https://management.core.windows.net/",
        },
    ).json()
    assert v1["resource"] == "https://management.core.windows.net/" and v1["expires_in"] == "3599"
    raw.config.token_ttl = 60
    short = raw.http.post(f"/{tenant}/oauth2/v2.0/token", data=_token_form(raw)).json()
    assert short["expires_in"] == 60

    msi = raw.http.get(
        "/metadata/identity/oauth2/token",
        params={"api-version": "2018-02-01", "resource": "https://management.azure.com/"},
        headers={"Metadata": "true"},
    )
    assert msi.status_code == 200 and msi.json()["token_type"] == "Bearer"
    no_header = raw.http.get(
        "/metadata/identity/oauth2/token",
        params={"api-version": "2018-02-01", "resource": "https://management.azure.com/"},
    )
    assert no_header.status_code == 400


def test_arm_needs_a_valid_token_and_an_api_version(raw: Raw) -> None:
    path = f"{raw.sub}/resourcegroups"
    missing = raw.http.get(path, params={"api-version": "2022-09-01"})
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "AuthenticationFailed"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer authorization_uri=")
    forged = raw.http.get(
        path, params={"api-version": "2022-09-01"}, headers={"Authorization": "Bearer forged"}
    )
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "InvalidAuthenticationToken"
    short, _ = raw.state.issue_token(10)
    raw.settle(11)
    expired = raw.http.get(
        path, params={"api-version": "2022-09-01"}, headers={"Authorization": f"Bearer {short}"}
    )
    assert expired.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert "expired" in expired.json()["error"]["message"]
    no_version = raw.call("GET", path, version=None)
    assert no_version.status_code == 400
    assert no_version.json()["error"]["code"] == "MissingApiVersionParameter"
    assert raw.call("GET", path, version="latest").json()["error"]["code"] == (
        "InvalidApiVersionParameter"
    )
    other = raw.call("GET", "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups")
    assert other.status_code == 404 and other.json()["error"]["code"] == "SubscriptionNotFound"


def test_put_is_a_long_running_operation(raw: Raw) -> None:
    path = f"{raw.rg}/providers/Microsoft.Network/virtualNetworks/lro-vnet"
    created = raw.call("PUT", path, VNET)
    assert created.status_code == 201
    assert created.json()["properties"]["provisioningState"] == "Updating"
    assert (
        created.json()["properties"]["subnets"][0]["id"]
        == f"{created.json()['id']}/subnets/default"
    )
    operation = created.headers["Azure-AsyncOperation"]
    assert operation.startswith(
        f"https://sim{raw.sub}/providers/Microsoft.Network/locations/eastus/operations/"
    )
    assert "api-version=2024-07-01" in operation
    assert created.headers["Retry-After"] == "0"
    polled = raw.http.get(operation, headers={"Authorization": f"Bearer {raw.token}"})
    assert polled.json()["status"] == "InProgress"
    raw.settle()
    done = raw.http.get(operation, headers={"Authorization": f"Bearer {raw.token}"}).json()
    assert done["status"] == "Succeeded" and {"startTime", "endTime", "name"} <= set(done)
    assert raw.call("GET", path).json()["properties"]["provisioningState"] == "Succeeded"
    updated = raw.call("PUT", path, VNET)
    assert updated.status_code == 200


def test_post_and_delete_answer_202_with_location(raw: Raw) -> None:
    path = f"{raw.rg}/providers/Microsoft.Network/publicIPAddresses/lro-pip"
    raw.call("PUT", path, {"location": "eastus", "sku": {"name": "Standard"}})
    raw.settle()
    deleted = raw.call("DELETE", path)
    assert deleted.status_code == 202
    assert "Azure-AsyncOperation" in deleted.headers
    location = deleted.headers["Location"]
    auth = {"Authorization": f"Bearer {raw.token}"}
    assert raw.http.get(location, headers=auth).status_code == 202
    assert raw.call("GET", path).json()["properties"]["provisioningState"] == "Deleting"
    raw.settle()
    assert raw.http.get(location, headers=auth).status_code == 204
    assert raw.call("GET", path).status_code == 404
    assert raw.call("DELETE", path).status_code == 204  # already gone


def test_resource_groups(raw: Raw) -> None:
    made = raw.call("PUT", f"{raw.sub}/resourcegroups/Team-RG", {"location": "West Europe"})
    assert made.status_code == 201
    assert made.json()["id"] == f"{raw.sub}/resourceGroups/Team-RG"
    assert made.json()["location"] == "westeurope"
    again = raw.call("PUT", f"{raw.sub}/resourceGroups/team-rg", {"location": "westeurope"})
    assert again.status_code == 200 and again.json()["name"] == "Team-RG"
    assert raw.call("GET", f"{raw.sub}/RESOURCEGROUPS/TEAM-RG").json()["name"] == "Team-RG"
    moved = raw.call("PUT", f"{raw.sub}/resourceGroups/team-rg", {"location": "eastus"})
    assert moved.json()["error"]["code"] == "InvalidResourceGroupLocation"
    raw.call(
        "PUT",
        f"{raw.sub}/resourceGroups/Team-RG/providers/Microsoft.Network/virtualNetworks/v",
        {**VNET, "location": "westeurope"},
    )
    names = {g["name"] for g in raw.call("GET", f"{raw.sub}/resourcegroups").json()["value"]}
    assert names == {"omnicloud-rg", "Team-RG"}
    listed = raw.call("GET", f"{raw.sub}/resourceGroups/Team-RG/resources").json()["value"]
    assert [r["type"] for r in listed] == ["Microsoft.Network/virtualNetworks"]
    assert raw.call("HEAD", f"{raw.sub}/resourceGroups/team-rg").status_code == 204
    assert raw.call("HEAD", f"{raw.sub}/resourceGroups/nope").status_code == 404
    gone = raw.call("DELETE", f"{raw.sub}/resourceGroups/Team-RG")
    assert gone.status_code == 202 and "/operationresults/" in gone.headers["Location"]
    raw.settle()
    missing = raw.call("GET", f"{raw.sub}/resourceGroups/Team-RG")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "code": "ResourceGroupNotFound",
        "message": "Resource group 'Team-RG' could not be found.",
    }
    orphan = raw.call(
        "GET", f"{raw.sub}/resourceGroups/Team-RG/providers/Microsoft.Network/virtualNetworks/v"
    )
    assert orphan.json()["error"]["code"] == "ResourceGroupNotFound"
    raw.call("PUT", f"{raw.sub}/resourceGroups/Team-RG", {"location": "westeurope"})
    assert (
        raw.call("GET", f"{raw.sub}/providers/Microsoft.Network/virtualNetworks").json()["value"]
        == []
    )


def test_list_pages_follow_next_link(raw: Raw) -> None:
    for index in range(5):
        raw.call(
            "PUT",
            f"{raw.rg}/providers/Microsoft.Network/publicIPAddresses/p{index}",
            {"location": "eastus"},
        )
    raw.config.page_size = 2
    auth = {"Authorization": f"Bearer {raw.token}"}
    page = raw.call("GET", f"{raw.rg}/providers/Microsoft.Network/publicIPAddresses").json()
    names = [p["name"] for p in page["value"]]
    while "nextLink" in page:
        page = raw.http.get(page["nextLink"], headers=auth).json()
        names += [p["name"] for p in page["value"]]
    assert names == [f"p{i}" for i in range(5)]


def test_next_links_repeat_the_request_parameters(raw: Raw) -> None:
    for index in range(3):
        raw.call(
            "PUT",
            f"{raw.rg}/providers/Microsoft.Network/publicIPAddresses/q{index}",
            {"location": "eastus"},
        )
    raw.config.page_size = 2
    page = raw.call(
        "GET",
        f"{raw.rg}/providers/Microsoft.Network/publicIPAddresses",
        **{"$expand": "instanceView", "statusOnly": "true"},
    ).json()
    query = httpx.URL(page["nextLink"]).params
    assert query["$expand"] == "instanceView" and query["statusOnly"] == "true"
    assert query["$skiptoken"] == "2" and query["api-version"] == "2024-07-01"


def test_rate_limit_and_errors_come_from_the_core_faults() -> None:
    raw_iter: Iterator[Raw] = make_raw(rate_limit=1, retry_after=3)
    raw = next(raw_iter)
    try:
        path = f"{raw.sub}/resourcegroups"
        assert raw.call("GET", path).status_code == 200
        throttled = raw.call("GET", path)
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "3"
        assert throttled.json()["error"]["code"] == "SubscriptionRequestsThrottled"
        raw.config.rate_limit = None
        raw.config.error_rate = 1.0
        failed = raw.call("GET", path)
        assert failed.status_code == 500
        assert failed.json()["error"]["code"] == "InternalServerError"
    finally:
        for _ in raw_iter:
            pass


def test_secrets_stay_out_of_reprs(raw: Raw) -> None:
    assert raw.state.client_secret not in repr(raw.state)
    assert raw.token not in repr(raw.state)


def test_resource_providers_are_registered(raw: Raw) -> None:
    listed = raw.call("GET", f"{raw.sub}/providers").json()["value"]
    assert {p["namespace"] for p in listed} >= {"Microsoft.Compute", "Microsoft.Network"}
    compute = raw.call("GET", f"{raw.sub}/providers/microsoft.compute").json()
    assert compute["registrationState"] == "Registered"
    assert "virtualMachines" in {t["resourceType"] for t in compute["resourceTypes"]}
    registered = raw.call("POST", f"{raw.sub}/providers/Microsoft.Network/register")
    assert registered.json()["namespace"] == "Microsoft.Network"
    assert raw.call("GET", f"{raw.sub}/providers/Microsoft.Nope").status_code == 404


def test_finished_operations_are_forgotten_after_an_hour(raw: Raw) -> None:
    made = raw.call("PUT", f"{raw.sub}/resourcegroups/brief", {"location": "eastus"})
    assert made.status_code == 201
    gone = raw.call("DELETE", f"{raw.sub}/resourcegroups/brief")
    location = gone.headers["Location"]
    auth = {"Authorization": f"Bearer {raw.token}"}
    raw.settle()
    assert raw.http.get(location, headers=auth).status_code == 204
    raw.settle(3700)
    fresh, _ = raw.state.issue_token(600)
    assert raw.http.get(location, headers={"Authorization": f"Bearer {fresh}"}).status_code == 404
