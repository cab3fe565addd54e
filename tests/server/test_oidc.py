"""JWTs end to end: a local identity provider (token endpoints of the OIDC
providers the metadata-rest sink speaks, a JWKS, RS256 tokens signed with
`cryptography`), a real `cairn serve` that trusts it, and `cairn ingest -c`
with each provider; plus Cairn's own HS256 JWTs from `cairn auth jwt`, and
the JWTs the server must refuse."""

import base64
import hashlib
import hmac
import http.server
import json
import os
import subprocess
import threading
import time
import urllib.parse

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from harness import ADMIN_TOKEN, CAIRN, JAFFLE, ServerTestCase
from test_rest_sink import WORKFLOW as REST_SINK_WORKFLOW

CAIRN_ABS = os.path.abspath(CAIRN)
CUSTOMERS = "shop.jaffle_shop.main.customers"
AUDIENCE = "cairn-api"
CLIENT_ID = "cairn-ingest"
CLIENT_SECRET = "idp-client-secret-never-shown-0123456789"

# test_rest_sink's workflow, with a whole securityConfig mapping in place of the jwtToken.
WORKFLOW = REST_SINK_WORKFLOW.replace("    securityConfig:\n      jwtToken: {token}\n", "    securityConfig: {security}\n")
assert "{security}" in WORKFLOW


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def int_bytes(number):
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


def sign_rs256(claims, key, kid, alg="RS256"):
    header = b64url(json.dumps({"alg": alg, "typ": "JWT", "kid": kid}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64url(signature)}"


def verify_rs256(token, public_key):
    """The claims of `token` if `public_key` signed it, else None."""
    header, payload, signature = token.split(".")
    try:
        public_key.verify(b64url_decode(signature), f"{header}.{payload}".encode(), padding.PKCS1v15(),
                          hashes.SHA256())
    except InvalidSignature:
        return None
    return json.loads(b64url_decode(payload))


def pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


class IdentityProvider:
    """Token endpoints on 127.0.0.1 that answer RS256 access tokens for the
    client credentials they were told, and the JWKS of the signing key.
    Counts the token requests by path and keeps their forms."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "idp-key-1"
        self.client_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # okta, google
        self.expires_in = 3600
        self.requests = {}
        self.forms = []
        self.issued = []  # every token answered, to look for in logs
        idp = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/jwks":
                    numbers = idp.key.public_key().public_numbers()
                    self.answer(200, {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": idp.kid,
                                                "n": b64url(int_bytes(numbers.n)),
                                                "e": b64url(int_bytes(numbers.e))}]})
                else:
                    self.answer(404, {"error": "not_found"})

            def do_POST(self):
                url = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                form = dict(urllib.parse.parse_qsl(body or url.query))
                idp.requests[url.path] = idp.requests.get(url.path, 0) + 1
                idp.forms.append((url.path, form))
                status, answer = idp.token_answer(url.path, form)
                idp.issued += [answer[k] for k in ("access_token", "id_token") if k in answer]
                self.answer(status, answer)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url + "/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def token(self, sub=CLIENT_ID, **overrides):
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": AUDIENCE, "sub": sub, "iat": now, "exp": now + self.expires_in,
                  "cairn_permission_set": "job_admin", "jti": b64url(os.urandom(12))}
        claims.update(overrides)
        return sign_rs256({k: v for k, v in claims.items() if v is not None}, self.key, self.kid)

    def client_assertion_ok(self, assertion, audience):
        claims = verify_rs256(assertion, self.client_key.public_key()) if assertion.count(".") == 2 else None
        return (claims is not None and claims.get("iss") == CLIENT_ID and claims.get("sub") == CLIENT_ID
                and claims.get("aud") == audience and claims.get("exp", 0) > time.time())

    def token_answer(self, path, form):
        refused = (401, {"error": "invalid_client", "error_description": "unknown client or secret"})
        if path == "/google/token":
            if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" or \
                    not self.client_assertion_ok(form.get("assertion", ""), self.url + path):
                return refused
            target = verify_rs256(form["assertion"], self.client_key.public_key()).get("target_audience")
            return 200, {"id_token": self.token(sub="sa@cairn.iam.gserviceaccount.com", aud=target)}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if path == "/okta/v1/token":
            if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" or \
                    not self.client_assertion_ok(form.get("client_assertion", ""), self.url + path):
                return refused
        elif form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return refused
        return 200, {"access_token": self.token(), "token_type": "Bearer", "expires_in": self.expires_in}


class FlakyProxy:
    """Forwards to `target`, answering the first PUT with 503 so that the
    sink tries again; records the Authorization header of every PUT."""

    def __init__(self, target):
        self.authorizations = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_PUT(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.authorizations.append(self.headers.get("Authorization"))
                if len(proxy.authorizations) == 1:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                answer = requests.put(target + self.path, data=body, timeout=120,
                                      headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
                self.send_response(answer.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class OidcTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.idp = IdentityProvider()
        self.addCleanup(self.idp.stop)
        self.secret_file = os.path.join(self.dir, "jwt-secret")
        with open(self.secret_file, "w") as f:
            f.write("cairn-hs256-secret-for-the-tests-0123456789\n")
        self.server = self.serve(args=["--jwt-secret-file", self.secret_file, "--oidc-issuer", self.idp.issuer,
                                       "--oidc-jwks-url", self.idp.url + "/jwks", "--oidc-audience", AUDIENCE])

    def workflow(self, provider, security, host_port=None):
        path = os.path.join(self.dir, f"workflow-{provider}.yaml")
        with open(path, "w") as f:
            f.write(WORKFLOW.format(jaffle=JAFFLE, host_port=host_port or self.server.url, provider=provider,
                                    security=json.dumps(security)))
        return path

    def ingest(self, workflow, check=True):
        command = [CAIRN_ABS, "-v", "ingest", "-c", workflow, "--json"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=self.dir)
        if check:
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        # Secrets stay in the workflow file: never in argv, output or the server's log.
        for secret in (CLIENT_SECRET, pem(self.idp.client_key).splitlines()[1], *self.idp.issued):
            self.assertNotIn(secret, " ".join(command))
            self.assertNotIn(secret, result.stdout + result.stderr)
            self.assertNotIn(secret, self.server.logs())
        return result

    def assertCatalogHasTheProject(self):
        entity = self.server.get(f"/api/v1/entities/{CUSTOMERS}")
        self.assertEqual(entity.status_code, 200, entity.text)
        self.assertEqual(entity.json()["table"]["name"], "customers")

    def custom_oidc(self, **overrides):
        security = {"clientId": CLIENT_ID, "secretKey": CLIENT_SECRET, "tokenEndpoint": self.idp.url + "/token"}
        security.update(overrides)
        return security

    def test_custom_oidc_ingests_and_the_server_knows_the_principal(self):
        result = self.ingest(self.workflow("custom-oidc", self.custom_oidc()))
        self.assertGreater(json.loads(result.stdout)["applied"]["tables"]["added"], 0)
        self.assertCatalogHasTheProject()
        self.assertEqual(self.idp.requests, {"/token": 1})
        self.assertEqual(self.idp.forms[0][1]["client_id"], CLIENT_ID)
        session = self.server.get("/api/v1/session", token=self.idp.token())
        self.assertEqual(session.status_code, 200, session.text)
        self.assertEqual((session.json()["name"], session.json()["access"]), (CLIENT_ID, "ingest"))

    def test_a_wrong_client_secret_fails_with_the_endpoints_error(self):
        result = self.ingest(self.workflow("custom-oidc", self.custom_oidc(secretKey="not-the-secret-at-all")),
                             check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("refused the client: HTTP 401: invalid_client", result.stderr)
        self.assertNotIn("not-the-secret-at-all", result.stdout + result.stderr)
        self.assertEqual(self.server.get("/api/v1/stats").json()["tables"], 0)

    def test_auth0_okta_azure_and_google(self):
        host = self.idp.url.removeprefix("http://")
        account = os.path.join(self.dir, "service-account.json")
        with open(account, "w") as f:
            json.dump({"type": "service_account", "client_email": CLIENT_ID, "private_key_id": "sa-key-1",
                       "private_key": pem(self.idp.client_key), "token_uri": self.idp.url + "/google/token"}, f)
        cases = {
            "auth0": ({"clientId": CLIENT_ID, "secretKey": CLIENT_SECRET, "domain": self.idp.url},
                      f"/{host}/oauth/token"),
            "okta": ({"clientId": CLIENT_ID, "orgURL": self.idp.url + "/okta/v1/token", "email": "bot@cairn.test",
                      "privateKey": pem(self.idp.client_key), "scopes": ["cairn"]}, "/okta/v1/token"),
            "azure": ({"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "authority": self.idp.url + "/tenant",
                       "scopes": ["api://cairn/.default"]}, "/tenant/oauth2/v2.0/token"),
            "google": ({"secretKey": account, "audience": AUDIENCE}, "/google/token"),
        }
        for provider, (security, path) in cases.items():
            with self.subTest(provider=provider):
                result = self.ingest(self.workflow(provider, security))
                self.assertEqual(self.idp.requests.get(path), 1, self.idp.requests)
                # The signed assertions are credentials too (okta's travels in the URL's query).
                for credential in self.idp.forms[-1][1].values():
                    if credential.count(".") == 2 and len(credential) > 100:
                        self.assertNotIn(credential, result.stdout + result.stderr)
                self.assertCatalogHasTheProject()
        forms = dict(self.idp.forms)
        self.assertEqual(forms[f"/{host}/oauth/token"]["audience"], f"https://{host}/api/v2/")
        self.assertEqual(forms["/tenant/oauth2/v2.0/token"]["scope"], "api://cairn/.default")
        self.assertEqual(forms["/okta/v1/token"]["scope"], "cairn")

    def test_a_token_due_for_refresh_is_fetched_again_before_the_retry(self):
        for expires_in, token_requests in ((3600, 1), (30, 2)):
            with self.subTest(expires_in=expires_in):
                self.idp.expires_in = expires_in
                self.idp.requests.clear()
                proxy = FlakyProxy(self.server.url)
                self.addCleanup(proxy.stop)
                self.ingest(self.workflow("custom-oidc", self.custom_oidc(), host_port=proxy.url))
                self.assertEqual(len(proxy.authorizations), 2)  # a 503, then the retry
                self.assertEqual(self.idp.requests, {"/token": token_requests})
                self.assertEqual(proxy.authorizations[0] == proxy.authorizations[1], token_requests == 1)
        self.assertCatalogHasTheProject()

    def test_bad_jwts_get_401(self):
        now = int(time.time())
        good = self.idp.token()
        header, payload, signature = good.split(".")
        claims = json.loads(b64url_decode(payload))
        claims["cairn_permission_set"] = "account_admin"
        hs256_header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        none_header = b64url(json.dumps({"alg": "none"}).encode())
        public_pem = self.idp.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        confused = f"{hs256_header}.{payload}"
        confused += "." + b64url(hmac.new(public_pem, confused.encode(), hashlib.sha256).digest())
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        bad = {
            "expired": self.idp.token(exp=now - 600, iat=now - 4200),
            "not yet valid": self.idp.token(nbf=now + 600),
            "wrong audience": self.idp.token(aud="another-api"),
            "wrong issuer": self.idp.token(iss="https://evil.test/"),
            "tampered": f"{header}.{b64url(json.dumps(claims).encode())}.{signature}",
            "alg none": f"{none_header}.{payload}.",
            "HS256 with the public key": confused,
            "unknown signer": sign_rs256(json.loads(b64url_decode(payload)), stranger, self.idp.kid),
        }
        self.assertEqual(self.server.get("/api/v1/stats", token=good).status_code, 200)
        for name, token in bad.items():
            with self.subTest(name):
                self.assertError(self.server.get("/api/v1/stats", token=token), 401, "JWT")
                self.assertNotIn(token, self.server.logs())

    def test_cairn_jwt_from_cairn_auth_jwt_is_an_openmetadata_jwt_token(self):
        minted = subprocess.run([CAIRN_ABS, "auth", "jwt", "--subject", "ingest-bot", "--permission-set",
                                 "job_admin", "--ttl", "1h", "--secret-file", self.secret_file],
                                capture_output=True, text=True, timeout=30, check=True).stdout.strip()
        self.assertEqual(minted.count("."), 2)
        session = self.server.get("/api/v1/session", token=minted).json()
        self.assertEqual((session["name"], session["access"]), ("ingest-bot", "ingest"))
        token_file = os.path.join(self.dir, "bot.jwt")
        with open(token_file, "w") as f:
            f.write(minted + "\n")
        self.ingest(self.workflow("openmetadata", {"jwtToken": token_file}))
        self.assertCatalogHasTheProject()
        reader = subprocess.run([CAIRN_ABS, "auth", "jwt", "--subject", "reader", "--permission-set",
                                 "metadata_only", "--secret-file", self.secret_file],
                                capture_output=True, text=True, timeout=30, check=True).stdout.strip()
        self.assertEqual(self.server.get("/api/v1/stats", token=reader).status_code, 200)
        result = self.ingest(self.workflow("openmetadata", {"jwtToken": reader}), check=False)
        self.assertIn("HTTP 403", result.stderr)

    def test_a_server_without_jwt_settings_refuses_jwts_but_takes_service_tokens(self):
        os.makedirs(os.path.join(self.dir, "plain"))
        plain = self.serve(workdir=os.path.join(self.dir, "plain"))
        self.assertError(plain.get("/api/v1/stats", token=self.idp.token()), 401)
        self.assertEqual(plain.get("/api/v1/stats", token=ADMIN_TOKEN).status_code, 200)

    def test_a_partial_oidc_setup_does_not_start(self):
        result = subprocess.run([CAIRN_ABS, "serve", "--db", "sqlite:" + os.path.join(self.dir, "p.db"), "--port", "0",
                                 "--oidc-issuer", self.idp.issuer], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("need all three of --oidc-issuer, --oidc-jwks-url and --oidc-audience", result.stderr)

    def test_okta_with_a_jwk_private_key(self):
        numbers = self.idp.client_key.private_numbers()
        jwk = {"kty": "RSA", "n": numbers.public_numbers.n, "e": numbers.public_numbers.e, "d": numbers.d,
               "p": numbers.p, "q": numbers.q, "dp": numbers.dmp1, "dq": numbers.dmq1, "qi": numbers.iqmp}
        jwk = {k: v if isinstance(v, str) else b64url(int_bytes(v)) for k, v in jwk.items()}
        key_file = os.path.join(self.dir, "okta-key.json")
        with open(key_file, "w") as f:
            json.dump(jwk, f)
        self.ingest(self.workflow("okta", {"clientId": CLIENT_ID, "orgURL": self.idp.url + "/okta/v1/token",
                                           "email": "bot@cairn.test", "privateKey": key_file}))
        self.assertEqual(self.idp.requests, {"/okta/v1/token": 1})
        self.assertCatalogHasTheProject()
