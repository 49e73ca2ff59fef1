-- Refresh-token rotation of one family: the Redis translation of
-- rotation.rs `Presentation::step` (read the table there). Atomic: one script.
-- KEYS[1] family revocation key, KEYS[2] the family's rotation hash.
-- ARGV: 1 presented jti, 2 binding, 3 now, 4 grace, 5 successor refresh jti,
--       6 successor access jti, 7 family TTL, 8 access TTL, 9 revoked access key prefix.
if redis.call('EXISTS', KEYS[1]) == 1 then
  -- Written again (same TTL) so that the WAIT after the script covers it: the refusal never
  -- rests on a revocation that was answered 503 and that a failover could undo.
  redis.call('SET', KEYS[1], 1, 'KEEPTTL')
  return 'family_revoked'
end
local state = redis.call('HMGET', KEYS[2], 'current', 'current_access', 'previous', 'binding', 'grace_until')
local now = tonumber(ARGV[3])
if state[1] == false or state[1] == ARGV[1] then
  redis.call('HSET', KEYS[2], 'current', ARGV[5], 'current_access', ARGV[6],
    'previous', ARGV[1], 'binding', ARGV[2], 'grace_until', now + tonumber(ARGV[4]))
  redis.call('EXPIRE', KEYS[2], ARGV[7])
  return 'rotated'
end
if state[3] == ARGV[1] and state[4] == ARGV[2] and now < tonumber(state[5]) then
  redis.call('SET', ARGV[9] .. state[2], 1, 'EX', ARGV[8])
  redis.call('HSET', KEYS[2], 'current', ARGV[5], 'current_access', ARGV[6])
  redis.call('EXPIRE', KEYS[2], ARGV[7])
  return 'retried'
end
redis.call('SET', KEYS[1], 1, 'EX', ARGV[7])
return 'reused'
