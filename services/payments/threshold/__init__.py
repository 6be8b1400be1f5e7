"""The USD 200,000 rule: counters per enterprise × institution × year, SAFE's lists, registrations."""
