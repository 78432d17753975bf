-- wrk script: POST a different valid inquiry each time.
local counter = 0
local genders = {"female", "male", "non_binary", "prefer_not_to_say"}
local kinds = {"haircut", "beard_trim", "shave", "kids_cut"}

request = function()
  counter = counter + 1
  local body = string.format(
    '{"customer_name":"Zoë Núñez %d","age":%d,"gender":"%s","inquiry_type":"%s",' ..
    '"email":"customer%d@example.com","phone":"+44 7700 900%03d","message":"Saturday? 💈",' ..
    '"marketing_consent":%s}',
    counter, 16 + counter % 60, genders[counter % 4 + 1], kinds[counter % 4 + 1],
    counter, counter % 1000, counter % 2 == 0 and "true" or "false")
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
