"""The retail import annual quota per buyer (26,000 CNY per calendar year)."""
