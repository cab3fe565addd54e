"""Secoda's documented Python sample for pushing a dbt manifest, as published.

Only the host, the API key, the integration id and the file path differ; they
come from the environment so that the code below stays as Secoda shows it.
"""

import os

import requests

API_KEY = os.environ["SECODA_API_KEY"]
INTEGRATION_ID = os.environ["SECODA_INTEGRATION_ID"]
HOST = os.environ["SECODA_HOST"]
MANIFEST = os.environ["SECODA_MANIFEST"]

headers = {"Authorization": f"Bearer {API_KEY}"}
files = {"manifest_file": open(MANIFEST, "rb")}
data = {"integration": INTEGRATION_ID}

response = requests.post(f"{HOST}/integration/dbt/manifest/", headers=headers, files=files, data=data)
print(response.json())
