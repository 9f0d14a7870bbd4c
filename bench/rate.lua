-- wrk script: POST /api/rate with destinations drawn from a fixed list.
local token = os.getenv("SB_TOKEN")
local dests = {}
for line in io.lines(os.getenv("SB_DESTS")) do dests[#dests + 1] = line end
local i = 0
request = function()
  i = i % #dests + 1
  return wrk.format("POST", "/api/rate", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, '{"destination":"' .. dests[i] .. '","duration":' .. (i % 600) .. '}')
end
