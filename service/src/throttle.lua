-- One authentication attempt against its throttling budgets (GCRA), atomically: see
-- src/throttle.rs, which runs the same steps in memory.
--
-- KEYS[1]  the client IP's bucket
-- KEYS[2]  the (account, IP) bucket         } when the attempt names an account
-- KEYS[3]  the account's bucket             }
-- KEYS[4]  the (account, IP) "logged in here before" mark: when it exists, the account's
--          bucket is not charged
-- ARGV[1]  "take" (charge every bucket if all have room), "peek" (tell whether all have
--          room, charging nothing), "force" (charge every bucket, room or not), "refund"
--          (give back what a take charged), "succeed" (refund and set the mark)
-- ARGV[2]  refund and succeed: "1" if take charged the account's bucket
-- ARGV[2i+1], ARGV[2i+2]  bucket i's emission interval (ms) and burst
-- ARGV[#ARGV]  the mark's TTL (s)
--
-- Each bucket key holds its theoretical arrival time (TAT, ms on Redis's clock) and expires
-- when the TAT passes (an empty bucket is no key). take, peek and force answer {0, 1 if the
-- account's bucket was (or would be) charged} or, take and peek, {ms to wait, the bucket
-- that refused (1, 2, 3)}.
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local mode = ARGV[1]
local buckets = math.min(#KEYS, 3)
local checking = mode == 'take' or mode == 'peek' or mode == 'force'
local skip_account
if checking then
  skip_account = #KEYS == 4 and redis.call('EXISTS', KEYS[4]) == 1
else
  skip_account = ARGV[2] ~= '1'
end

if checking then
  local worst, which = 0, 0
  local tats = {}
  for i = 1, buckets do
    if not (i == 3 and skip_account) then
      local interval = tonumber(ARGV[2 * i + 1])
      local burst = tonumber(ARGV[2 * i + 2])
      local tat = tonumber(redis.call('GET', KEYS[i])) or now
      if tat < now then tat = now end
      local new = tat + interval
      local wait = new - now - interval * burst
      if wait > worst then worst, which = wait, i end
      tats[i] = new
    end
  end
  if worst > 0 and mode ~= 'force' then return {worst, which} end
  if mode ~= 'peek' then
    for i = 1, buckets do
      if tats[i] then redis.call('SET', KEYS[i], tats[i], 'PX', tats[i] - now) end
    end
  end
  if buckets == 3 and not skip_account then return {0, 1} end
  return {0, 0}
end

for i = 1, buckets do
  if not (i == 3 and skip_account) then
    local tat = tonumber(redis.call('GET', KEYS[i]))
    if tat then
      tat = tat - tonumber(ARGV[2 * i + 1])
      if tat > now then
        redis.call('SET', KEYS[i], tat, 'PX', tat - now)
      else
        redis.call('DEL', KEYS[i])
      end
    end
  end
end
if mode == 'succeed' and #KEYS == 4 then
  redis.call('SET', KEYS[4], 1, 'EX', tonumber(ARGV[#ARGV]))
end
return {0, 0}
