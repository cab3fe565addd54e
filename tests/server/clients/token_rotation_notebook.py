"""Service-token rotation the way a team's notebook does it: requests for the
dbt Cloud Admin API v3, boto3 for AWS Secrets Manager. Only the host, the
admin token and the AWS endpoint come from the environment; the tests run it
unchanged against `cairn serve` and moto_server.

    DBT_CLOUD_HOST_URL   e.g. https://cloud.getdbt.com
    DBT_CLOUD_ACCOUNT_ID
    DBT_CLOUD_ADMIN_TOKEN
    SECRET_NAME          the Secrets Manager secret holding the token JSON
    AWS_ENDPOINT_URL / AWS_REGION / AWS keys: boto3's own configuration
"""

import datetime
import json
import os

import boto3
import requests

HOST_URL = os.environ["DBT_CLOUD_HOST_URL"].rstrip("/")
ACCOUNT_ID = os.environ["DBT_CLOUD_ACCOUNT_ID"]
ADMIN_TOKEN = os.environ["DBT_CLOUD_ADMIN_TOKEN"]
SECRET_NAME = os.environ["SECRET_NAME"]

BASE_URL = f"{HOST_URL}/api/v3/accounts/{ACCOUNT_ID}"
HEADERS = {"Authorization": f"Token {ADMIN_TOKEN}", "Content-Type": "application/json",
           "Accept": "application/json"}

secrets_client = boto3.client("secretsmanager")


def get_secret():
    response = secrets_client.get_secret_value(SecretId=SECRET_NAME)
    return json.loads(response["SecretString"])


def get_service_token(token_id):
    response = requests.get(f"{BASE_URL}/service-tokens/{token_id}/", headers=HEADERS, timeout=30)
    response.raise_for_status()
    return response.json()["data"]


def create_service_token(name, permission_grants):
    grants = [{"permission_set": g["permission_set"], "project_id": g.get("project_id")} for g in permission_grants]
    response = requests.post(f"{BASE_URL}/service-tokens/", headers=HEADERS, timeout=30,
                             json={"name": name, "permission_grants": grants})
    response.raise_for_status()
    return response.json()["data"]


def put_secret(token):
    value = {"service_token_id": token["id"], "service_token": token["token_string"],
             "last_rotated_datetime_utc": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S")}
    secrets_client.put_secret_value(SecretId=SECRET_NAME, SecretString=json.dumps(value))


def delete_service_token(token_id):
    response = requests.delete(f"{BASE_URL}/service-tokens/{token_id}/", headers=HEADERS, timeout=30)
    response.raise_for_status()


def list_active_service_tokens():
    tokens, offset = [], 0
    while True:
        response = requests.get(f"{BASE_URL}/service-tokens/", headers=HEADERS, timeout=30,
                                params={"state": 1, "limit": 100, "offset": offset})
        response.raise_for_status()
        body = response.json()
        tokens.extend(body["data"])
        offset += body["extra"]["pagination"]["count"]
        if body["extra"]["pagination"]["count"] == 0 or offset >= body["extra"]["pagination"]["total_count"]:
            return tokens


def deactivate_duplicates(name, keep_id):
    for token in list_active_service_tokens():
        if token["name"] == name and token["id"] != keep_id:
            delete_service_token(token["id"])


def rotate():
    secret = get_secret()
    old = get_service_token(secret["service_token_id"])
    new = create_service_token(old["name"], old["permission_grants"])
    put_secret(new)
    delete_service_token(old["id"])
    deactivate_duplicates(old["name"], new["id"])
    return old["id"], new["id"]


if __name__ == "__main__":
    old_id, new_id = rotate()
    print(f"rotated {old_id} -> {new_id}")
