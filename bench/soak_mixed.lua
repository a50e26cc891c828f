-- wrk script for bench/soak.sh: mixed GETs over the API of a simulated 64-CPU x 1024-IRQ machine
-- (IRQs 24..1047 from gen_interrupts.py), round-robin per thread.
local paths = {
  "/api/v1/interrupts?window=60s&top=20",
  "/api/v1/interrupts?window=10s&cpus=0-15&top=50",
  "/api/v1/interrupts?window=30s&name=eth3-*",
  "/api/v1/interrupts/100",
  "/api/v1/interrupts/1000?window=10s",
  "/api/v1/cpus?window=60s",
  "/api/v1/cpus",
  "/api/v1/health",
  "/api/v1",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

-- Count answers by status in each thread; done() prints any that were not 200.
statuses = {}
response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function()
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do
      if status ~= 200 then io.write(string.format("status %d: %d\n", status, n)) end
    end
  end
end
