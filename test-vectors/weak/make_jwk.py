"""Prints roca2048.jwk.json: the key of roca2048.pkcs8.pem as a private JWK (RFC 7518 §6.3),
read with `openssl rsa -text`."""
import base64, json, re, subprocess
text = subprocess.run(['openssl', 'rsa', '-in', 'roca2048.pkcs8.pem', '-text', '-noout'],
                      capture_output=True, text=True, check=True).stdout
names = {'modulus': 'n', 'privateExponent': 'd', 'prime1': 'p', 'prime2': 'q',
         'exponent1': 'dp', 'exponent2': 'dq', 'coefficient': 'qi'}
jwk = {'kty': 'RSA', 'kid': 'roca-2048'}
for block in re.finditer(r'^(\w+):\s*\n((?:\s+[0-9a-f:]+\n)+)', text, re.M):
    if block.group(1) in names:
        v = int(re.sub(r'[^0-9a-f]', '', block.group(2)), 16)
        b = v.to_bytes((v.bit_length() + 7) // 8, 'big')
        jwk[names[block.group(1)]] = base64.urlsafe_b64encode(b).rstrip(b'=').decode()
jwk['e'] = 'AQAB'
order = ['kty', 'kid', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi']
print(json.dumps({k: jwk[k] for k in order}, indent=2))
