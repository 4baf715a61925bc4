-- wrk: GET /api/v1/search with 1–3 word Finnish queries, a third of them filtered by kind.
-- The queries are kirjuri_search::quality::BENCHMARK_QUERIES, URL-encoded.
local queries = {
  "kotihoito", "etäkäynti", "kokeilun%20tulokset", "digitaalinen%20asiointipiste", "työhyvinvointi",
  "osaamisen%20kehittäminen", "tekoäly%20asiakirjat", "perhekeskus%20palvelupolku", "kirjasto",
  "rakennusvalvonta%20chatbot", "vertaisoppiminen", "ajanvaraus", "kotihoidon%20etäkäynnit",
  "päätös%20käytäntö", "mittaus%20tuottavuus",
}
local n = 0
request = function()
  n = n + 1
  local q = queries[math.random(#queries)]
  local path = "/api/v1/search?q=" .. q
  if n % 3 == 0 then path = path .. "&kind=lesson" end
  return wrk.format("GET", path)
end
