#!/usr/bin/env python3
"""Interoperability of the `jose` CLI with PyJWT and jwcrypto, both directions, every algorithm.

    python3 cli/tests/interop.py path/to/jose

Needs the packages of cli/tests/interop-requirements.txt (`.ci/run` installs them in a venv).
For every algorithm the CLI can produce:

  A. CLI -> Python: keys made by `jose key generate` (the RSA fixture for RS*/PS*), exported
     by `jose key public` / `jose key convert`; tokens made by `jose sign` and payloads by
     `jose jws sign`; PyJWT and jwcrypto verify them.
  B. Python -> CLI: keys made by `cryptography`, exported as PEM (PKCS#8, SPKI, and the
     traditional PKCS#1/SEC1) and as JWKs by jwcrypto; tokens signed by PyJWT and jwcrypto;
     `jose verify` / `jose jws verify` check them with each key form; `jose sign` signs with
     Python's private keys and PyJWT verifies; thumbprints and conversions agree with jwcrypto.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwcrypto import jwk as jwc_jwk
from jwcrypto import jws as jwc_jws
from jwcrypto.common import json_encode

JOSE = sys.argv[1] if len(sys.argv) > 1 else "jose"
ROOT = Path(__file__).resolve().parents[2]
RSA_FIXTURE = ROOT / "test-vectors" / "keys" / "rsa2048.pkcs8.pem"

HMAC = {"HS256": 32, "HS384": 48, "HS512": 64}
RSA = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
GENERATED = ["HS256", "HS384", "HS512", "ES256", "ES384", "EdDSA"]
ALL = ["HS256", "HS384", "HS512"] + RSA + ["ES256", "ES384", "EdDSA"]

CLAIMS = {"iss": "https://interop.example", "sub": "ada", "aud": "api", "n": [1, 2.5, None], "ü": "✓"}
PAYLOAD = b"%PDF-1.7\n\x00\xff not JSON \r\n"

TMP = Path(tempfile.mkdtemp(prefix="jose-interop-"))
results = []  # (direction, alg, check)


def run(*args, stdin=b"", code=0):
    """Runs jose; returns stdout bytes; fails unless it exits with `code`."""
    p = subprocess.run([JOSE, *args], input=stdin, capture_output=True)
    if p.returncode != code:
        sys.exit(f"FAIL: jose {' '.join(args)} exited {p.returncode}, wanted {code}\n"
                 f"stderr: {p.stderr.decode(errors='replace')}")
    return p.stdout


def write(name, data):
    path = TMP / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


def b64u_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def check(direction, alg, what, ok):
    if not ok:
        sys.exit(f"FAIL: {direction} {alg}: {what}")
    results.append((direction, alg, what))


def pyjwt_verify(token, key, alg):
    return jwt.decode(token, key, algorithms=[alg], audience="api", issuer="https://interop.example")


# ----------------------------------------------------------------------------- A: CLI -> Python

def cli_to_python(alg):
    d = "A cli->py"
    if alg in RSA:
        private = str(RSA_FIXTURE)
    else:
        private = write(f"a-{alg}.jwk", run("key", "generate", "--alg", alg, "--kid", f"cli-{alg}"))
    if alg in HMAC:
        jwk = json.loads(Path(private).read_text())
        verify_key = b64u_decode(jwk["k"])
        jwc_key = jwc_jwk.JWK(**jwk)
        pem_key = None
    else:
        public_jwk = run("key", "public", private)
        jwc_key = jwc_jwk.JWK.from_json(public_jwk)
        verify_key = jwt.PyJWK(json.loads(public_jwk), algorithm=alg).key
        pem_key = run("key", "convert", private, "--to", "pem", "--alg", alg)
        spki = run("key", "convert", write(f"a-{alg}.pub.jwk", public_jwk), "--to", "pem")
        assert b"PUBLIC KEY" in spki
        pem_key = spki

    token = run("sign", "--key", private, "--alg", alg, "--exp-in", "300", "--iat",
                stdin=json.dumps(CLAIMS).encode()).decode().strip()
    claims = pyjwt_verify(token, verify_key, alg)
    check(d, alg, "PyJWT verifies `jose sign` (JWK key)",
          {k: claims[k] for k in CLAIMS} == CLAIMS and claims["exp"] - claims["iat"] == 300)
    if pem_key is not None:
        claims = pyjwt_verify(token, pem_key, alg)
        check(d, alg, "PyJWT verifies `jose sign` (SPKI PEM from `jose key convert`)", claims["sub"] == "ada")
    s = jwc_jws.JWS()
    s.deserialize(token)
    s.verify(jwc_key, alg=alg)
    check(d, alg, "jwcrypto verifies `jose sign`", json.loads(s.payload)["ü"] == "✓")

    jws = run("jws", "sign", "--key", private, "--alg", alg, "-", stdin=PAYLOAD).decode().strip()
    s = jwc_jws.JWS()
    s.deserialize(jws)
    s.verify(jwc_key, alg=alg)
    check(d, alg, "jwcrypto verifies `jose jws sign` (binary payload)", s.payload == PAYLOAD)
    for flag in ["--json", "--flattened"]:
        doc = run("jws", "sign", "--key", private, "--alg", alg, flag, "-", stdin=PAYLOAD).decode()
        s = jwc_jws.JWS()
        s.deserialize(doc)
        s.verify(jwc_key, alg=alg)
        check(d, alg, f"jwcrypto verifies `jose jws sign {flag}`", s.payload == PAYLOAD)

    if alg not in HMAC:
        want = jwc_key.thumbprint()
        got = run("key", "thumbprint", private).decode().strip()
        check(d, alg, "jwcrypto thumbprint == `jose key thumbprint`", want == got)


# ----------------------------------------------------------------------------- B: Python -> CLI

_rsa_key = None


def python_key(alg):
    """A private key made by `cryptography` (HS*: random bytes)."""
    global _rsa_key
    if alg in HMAC:
        return os.urandom(HMAC[alg])
    if alg in RSA:
        if _rsa_key is None:
            _rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return _rsa_key
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if alg == "ES384":
        return ec.generate_private_key(ec.SECP384R1())
    return ed25519.Ed25519PrivateKey.generate()


def python_to_cli(alg):
    d = "B py->cli"
    key = python_key(alg)
    kid = f"py-{alg}"
    now = int(time.time())
    claims = dict(CLAIMS, exp=now + 300, iat=now)
    token = jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})

    if alg in HMAC:
        jwc_key = jwc_jwk.JWK.from_json(json.dumps({
            "kty": "oct", "k": base64.urlsafe_b64encode(key).rstrip(b"=").decode(),
            "kid": kid, "alg": alg}))
        key_files = {"oct JWK (jwcrypto)": write(f"b-{alg}.jwk", jwc_key.export(private_key=True))}
        private_files = key_files
    else:
        pkcs8 = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
        spki = key.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        jwc_key = jwc_jwk.JWK.from_pem(pkcs8)
        public = jwc_key.export_public(as_dict=True)
        public.update(kid=kid, alg=alg)
        private = jwc_key.export_private(as_dict=True)
        private.update(kid=kid, alg=alg)
        other = jwc_jwk.JWK.generate(kty="EC", crv="P-256").export_public(as_dict=True)
        other.update(kid="someone-else", alg="ES256")
        key_files = {
            "SPKI PEM (cryptography)": write(f"b-{alg}.spki.pem", spki),
            "public JWK (jwcrypto)": write(f"b-{alg}.pub.jwk", json.dumps(public)),
            "JWK Set (jwcrypto)": write(f"b-{alg}.jwks", json.dumps({"keys": [other, public]})),
        }
        private_files = {
            "PKCS#8 PEM (cryptography)": write(f"b-{alg}.pkcs8.pem", pkcs8),
            "private JWK (jwcrypto)": write(f"b-{alg}.jwk", json.dumps(private)),
        }
        if alg != "EdDSA":
            traditional = key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.TraditionalOpenSSL,
                                            serialization.NoEncryption())
            name = "PKCS#1 PEM" if alg in RSA else "SEC1 PEM"
            private_files[f"{name} (cryptography)"] = write(f"b-{alg}.trad.pem", traditional)

        want = jwc_key.thumbprint()
        for name, path in [*key_files.items(), *private_files.items()]:
            if "Set" in name:
                continue
            got = run("key", "thumbprint", path).decode().strip()
            check(d, alg, f"`jose key thumbprint` of {name} == jwcrypto thumbprint", got == want)
        converted = json.loads(run("key", "convert", private_files["PKCS#8 PEM (cryptography)"], "--to", "jwk"))
        jwc_private = jwc_key.export_private(as_dict=True)
        check(d, alg, "`jose key convert` PKCS#8 -> JWK == jwcrypto's JWK",
              all(converted[m] == jwc_private[m] for m in jwc_private if m != "kid"))

    for name, path in key_files.items():
        args = ["verify", "--key", path, "--aud", "api", "--iss", "https://interop.example"]
        if "PEM" in name:
            args += ["--alg", alg]
        out = json.loads(run(*args, token))
        check(d, alg, f"`jose verify` of a PyJWT token with the {name}", out == claims)

    # jwcrypto signs a binary payload; `jose jws verify` prints it exactly.
    s = jwc_jws.JWS(PAYLOAD)
    s.add_signature(jwc_key, alg=alg, protected=json_encode({"alg": alg, "kid": kid}))
    compact = s.serialize(compact=True)
    for name, path in key_files.items():
        args = ["jws", "verify", "--key", path] + (["--alg", alg] if "PEM" in name else []) + [compact]
        check(d, alg, f"`jose jws verify` of a jwcrypto JWS with the {name}", run(*args) == PAYLOAD)
    # The JSON serializations: flattened (one signature), and general with a second
    # signature by a key the CLI does not have (so `--policy any`).
    flat = jwc_jws.JWS(PAYLOAD)
    flat.add_signature(jwc_key, alg=alg, protected=json_encode({"alg": alg, "kid": kid}))
    general = jwc_jws.JWS(PAYLOAD)
    general.add_signature(jwc_key, alg=alg, protected=json_encode({"alg": alg, "kid": kid}))
    stranger = jwc_jwk.JWK.generate(kty="oct", size=256)
    general.add_signature(stranger, alg="HS256", protected=json_encode({"alg": "HS256", "kid": "x"}))
    path = next(iter(key_files.values()))
    pem = ["--alg", alg] if path.endswith(".pem") else []
    for form, doc, policy in [("flattened", flat.serialize(), "all"), ("general", general.serialize(), "any")]:
        assert ('"signatures"' in doc) == (form == "general"), doc
        out = run("jws", "verify", "--key", path, *pem, "--policy", policy, "-", stdin=doc.encode())
        check(d, alg, f"`jose jws verify --policy {policy}` of a jwcrypto {form} JSON JWS", out == PAYLOAD)
    run("jws", "verify", "--key", path, *pem, "-", stdin=general.serialize().encode(), code=1)

    # `jose sign` with Python's private keys; PyJWT verifies.
    verify_key = key if alg in HMAC else key.public_key()
    for name, path in private_files.items():
        signed = run("sign", "--key", path, "--alg", alg, "--exp-in", "60",
                     stdin=json.dumps(CLAIMS).encode()).decode().strip()
        out = pyjwt_verify(signed, verify_key, alg)
        check(d, alg, f"PyJWT verifies `jose sign` with the {name}", out["sub"] == "ada")

    # Rejections: a tampered PyJWT token exits 1.
    head, _, sig = token.rpartition(".")
    tampered = head + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
    path = next(iter(key_files.values()))
    args = ["verify", "--key", path, "--aud", "api"] + (["--alg", alg] if path.endswith(".pem") else [])
    run(*args, tampered, code=1)
    check(d, alg, "a tampered PyJWT token is rejected (exit 1)", True)


# ----------------------------------------------------------------------------- RFC 9864 Ed25519

def ed25519_rfc9864():
    """The fully-specified `Ed25519` (RFC 9864) with jwcrypto, both ways (PyJWT 2.15 knows only
    `EdDSA`); a key bound to one name refuses the other's tokens on both sides."""
    alg = "Ed25519"
    # A: `jose` signs under the new name, jwcrypto verifies it under that name only.
    private = write("r-ed25519.jwk", run("key", "generate", "--alg", alg, "--kid", "cli-ed"))
    public_jwk = run("key", "public", private)
    jwc_key = jwc_jwk.JWK.from_json(public_jwk)
    token = run("sign", "--key", private, "--exp-in", "300", stdin=json.dumps(CLAIMS).encode())
    s = jwc_jws.JWS()
    s.deserialize(token.decode().strip())
    s.allowed_algs = [alg]
    s.verify(jwc_key, alg=alg)
    check("A cli->py", alg, "jwcrypto verifies `jose sign` under alg Ed25519",
          json.loads(s.payload)["sub"] == "ada" and s.jose_header["alg"] == alg)
    refused = ""
    try:
        s = jwc_jws.JWS()
        s.deserialize(token.decode().strip())
        s.allowed_algs = [alg, "EdDSA"]
        s.verify(jwc_key, alg="EdDSA")
    except jwc_jws.InvalidJWSSignature as e:
        refused = str(e)
    check("A cli->py", alg, "jwcrypto refuses it as EdDSA (alg mismatch)", '"alg" mismatch' in refused)

    # B: jwcrypto signs under the new name; `jose` verifies with --alg Ed25519, never EdDSA.
    key = ed25519.Ed25519PrivateKey.generate()
    pkcs8 = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    jwc_private = jwc_jwk.JWK.from_pem(pkcs8)
    public = write("r-ed25519.pub.jwk", jwc_private.export_public())
    now = int(time.time())
    claims = dict(CLAIMS, exp=now + 300)
    s = jwc_jws.JWS(json.dumps(claims).encode())
    s.allowed_algs = [alg]
    s.add_signature(jwc_private, alg=alg, protected=json_encode({"alg": alg, "typ": "JWT"}))
    compact = s.serialize(compact=True)
    out = json.loads(run("verify", "--key", public, "--alg", alg, "--aud", "api", compact))
    check("B py->cli", alg, "`jose verify --alg Ed25519` of a jwcrypto Ed25519 JWT", out == claims)
    run("verify", "--key", public, "--alg", "EdDSA", "--aud", "api", compact, code=1)
    check("B py->cli", alg, "`jose verify --alg EdDSA` refuses it (exit 1)", True)
    signed = run("jws", "verify", "--key", public, "--alg", alg, compact)
    check("B py->cli", alg, "`jose jws verify --alg Ed25519` prints the payload",
          json.loads(signed) == claims)


def main():
    for alg in ALL:
        cli_to_python(alg)
        python_to_cli(alg)
    ed25519_rfc9864()
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ["PyJWT", "jwcrypto", "cryptography"])
    versions += f", Python {sys.version.split()[0]}"
    print(f"interop: {len(results)} checks passed against {versions}")
    for direction in ["A cli->py", "B py->cli"]:
        algs = sorted({a for d, a, _ in results if d == direction}, key=[*ALL, "Ed25519"].index)
        print(f"  {direction}: {', '.join(algs)}")
    if "-v" in sys.argv:
        for r in results:
            print("   ", *r)


if __name__ == "__main__":
    main()
