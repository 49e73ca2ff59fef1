"""Writes roca2048.pkcs1.der: an RSA key whose primes have the ROCA structure (Nemec et al.,
CCS 2017): p = k*M + (65537^a mod M), M the product of the first 126 primes (the size the
affected library used for 2048-bit keys). A test key only. Deterministic (fixed seed)."""
import random, sys

rng = random.Random(20171016)  # the ROCA disclosure date; any fixed seed would do

def primes_upto(n):
    return [p for p in range(2, n + 1) if all(p % q for q in range(2, int(p ** 0.5) + 1))]

def is_probable_prime(n, rounds=40):
    if n < 2:
        return False
    for p in primes_upto(200):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        a = rng.randrange(2, n - 1)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True

M = 1
for p in primes_upto(1000)[:126]:
    M *= p
ORDER_BOUND = M  # a is drawn below M; only 65537^a mod M matters

def roca_prime(bits):
    while True:
        a = rng.randrange(1, ORDER_BOUND)
        lo = (2 ** (bits - 1) + 2 ** (bits - 2)) // M + 1
        hi = (2 ** bits - 1) // M - 1
        k = rng.randrange(lo, hi)
        p = k * M + pow(65537, a, M)
        if p.bit_length() == bits and is_probable_prime(p) and (p - 1) % 65537 != 0:
            return p

def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(b)]) + b

def der_int(v):
    b = v.to_bytes(v.bit_length() // 8 + 1, 'big')  # a leading zero keeps it positive
    while len(b) > 1 and b[0] == 0 and b[1] < 0x80:
        b = b[1:]
    return b'\x02' + der_len(len(b)) + b

p, q = roca_prime(1024), roca_prime(1024)
if p < q:
    p, q = q, p
n, e = p * q, 65537
assert n.bit_length() == 2048
d = pow(e, -1, (p - 1) * (q - 1))
body = b''.join(der_int(v) for v in (0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p)))
sys.stdout.buffer.write(b'\x30' + der_len(len(body)) + body)
