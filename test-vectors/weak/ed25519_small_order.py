"""Writes ed25519_small_order.json: every encoding of the eight points of edwards25519 whose
order divides 8, and non-canonical encodings (y >= p), computed from the curve equation
(RFC 8032 §5.1). Run: python3 ed25519_small_order.py > ed25519_small_order.json"""
import base64, json
p = 2**255 - 19
d = (-121665 * pow(121666, p-2, p)) % p
L = 2**252 + 27742317777372353535851937790883648493
def inv(x): return pow(x, p-2, p)
def add(P, Q):
    x1,y1 = P; x2,y2 = Q
    t = d*x1*x2*y1*y2 % p
    x3 = (x1*y2 + x2*y1) * inv(1 + t) % p
    y3 = (y1*y2 + x1*x2) * inv(1 - t) % p
    return (x3, y3)
def mul(k, P):
    R = (0, 1)
    while k:
        if k & 1: R = add(R, P)
        P = add(P, P); k >>= 1
    return R
def sqrt(a):
    a %= p
    r = pow(a, (p+3)//8, p)
    if r*r % p != a:
        r = r * pow(2, (p-1)//4, p) % p
    return r if r*r % p == a else None
def recover_x(y):
    x2 = (y*y - 1) * inv(d*y*y + 1) % p
    return sqrt(x2)
# find a point, multiply by L to land in the torsion subgroup, then generate it.
y = 3
while True:
    x = recover_x(y)
    if x is not None:
        T = mul(L, (x, y))
        if mul(4, T) != (0, 1): break
    y += 1
pts = set()
Q = (0, 1)
for i in range(8):
    pts.add(Q); Q = add(Q, T)
assert len(pts) == 8

def b64(v):
    return base64.urlsafe_b64encode(v.to_bytes(32, 'little')).rstrip(b'=').decode()

def order_of(pt):
    return next(k for k in (1, 2, 4, 8) if mul(k, pt) == (0, 1))

small = []
for pt in sorted(pts, key=lambda q: (q[1], q[0])):
    small.append({'order': order_of(pt), 'x': b64(pt[1] | ((pt[0] & 1) << 255)),
                  'note': 'canonical encoding'})
    if pt[0] == 0:  # x = 0: the sign bit set is a non-canonical "negative zero"
        small.append({'order': order_of(pt), 'x': b64(pt[1] | (1 << 255)),
                      'note': 'x = 0 with the sign bit set'})
non_canonical = []
for y in (p, p + 1, p + 2, 2**255 - 1):  # y >= p, with and without the sign bit
    for sign in (0, 1):
        non_canonical.append({'x': b64(y | (sign << 255)),
                              'note': 'y = %s, sign %d' % (('p + %d' % (y - p)), sign)})
print(json.dumps({
    'source': 'computed by test-vectors/weak/ed25519_small_order.py from the edwards25519 '
              'curve equation (RFC 8032 §5.1); the small-order points are the 8-torsion '
              'subgroup, found as L·P for a point P not in the prime-order subgroup',
    'small_order': small, 'non_canonical': non_canonical}, indent=2))
