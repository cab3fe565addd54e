"""Service-token rotation as teams script it against dbt Cloud's Admin API v3.

This is client code written for dbt Cloud, kept as it would run there: only
the host and the token come from the environment. The tests run it against
`cairn serve` over HTTPS (REQUESTS_CA_BUNDLE names the test CA).
"""

import os
import sys

import requests

HOST = os.environ["DBT_CLOUD_HOST"]            # e.g. cloud.getdbt.com
ACCOUNT_ID = os.environ["DBT_CLOUD_ACCOUNT_ID"]
API_TOKEN = os.environ["DBT_CLOUD_API_TOKEN"]

BASE_URL = f"https://{HOST}/api/v3/accounts/{ACCOUNT_ID}"
HEADERS = {
    "Authorization": f"Token {API_TOKEN}",
    "Content-Type": "application/json",
    "Accept": "application/json",
}


def create_service_token(name, permission_sets):
    payload = {
        "name": name,
        "permission_grants": [{"permission_set": p} for p in permission_sets],
    }
    response = requests.post(f"{BASE_URL}/service-tokens/", headers=HEADERS, json=payload)
    response.raise_for_status()
    return response.json()["data"]


def list_service_tokens():
    tokens, offset = [], 0
    while True:
        response = requests.get(f"{BASE_URL}/service-tokens/", headers=HEADERS,
                                params={"limit": 100, "offset": offset, "state": 1})
        response.raise_for_status()
        body = response.json()
        tokens.extend(body["data"])
        count = body["extra"]["pagination"]["count"]
        offset += count
        if count == 0 or offset >= body["extra"]["pagination"]["total_count"]:
            return tokens


def delete_service_token(token_id):
    response = requests.delete(f"{BASE_URL}/service-tokens/{token_id}/", headers=HEADERS)
    response.raise_for_status()


def rotate(name, permission_sets):
    """Creates the new token, then deletes the old ones of the same name."""
    old = [t for t in list_service_tokens() if t["name"] == name]
    new = create_service_token(name, permission_sets)
    for token in old:
        delete_service_token(token["id"])
    return new


if __name__ == "__main__":
    token = rotate(sys.argv[1], sys.argv[2:] or ["metadata_only"])
    # The new secret goes to the caller's secret store; here, to stdout for the test.
    print(token["id"], token["token_string"])
