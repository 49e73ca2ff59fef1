"""SD-JWT interoperability between `jose sd-jwt` and the `sd-jwt` package of PyPI (the reference
implementation of RFC 9901's authors), both directions, with and without key binding.

Usage: python sd_jwt_interop.py /path/to/jose

1. issued here (`jose sd-jwt issue`), presented and verified there (SDJWTHolder,
   SDJWTVerifier), and presented here (`jose sd-jwt present`) and verified there;
2. issued there (SDJWTIssuer), presented there and verified here (`jose sd-jwt verify`), and
   presented here and verified here;
each without and with a KB-JWT (ES256 issuer, ES256 holder), and a tampered presentation refused
by the side that verifies. The compact serialization only: sd-jwt 0.10.4 writes the JSON
serialization of drafts before RFC 9901 §8 (disclosures beside the payload, not in the header).
Prints one line per check and `N passed, 0 failed`; exits 1 on the first failure.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

JOSE = sys.argv[1]
WORK = Path(tempfile.mkdtemp(prefix="sd-jwt-interop-"))
AUD = "https://verifier.example"
NONCE = "n-0S6_WzA2Mj"
passed = 0


def jose(*args, stdin=None, code=0):
    run = subprocess.run([JOSE, *args], input=stdin, capture_output=True, text=True)
    if run.returncode != code:
        raise SystemExit(f"jose {' '.join(args)}: exit {run.returncode}, stderr: {run.stderr}")
    return run.stdout


def write(name, text):
    path = WORK / name
    path.write_text(text)
    return str(path)


def check(name, condition):
    global passed
    if not condition:
        raise SystemExit(f"FAILED: {name}")
    passed += 1
    print(f"ok: {name}")


def key_pair(kid):
    private = write(f"{kid}.jwk", jose("key", "generate", "--alg", "ES256", "--kid", kid))
    public = write(f"{kid}.pub.jwk", jose("key", "public", private))
    return private, public, JWK.from_json(Path(private).read_text())


issuer_path, issuer_public_path, issuer_key = key_pair("issuer")
holder_path, holder_public_path, holder_key = key_pair("holder")
issuer_public = JWK.from_json(Path(issuer_public_path).read_text())

CLAIMS = {
    "iss": "https://issuer.example",
    "sub": "user_42",
    "given_name": "John",
    "family_name": "Doe",
    "address": {"street_address": "123 Main St", "country": "US"},
    "nationalities": ["US", "DE"],
}


def python_verify(presentation, kb):
    verifier = SDJWTVerifier(
        presentation,
        lambda iss, header: issuer_public,
        expected_aud=AUD if kb else None,
        expected_nonce=NONCE if kb else None,
    )
    return verifier.get_verified_payload()


def python_refuses(presentation, kb):
    try:
        python_verify(presentation, kb)
    except Exception:  # noqa: BLE001 - any refusal
        return True
    return False


def tamper(presentation):
    """The first disclosure with its middle character changed."""
    parts = presentation.split("~")
    d = parts[1]
    middle = len(d) // 2
    parts[1] = d[:middle] + ("A" if d[middle] != "A" else "B") + d[middle + 1 :]
    return "~".join(parts)


# 1. Issued here.
claims_path = write("claims.json", json.dumps(CLAIMS))
issued = jose(
    "sd-jwt", "issue", "--key", issuer_path, "--holder-key", holder_public_path,
    "--sd", "/given_name", "--sd", "/family_name", "--sd", "/address",
    "--sd", "/address/street_address", "--sd", "/nationalities/1", claims_path,
).strip()
issued_path = write("issued.txt", issued)

holder = SDJWTHolder(issued)
holder.create_presentation({"given_name": True, "address": {"street_address": True}})
payload = python_verify(holder.sd_jwt_presentation, False)
check("jose issues, sd-jwt presents and verifies (no KB)",
      payload["given_name"] == "John" and payload["address"]["street_address"] == "123 Main St"
      and "family_name" not in payload and payload["nationalities"] == ["US"])
holder = SDJWTHolder(issued)
holder.create_presentation({"family_name": True, "nationalities": [None, True]}, NONCE, AUD,
                           holder_key, "ES256")
payload = python_verify(holder.sd_jwt_presentation, True)
check("jose issues, sd-jwt presents with KB and verifies",
      payload["family_name"] == "Doe" and payload["nationalities"] == ["US", "DE"]
      and "given_name" not in payload)
check("sd-jwt refuses a tampered disclosure of jose's SD-JWT",
      python_refuses(tamper(holder.sd_jwt_presentation), True))

presented = jose("sd-jwt", "present", "--disclose", "/address/street_address", issued_path).strip()
payload = python_verify(presented, False)
check("jose issues and presents, sd-jwt verifies (no KB)",
      payload["address"] == {"street_address": "123 Main St", "country": "US"}
      and "given_name" not in payload)
bound = jose("sd-jwt", "present", "--all", "--kb-key", holder_path, "--aud", AUD,
             "--nonce", NONCE, issued_path).strip()
payload = python_verify(bound, True)
check("jose issues and presents with KB, sd-jwt verifies",
      payload["given_name"] == "John" and payload["nationalities"] == ["US", "DE"])
parts = bound.split("~")
fewer = "~".join(parts[:1] + parts[2:])
check("sd-jwt refuses jose's SD-JWT+KB with a disclosure dropped (sd_hash)",
      python_refuses(fewer, True))

# 2. Issued there.
user_claims = {
    "iss": "https://issuer.example",
    "sub": "user_42",
    SDObj("given_name"): "John",
    SDObj("family_name"): "Doe",
    SDObj("address"): {SDObj("street_address"): "123 Main St", "country": "US"},
    "nationalities": ["US", SDObj("DE")],
}
issuer = SDJWTIssuer(user_claims, issuer_key, holder_key, "ES256", add_decoy_claims=True)
python_issued = issuer.sd_jwt_issuance
python_issued_path = write("python-issued.txt", python_issued)

holder = SDJWTHolder(python_issued)
holder.create_presentation({"given_name": True, "address": {"street_address": True}})
path = write("python-presented.txt", holder.sd_jwt_presentation)
payload = json.loads(jose("sd-jwt", "verify", "--key", issuer_public_path, path))
check("sd-jwt issues and presents, jose verifies (no KB)",
      payload["given_name"] == "John" and payload["address"]["street_address"] == "123 Main St"
      and "family_name" not in payload and payload["nationalities"] == ["US"])
holder = SDJWTHolder(python_issued)
holder.create_presentation({"family_name": True, "nationalities": [None, True]}, NONCE, AUD,
                           holder_key, "ES256")
path = write("python-bound.txt", holder.sd_jwt_presentation)
payload = json.loads(jose("sd-jwt", "verify", "--key", issuer_public_path, "--kb", "--aud", AUD,
                          "--nonce", NONCE, path))
check("sd-jwt issues and presents with KB, jose verifies",
      payload["family_name"] == "Doe" and payload["nationalities"] == ["US", "DE"])
jose("sd-jwt", "verify", "--key", issuer_public_path, "--kb", "--aud", AUD, "--nonce", "other",
     path, code=1)
jose("sd-jwt", "verify", "--key", issuer_public_path, path, code=1)
path = write("python-tampered.txt", tamper(holder.sd_jwt_presentation))
jose("sd-jwt", "verify", "--key", issuer_public_path, "--kb", "--aud", AUD, "--nonce", NONCE,
     path, code=1)
check("jose refuses sd-jwt's SD-JWT+KB with another nonce, without asking for KB, tampered", True)

presented = jose("sd-jwt", "present", "--disclose", "/address/street_address",
                 python_issued_path).strip()
payload = json.loads(jose("sd-jwt", "verify", "--key", issuer_public_path,
                          write("p.txt", presented)))
check("sd-jwt issues, jose presents and verifies (no KB)",
      payload["address"] == {"street_address": "123 Main St", "country": "US"})
bound = jose("sd-jwt", "present", "--all", "--kb-key", holder_path, "--aud", AUD, "--nonce", NONCE,
             python_issued_path).strip()
payload = python_verify(bound, True)
check("sd-jwt issues, jose presents with KB, sd-jwt verifies",
      payload["given_name"] == "John" and payload["family_name"] == "Doe")
payload = json.loads(jose("sd-jwt", "verify", "--key", issuer_public_path, "--kb", "--aud", AUD,
                          "--nonce", NONCE, write("b.txt", bound)))
check("sd-jwt issues, jose presents with KB and verifies",
      payload["nationalities"] == ["US", "DE"])

print(f"{passed} passed, 0 failed")
