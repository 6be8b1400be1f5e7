"""The figures payments publishes for statistics: yearly RMB settlement per enterprise, yearly
online volume per institution, the funds side of each enterprise's month."""
